/**
 * Builds hostile (and friendly) archives byte by byte, for the unpack attack tests.
 * Real archivers refuse to write most of these entries, so the headers are written here.
 */
import { gzipSync } from 'node:zlib';
import { deflateRawSync } from 'node:zlib';

export type TarType = 'file' | 'dir' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';

const TYPEFLAG: Record<TarType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export interface TarEntry {
  path: string;
  /** default 'file'; `flag` writes any raw typeflag character instead */
  type?: TarType;
  flag?: string;
  data?: Buffer | string;
  /** the size written in the header, when it should lie about the data that follows */
  size?: number;
  mode?: number;
  linkpath?: string;
  /** seconds since the epoch */
  mtime?: number;
  /** extra pax records, written as an 'x' header before the entry */
  pax?: Record<string, string>;
}

function octal(buf: Buffer, off: number, len: number, value: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0') + '\0', off, len, 'ascii');
}

/** One raw 512-byte ustar header with a correct checksum. */
export function tarHeader(h: { name: string; flag: string; size: number; mode?: number; linkname?: string; mtime?: number; prefix?: string }): Buffer {
  const b = Buffer.alloc(512);
  // names are written as raw UTF-8 bytes, cut at the field size
  Buffer.from(h.name, 'utf8').copy(b, 0, 0, 100);
  octal(b, 100, 8, h.mode ?? 0o644);
  octal(b, 108, 8, 1000);
  octal(b, 116, 8, 1000);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime ?? 1700000000);
  b.write('        ', 148, 8, 'ascii');
  b.write(h.flag, 156, 1, 'latin1');
  if (h.linkname) Buffer.from(h.linkname, 'utf8').copy(b, 157, 0, 100);
  b.write('ustar\u000000', 257, 8, 'ascii');
  b.write('user', 265, 32, 'ascii');
  b.write('user', 297, 32, 'ascii');
  if (h.prefix) Buffer.from(h.prefix, 'utf8').copy(b, 345, 0, 155);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i]!;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return b;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** A pax extended header ('x', or 'g' for global) and its data blocks. */
export function paxHeader(records: Record<string, string>, flag: 'x' | 'g' = 'x'): Buffer {
  const data = Buffer.from(
    Object.entries(records)
      .map(([k, v]) => paxRecord(k, v))
      .join(''),
    'utf8',
  );
  return Buffer.concat([tarHeader({ name: 'PaxHeader/x', flag, size: data.length }), pad(data)]);
}

/** The blocks of one entry: optional pax header, ustar header, data padded to 512. */
export function tarEntry(e: TarEntry): Buffer {
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
  const type = e.type ?? 'file';
  const flag = e.flag ?? TYPEFLAG[type];
  const pax: Record<string, string> = { ...(e.pax ?? {}) };
  if (Buffer.byteLength(e.path) > 100) pax.path = e.path;
  if (e.linkpath && Buffer.byteLength(e.linkpath) > 100) pax.linkpath = e.linkpath;
  const parts: Buffer[] = [];
  if (Object.keys(pax).length > 0) parts.push(paxHeader(pax));
  parts.push(
    tarHeader({
      name: e.path,
      flag,
      size: e.size ?? data.length,
      mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644),
      linkname: e.linkpath,
      mtime: e.mtime,
    }),
  );
  if (data.length > 0) parts.push(pad(data));
  return Buffer.concat(parts);
}

/** A whole tar stream. `end: false` leaves out the two zero blocks that end an archive. */
export function buildTar(entries: TarEntry[], opts: { end?: boolean } = {}): Buffer {
  const parts = entries.map(tarEntry);
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function gzip(buf: Buffer): Buffer {
  return gzipSync(buf);
}

export function buildTgz(entries: TarEntry[], opts: { end?: boolean } = {}): Buffer {
  return gzip(buildTar(entries, opts));
}

// ---------------------------------------------------------------------------------------
// zip

export interface ZipEntry {
  name: string;
  data?: Buffer | string;
  /** 0 stored, 8 deflate (default) */
  method?: number;
  /** Unix mode including the file type bits, stored in the external attributes */
  mode?: number;
  /** the uncompressed size written in the headers, when it should lie */
  usize?: number;
  crc?: number;
  flags?: number;
  /** a different name in the local header than in the central directory */
  localName?: string;
  /** put this member's local header offset at another member's (overlap) */
  offsetOf?: number;
}

let table: Uint32Array | undefined;
export function crc32(buf: Buffer): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive; `eocd` fields can be overridden to fake ZIP64 or multi-disk archives. */
export function buildZip(entries: ZipEntry[], opts: { eocdTotal?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  const DOS_TIME = (12 << 11) | (30 << 5);
  const DOS_DATE = ((2024 - 1980) << 9) | (5 << 5) | 17;
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(e.name, 'utf8');
    const lname = Buffer.from(e.localName ?? e.name, 'utf8');
    const crc = e.crc ?? crc32(data);
    const usize = e.usize ?? data.length;
    const flags = (e.flags ?? 0) | 0x0800;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(DOS_TIME, 10);
    lh.writeUInt16LE(DOS_DATE, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(usize, 22);
    lh.writeUInt16LE(lname.length, 26);
    lh.writeUInt16LE(0, 28);
    const here = e.offsetOf !== undefined ? offsets[e.offsetOf]! : offset;
    offsets.push(here);
    if (e.offsetOf === undefined) {
      locals.push(lh, lname, body);
      offset += lh.length + lname.length + body.length;
    }
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(DOS_TIME, 12);
    ch.writeUInt16LE(DOS_DATE, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(usize, 24);
    ch.writeUInt16LE(name.length, 28);
    const mode = e.mode ?? (e.name.endsWith('/') ? 0o040755 : 0o100644);
    ch.writeUInt32LE(((mode & 0xffff) << 16) >>> 0, 38);
    ch.writeUInt32LE(here, 42);
    centrals.push(ch, name);
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.eocdTotal ?? entries.length, 8);
  eocd.writeUInt16LE(opts.eocdTotal ?? entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
