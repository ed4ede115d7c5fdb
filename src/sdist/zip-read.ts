/**
 * Zip for the unpack stage (stored and deflate; no ZIP64, no encryption, no symlinks): the
 * central directory and every local header are read and checked (names, types, sizes,
 * overlaps) before anything is written; members are then extracted through the Tree with
 * their CRC checked.
 */
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { classify, corrupt, quote, tooLarge, unsafe } from './archive-errors.js';
import type { Tree } from './extract-tree.js';
import { readChunks } from './tar-read.js';
import type { UnpackLimits } from './unpack-limits.js';

export interface ZipMember {
  name: string;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  localOffset: number;
  dataStart: number;
  isDir: boolean;
  mode: number;
  mtime: Date | undefined;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) throw corrupt('the zip file is truncated');
    got += bytesRead;
  }
  return buf;
}

/** Parse the central directory and every local header; check names, types, sizes, overlaps. */
export async function readZipDirectory(fh: FileHandle, size: number, lim: UnpackLimits): Promise<ZipMember[]> {
  if (size < 22) throw corrupt('the zip file is truncated');
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('not a zip file: no end-of-central-directory record');
  if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === SIG_EOCD64_LOCATOR) throw corrupt('ZIP64 archives are not supported');
  const disk = tail.readUInt16LE(eocd + 4);
  const cdDisk = tail.readUInt16LE(eocd + 6);
  const onDisk = tail.readUInt16LE(eocd + 8);
  const total = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw corrupt('ZIP64 archives are not supported');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) throw corrupt('multi-disk zip archives are not supported');
  if (total > lim.maxEntries) throw tooLarge(`the sdist has more than ${lim.maxEntries} entries (${total})`);
  const eocdPos = size - tailLen + eocd;
  if (cdOffset + cdSize !== eocdPos) throw corrupt('the zip central directory is not where the archive says (prefixed or damaged file)');
  const cd = await readAt(fh, cdOffset, cdSize);

  const members: ZipMember[] = [];
  let p = 0;
  let declared = 0;
  for (let n = 0; n < total; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt('damaged zip central directory');
    const madeBy = cd.readUInt16LE(p + 4);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const dosTime = cd.readUInt16LE(p + 12);
    const dosDate = cd.readUInt16LE(p + 14);
    const crc = cd.readUInt32LE(p + 16);
    const csize = cd.readUInt32LE(p + 20);
    const usize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const startDisk = cd.readUInt16LE(p + 34);
    const external = cd.readUInt32LE(p + 38);
    const localOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw corrupt('damaged zip central directory');
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    p = end;

    const name = decodeZipName(nameBytes, flags);
    if (flags & 0x0041) throw corrupt(`${quote(name)} is encrypted; encrypted zip archives are not supported`);
    if (csize === 0xffffffff || usize === 0xffffffff || localOffset === 0xffffffff || startDisk === 0xffff || hasExtra(extra, 0x0001)) {
      throw corrupt('ZIP64 archives are not supported');
    }
    if (method !== 0 && method !== 8) throw corrupt(`${quote(name)} uses zip compression method ${method}; only stored and deflate are supported`);
    if (method === 0 && csize !== usize) throw corrupt(`${quote(name)} is stored but its sizes differ`);

    // the file type, when the archiver recorded Unix mode bits
    const unixMode = external >>> 16;
    const fmt = unixMode & 0o170000;
    if (fmt === 0o120000) throw unsafe(`${quote(name)} is a symlink; symlinks in zip sdists are refused`);
    if (fmt !== 0 && fmt !== 0o100000 && fmt !== 0o040000) throw unsafe(`${quote(name)} is a device, FIFO or socket (mode ${fmt.toString(8)})`);
    const isDir = name.endsWith('/') || fmt === 0o040000 || (madeBy >> 8 === 0 && (external & 0x10) !== 0);
    if (isDir && usize !== 0) throw corrupt(`${quote(name)} is a directory with data`);
    if (!isDir) {
      if (lim.maxEntryBytes !== undefined && usize > lim.maxEntryBytes)
        throw tooLarge(`${quote(name)} is larger than ${lim.maxEntryBytes} bytes (declares ${usize})`);
      declared += usize;
      if (declared > lim.maxBytes) throw tooLarge(`the sdist expands past ${lim.maxBytes} bytes (declared sizes)`);
    }
    members.push({
      name,
      method,
      crc,
      csize,
      usize,
      localOffset,
      dataStart: 0,
      isDir,
      mode: unixMode & 0o111 ? 0o755 : 0o644,
      mtime: zipMtime(extra, dosDate, dosTime),
    });
    // local header: the same name and method, data inside the archive
    const local = await readAt(fh, localOffset, 30).catch(() => {
      throw corrupt(`${quote(name)}: local header outside the zip file`);
    });
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(`${quote(name)}: damaged zip local header`);
    const lNameLen = local.readUInt16LE(26);
    const lExtraLen = local.readUInt16LE(28);
    if (local.readUInt16LE(8) !== method || (local.readUInt16LE(6) & 0x0041) !== 0)
      throw corrupt(`${quote(name)}: local header disagrees with the central directory`);
    const lName = await readAt(fh, localOffset + 30, lNameLen);
    if (!lName.equals(nameBytes)) throw unsafe(`${quote(name)}: local header names a different file`);
    const m = members[members.length - 1]!;
    m.dataStart = localOffset + 30 + lNameLen + lExtraLen;
    if (m.dataStart + csize > cdOffset) throw corrupt(`${quote(name)}: data runs past the end of the archive`);
  }
  if (p !== cd.length) throw corrupt('damaged zip central directory (trailing bytes)');

  // members must not share bytes (overlapping members are the classic zip bomb)
  const sorted = [...members].sort((a, b) => a.localOffset - b.localOffset);
  let prevEnd = 0;
  for (const m of sorted) {
    if (m.localOffset < prevEnd) throw unsafe(`${quote(m.name)} overlaps another zip member`);
    prevEnd = m.dataStart + m.csize;
  }
  return members;
}

