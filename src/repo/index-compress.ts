/**
 * Packages.gz and Packages.xz, compressed in chunks so that a publish recompresses only what
 * changed. The Packages text is cut into chunks at stanza ends chosen by content (the stanza's
 * first line, at least MIN_CHUNK bytes apart, at most MAX_CHUNK), so adding or removing a package
 * changes one chunk and leaves the others' bytes alone. Each chunk is one gzip member (apt and
 * every gzip reader take concatenated members) and one block of a single .xz stream (xz-stream.ts).
 * The generation's state keeps, per index file, where each chunk's member and block lie; the next
 * publish takes unchanged chunks from the previous generation's files, checked (the CRC32 each
 * member and block carries, then decoded: gzip here, xz in one `xz -dc`), and compresses only
 * the new chunks: gzip on libuv's pool, xz in one `xz --block-list` process for all of them.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, gunzipSync, gzip } from 'node:zlib';
import { run } from '../exec.js';
import { blockCheck, joinXzStream, splitXzStream, type XzBlock } from './xz-stream.js';

export const XZ = '/usr/bin/xz';
const gzipAsync = promisify(gzip);
export const MIN_CHUNK = 32 * 1024;
export const MAX_CHUNK = 256 * 1024;
/** one stanza end in 16 (by its first line) ends a chunk, once the chunk has MIN_CHUNK bytes */
const CUT_EVERY = 16;

/** Where one chunk lies in a generation's .gz and .xz index files (kept in state.json). */
export interface ChunkRef {
  sha256: string;
  size: number;
  crc32: number;
  /** offset and length of its gzip member */
  gz: [number, number];
  /** offset, stored length and unpadded size of its xz block */
  xz: [number, number, number];
}

export interface CompressedIndex {
  gz: Buffer;
  xz: Buffer;
  chunks: ChunkRef[];
  /** how many chunks were compressed now (the rest were reused) */
  compressed: number;
}

interface Compressed {
  gz: Buffer;
  xz: XzBlock;
}
/** Compressed chunks from earlier generations, by the sha256 of their text. */
export type ChunkCache = Map<string, Compressed>;

function fnv1a(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193) >>> 0;
  return h;
}

