/**
 * Tar (plain or gzip) for the unpack stage: node-tar's Parser only reads (strict: every
 * warning is an error); every entry goes through the Tree, which checks it and, on the second
 * pass, writes it. The decompressed stream has its own budget, so a gzip bomb stops early.
 */
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { singleLine } from '../errors.js';
import { classify, corrupt, errMessage, layout, quote, tooLarge, unsafe } from './archive-errors.js';
import type { Tree } from './extract-tree.js';
import { CHUNK, MAX_META_ENTRY, type UnpackLimits } from './unpack-limits.js';

export async function* readChunks(fh: FileHandle, start = 0, end = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
  let pos = start;
  while (pos < end) {
    const want = Math.min(CHUNK, end - pos);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** One pass over the tar stream: every entry goes through `tree` (which writes, or not). */
export async function tarPass(fh: FileHandle, gzip: boolean, tree: Tree, lim: UnpackLimits): Promise<void> {
  // the decompressed stream may hold file data plus, per entry, a header, padding and
  // pax / long-name headers; anything beyond that is not an sdist
  const budget = lim.maxBytes + lim.maxEntries * 3072 + 1024 * 1024;
  let streamBytes = 0;
  let failure: Error | undefined;
  let sawEof = false;
  let ended = false;
  let head: Buffer | undefined = Buffer.alloc(0);

  const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: MAX_META_ENTRY });
  const fail = (e: unknown): void => {
    if (failure !== undefined) return;
    failure = classify(e);
    try {
      // a fresh Error: node-tar decorates the error it is given
      parser.abort(new Error('unpack: refused'));
    } catch {
      // abort reports through 'error', which is already handled
    }
  };
  parser.on('error', (e: unknown) => {
    if (failure !== undefined) return;
    const msg = errMessage(e);
    if (sawEof && tree.entries === 0 && /Unrecognized archive format/.test(msg)) {
      failure = layout('the sdist is empty; it must hold one top-level directory');
    } else failure = classify(e);
  });
  parser.on('warn', (code: string, message: string) => fail(corrupt(`not a valid tar archive: ${singleLine(`${code}: ${message}`, 200)}`)));
  parser.on('eof', () => {
    sawEof = true;
  });
  parser.on('end', () => {
    ended = true;
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    if (entry.meta) fail(unsafe(`${quote(entry.path)} has an oversized ${entry.type} header`));
    else fail(unsafe(`${quote(entry.path)} has an unsupported entry type (${entry.type})`));
  });
  parser.on('entry', (entry: ReadEntry) => {
    if (failure === undefined) {
      try {
        onEntry(entry);
      } catch (e) {
        fail(e);
      }
    }
    entry.resume();
  });

  const onEntry = (entry: ReadEntry): void => {
    tree.countEntry();
    const raw = entry.path;
    switch (entry.type) {
      case 'Directory':
        tree.addDir(raw);
        return;
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        const sink = tree.openFile(raw, entry.mode, entry.size, entry.mtime);
        entry.on('data', (chunk: Buffer) => {
          if (failure !== undefined) return;
          try {
            sink.write(chunk);
          } catch (e) {
            fail(e);
          }
        });
        entry.on('end', () => {
          try {
            sink.close(failure === undefined);
          } catch (e) {
            fail(e);
          }
        });
        return;
      }
      case 'SymbolicLink':
        tree.addSymlink(raw, entry.linkpath ?? '');
        return;
      case 'Link':
        tree.addHardlink(raw, entry.linkpath ?? '');
        return;
      case 'CharacterDevice':
        throw unsafe(`${quote(raw)} is a character device`);
      case 'BlockDevice':
        throw unsafe(`${quote(raw)} is a block device`);
      case 'FIFO':
        throw unsafe(`${quote(raw)} is a FIFO`);
      default:
        throw unsafe(`${quote(raw)} has an unsupported entry type (${entry.type})`);
    }
  };

  const feed = (chunk: Buffer): void => {
    if (head !== undefined) {
      // never let node-tar sniff a second compression layer inside the first
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) return;
      if ((head[0] === 0x1f && head[1] === 0x8b) || head.readUInt32BE(0) === 0x28b52ffd) {
        throw corrupt('the archive holds another compressed stream, not a tar archive');
      }
      chunk = head;
      head = undefined;
    }
    parser.write(chunk);
  };

  // a function, so the check reads `failure` as the parser's callbacks left it (no narrowing)
  const throwIfFailed = (): void => {
    if (failure !== undefined) throw failure;
  };
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      streamBytes += chunk.length;
      if (streamBytes > budget) throw tooLarge(`the sdist's tar stream expands past ${budget} bytes`);
      throwIfFailed();
      if (sawEof) continue; // data after the end-of-archive blocks is ignored (but still bounded)
      feed(chunk);
      throwIfFailed();
    }
    if (head !== undefined && head.length > 0) {
      parser.write(head);
      head = undefined;
    }
    parser.end();
    throwIfFailed();
    if (!ended) throw corrupt('the tar stream did not end cleanly');
  };

  try {
    if (gzip) await pipeline(readChunks(fh), createGunzip(), consume);
    else await pipeline(readChunks(fh), consume);
  } catch (e) {
    throw classify(failure ?? e);
  } finally {
    tree.closeOpen();
  }
}