function hasExtra(extra: Buffer, id: number): boolean {
  for (let i = 0; i + 4 <= extra.length;) {
    const hid = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (hid === id) return true;
    i += 4 + len;
  }
  return false;
}

function decodeZipName(bytes: Buffer, flags: number): string {
  if (flags & 0x0800) return new TextDecoder('utf-8').decode(bytes);
  // no UTF-8 flag: CP437 in theory; plain ASCII in practice. Non-ASCII bytes map to latin1.
  return bytes.toString('latin1');
}

/** The Unix mtime from an extended-timestamp extra field, else the DOS time (taken as UTC). */
function zipMtime(extra: Buffer, dosDate: number, dosTime: number): Date | undefined {
  for (let i = 0; i + 4 <= extra.length;) {
    const hid = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (hid === 0x5455 && len >= 5 && i + 9 <= extra.length && (extra[i + 4]! & 1) !== 0) {
      return new Date(extra.readInt32LE(i + 5) * 1000);
    }
    i += 4 + len;
  }
  if (dosDate === 0) return undefined;
  const t = Date.UTC(1980 + (dosDate >> 9), ((dosDate >> 5) & 0xf) - 1, dosDate & 0x1f, dosTime >> 11, (dosTime >> 5) & 0x3f, (dosTime & 0x1f) * 2);
  return Number.isFinite(t) ? new Date(t) : undefined;
}

export function planZipMember(tree: Tree, m: ZipMember): void {
  tree.countEntry();
  if (m.isDir) tree.addDir(m.name);
  else tree.declareFile(m.name, m.usize);
}

export async function extractZipMember(fh: FileHandle, tree: Tree, m: ZipMember): Promise<void> {
  tree.countEntry();
  if (m.isDir) {
    tree.addDir(m.name);
    return;
  }
  const sink = tree.openFile(m.name, m.mode, m.usize, m.mtime);
  let crc = 0xffffffff;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      sink.write(chunk); // throws as soon as the data passes the declared size or a limit
      crc = crc32Update(crc, chunk);
    }
  };
  const src = readChunks(fh, m.dataStart, m.dataStart + m.csize);
  try {
    if (m.method === 0) await pipeline(src, consume);
    else await pipeline(src, createInflateRaw(), consume);
  } catch (e) {
    sink.close(false);
    throw classify(e);
  }
  if ((crc ^ 0xffffffff) >>> 0 !== m.crc) {
    sink.close(false);
    throw corrupt(`${quote(m.name)} fails its CRC check`);
  }
  sink.close(true);
}

let crcTable: Uint32Array | undefined;
function crc32Update(crc: number, buf: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = crc;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}