/** Cut a Packages text (stanzas separated by one empty line) into chunks; they join to the text. */
export function chunkText(text: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  let stanza = 0;
  for (;;) {
    const gap = text.indexOf('\n\n', stanza);
    if (gap < 0) break;
    const end = gap + 2;
    const size = end - start;
    const lineEnd = text.indexOf('\n', stanza);
    if (size >= MAX_CHUNK || (size >= MIN_CHUNK && fnv1a(text, stanza, lineEnd) % CUT_EVERY === 0)) {
      chunks.push(text.subarray(start, end));
      start = end;
    }
    stanza = end;
  }
  if (start < text.length) chunks.push(text.subarray(start));
  return chunks;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function xzBlocks(chunks: Buffer[]): Promise<XzBlock[]> {
  if (chunks.length === 0) return [];
  let dict = 64 * 1024;
  const largest = Math.max(...chunks.map((c) => c.length));
  while (dict < largest) dict *= 2;
  const r = await run(XZ, ['-c', '-T1', '--check=crc32', `--lzma2=preset=6,dict=${dict}`, `--block-list=${chunks.map((c) => c.length).join(',')}`], {
    input: Buffer.concat(chunks),
    binaryStdout: true,
    timeoutMs: 10 * 60_000,
    maxBuffer: 1024 * 1024 * 1024,
  });
  const blocks = splitXzStream(r.stdoutBuffer ?? Buffer.alloc(0));
  if (blocks.length !== chunks.length || blocks.some((b, i) => b.uncompressedSize !== chunks[i]!.length)) {
    throw new Error(`xz wrote ${blocks.length} blocks for ${chunks.length} chunks`);
  }
  return blocks;
}

/** Do the reused blocks decode to their chunks' text? One `xz -dc` over a stream of just them. */
async function blocksDecode(reused: ReadonlyArray<{ bytes: Buffer; block: XzBlock }>): Promise<boolean> {
  if (reused.length === 0) return true;
  const r = await run(XZ, ['-dc'], {
    input: joinXzStream(reused.map((c) => c.block)),
    binaryStdout: true,
    check: false,
    timeoutMs: 10 * 60_000,
    maxBuffer: 1024 * 1024 * 1024,
  });
  return r.exitCode === 0 && (r.stdoutBuffer ?? Buffer.alloc(0)).equals(Buffer.concat(reused.map((c) => c.bytes)));
}

/**
 * Compress a Packages text, reusing the chunks `cache` has. The reused gzip members were decoded
 * when they were cached (cacheChunks); the reused xz blocks are decoded by xz beside the new
 * compression, and when one does not give its chunk back, everything is compressed afresh.
 */
export async function compressIndex(text: Buffer, cache: ChunkCache): Promise<CompressedIndex> {
  const chunks = chunkText(text).map((bytes) => ({ bytes, sha256: sha256(bytes), crc32: crc32(bytes) }));
  const first = (c: { sha256: string }, i: number) => chunks.findIndex((d) => d.sha256 === c.sha256) === i;
  const fresh = chunks.filter((c, i) => !cache.has(c.sha256) && first(c, i));
  const reused = chunks.filter((c, i) => cache.has(c.sha256) && first(c, i)).map((c) => ({ bytes: c.bytes, block: cache.get(c.sha256)!.xz }));
  const [gzs, blocks, decoded] = await Promise.all([
    Promise.all(fresh.map((c) => gzipAsync(c.bytes, { level: 9 }))),
    xzBlocks(fresh.map((c) => c.bytes)),
    blocksDecode(reused),
  ]);
  if (!decoded) return compressIndex(text, new Map());
  const made = new Map<string, Compressed>(fresh.map((c, i) => [c.sha256, { gz: gzs[i]!, xz: blocks[i]! }]));
  const parts = chunks.map((c) => made.get(c.sha256) ?? cache.get(c.sha256)!);
  const refs: ChunkRef[] = [];
  let gzAt = 0;
  let xzAt = 12; // after the stream header
  for (const [i, c] of chunks.entries()) {
    const p = parts[i]!;
    refs.push({ sha256: c.sha256, size: c.bytes.length, crc32: c.crc32, gz: [gzAt, p.gz.length], xz: [xzAt, p.xz.bytes.length, p.xz.unpaddedSize] });
    gzAt += p.gz.length;
    xzAt += p.xz.bytes.length;
  }
  const gz = chunks.length > 0 ? Buffer.concat(parts.map((p) => p.gz)) : await gzipAsync(Buffer.alloc(0), { level: 9 });
  return { gz, xz: joinXzStream(parts.map((p) => p.xz)), chunks: refs, compressed: fresh.length };
}

/** Does the gzip member inflate to the recorded chunk (its size and sha256)? */
function decodesTo(member: Buffer, r: ChunkRef): boolean {
  try {
    const text = gunzipSync(member, { maxOutputLength: Math.max(1, r.size) });
    return text.length === r.size && sha256(text) === r.sha256;
  } catch {
    return false;
  }
}

/**
 * Take the chunks of one earlier index file (its .gz and .xz beside `path`) into the cache. A
 * member or block whose own CRC32 and size do not match the record, or a member that does not
 * inflate to the recorded chunk, is left out (compressed again).
 */
export async function cacheChunks(cache: ChunkCache, path: string, refs: readonly ChunkRef[]): Promise<void> {
  if (refs.length === 0 || refs.every((r) => cache.has(r.sha256))) return;
  let gz: Buffer;
  let xz: Buffer;
  try {
    [gz, xz] = await Promise.all([readFile(`${path}.gz`), readFile(`${path}.xz`)]);
  } catch {
    return;
  }
  for (const r of refs) {
    if (cache.has(r.sha256)) continue;
    const member = gz.subarray(r.gz[0], r.gz[0] + r.gz[1]);
    const block: XzBlock = { bytes: xz.subarray(r.xz[0], r.xz[0] + r.xz[1]), unpaddedSize: r.xz[2], uncompressedSize: r.size };
    const gzOk =
      member.length === r.gz[1] &&
      member.length >= 18 &&
      member[0] === 0x1f &&
      member[1] === 0x8b &&
      member.readUInt32LE(member.length - 8) === r.crc32 &&
      member.readUInt32LE(member.length - 4) === r.size % 2 ** 32 &&
      decodesTo(member, r);
    const xzOk = block.bytes.length === r.xz[1] && block.bytes.length >= 12 && r.xz[2] <= r.xz[1] && r.xz[1] - r.xz[2] < 4 && blockCheck(block) === r.crc32;
    if (gzOk && xzOk) cache.set(r.sha256, { gz: Buffer.from(member), xz: { ...block, bytes: Buffer.from(block.bytes) } });
  }
}
