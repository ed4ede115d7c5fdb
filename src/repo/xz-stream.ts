/**
 * The .xz container (https://tukaani.org/xz/xz-file-format.txt), just enough to keep compressed
 * blocks and put them together again: split what `xz --block-list` wrote into its blocks, and
 * write one stream from blocks compressed at different times. The compression itself is always
 * xz's; this file only moves whole blocks and writes the stream header, index and footer.
 *
 * Why not concatenated streams: apt's reader stops after the first stream of a Packages.xz
 * (checked with `apt-helper cat-file`), while several blocks in one stream are what `xz -T`
 * writes, and every reader takes them.
 */
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const FOOTER_MAGIC = Buffer.from('YZ', 'latin1');
/** Stream flags: no reserved bits, check type CRC32 (0x01), so a block's last 4 bytes are the CRC32 of its data. */
export const CHECK_CRC32 = 0x01;

export interface XzBlock {
  /** the block as stored: header, compressed data, padding, check */
  bytes: Buffer;
  /** the index's "unpadded size": header + compressed data + check */
  unpaddedSize: number;
  uncompressedSize: number;
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function vli(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

function readVli(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 9; i++) {
    const b = buf[at + i];
    if (b === undefined) throw new Error('xz index ends inside a number');
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [value, at + i + 1];
    mul *= 0x80;
  }
  throw new Error('xz index number too long');
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function streamFlags(check: number): Buffer {
  return Buffer.from([0x00, check]);
}

/** The blocks of a single-stream .xz file (as `xz --check=crc32 --block-list=…` writes it). */
export function splitXzStream(xz: Buffer): XzBlock[] {
  if (xz.length < 32 || !xz.subarray(0, 6).equals(MAGIC) || !xz.subarray(xz.length - 2).equals(FOOTER_MAGIC)) throw new Error('not a single .xz stream');
  const flags = xz.subarray(6, 8);
  if (xz.readUInt32LE(8) !== crc32(flags)) throw new Error('xz stream header CRC mismatch');
  if (flags[1] !== CHECK_CRC32) throw new Error('xz stream does not use the CRC32 check');
  const footer = xz.subarray(xz.length - 12);
  if (footer.readUInt32LE(0) !== crc32(footer.subarray(4, 10))) throw new Error('xz stream footer CRC mismatch');
  const indexSize = (footer.readUInt32LE(4) + 1) * 4;
  const indexStart = xz.length - 12 - indexSize;
  if (indexStart < 12) throw new Error('xz index out of range');
  const index = xz.subarray(indexStart, indexStart + indexSize);
  if (index[0] !== 0x00) throw new Error('xz index indicator missing');
  if (index.readUInt32LE(indexSize - 4) !== crc32(index.subarray(0, indexSize - 4))) throw new Error('xz index CRC mismatch');
  const [count, first] = readVli(index, 1);
  let at = first;
  const blocks: XzBlock[] = [];
  let offset = 12;
  for (let i = 0; i < count; i++) {
    let unpaddedSize: number;
    let uncompressedSize: number;
    [unpaddedSize, at] = readVli(index, at);
    [uncompressedSize, at] = readVli(index, at);
    const stored = unpaddedSize + pad4(unpaddedSize);
    if (offset + stored > indexStart) throw new Error('xz block runs into the index');
    blocks.push({ bytes: xz.subarray(offset, offset + stored), unpaddedSize, uncompressedSize });
    offset += stored;
  }
  if (offset !== indexStart) throw new Error('xz blocks and index do not meet');
  return blocks;
}

/** The CRC32 a block carries for its uncompressed data (the stream's check is CRC32). */
export function blockCheck(block: XzBlock): number {
  return block.bytes.readUInt32LE(block.bytes.length - 4);
}

/** One .xz stream of these blocks, in this order (check type CRC32). */
export function joinXzStream(blocks: readonly XzBlock[]): Buffer {
  const flags = streamFlags(CHECK_CRC32);
  const header = Buffer.concat([MAGIC, flags, u32le(crc32(flags))]);
  const records = [Buffer.from([0x00]), vli(blocks.length)];
  for (const b of blocks) records.push(vli(b.unpaddedSize), vli(b.uncompressedSize));
  const body = Buffer.concat(records);
  const indexNoCrc = Buffer.concat([body, Buffer.alloc(pad4(body.length))]);
  const index = Buffer.concat([indexNoCrc, u32le(crc32(indexNoCrc))]);
  const tail = Buffer.concat([u32le(index.length / 4 - 1), flags]);
  const footer = Buffer.concat([u32le(crc32(tail)), tail, FOOTER_MAGIC]);
  return Buffer.concat([header, ...blocks.map((b) => b.bytes), index, footer]);
}
