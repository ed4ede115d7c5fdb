/**
 * Read an .rpm's lead, signature header and main header (headers only; the payload is
 * streamed): the package's name/version for repositories, and what `rpmkeys --checksig`
 * checks for verify — the header signature (RPMSIGTAG_RSA/DSA over the main header), the
 * header SHA256 digest and the payload digest the header records.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Py2pkgError } from '../errors.js';

const LEAD = 96;
const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
/** Headers larger than this are not real packages (rpm's own limit is 256 MiB for the main header; ours is smaller). */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export const SIGTAG = { DSA: 267, RSA: 268, SHA1: 269, SHA256: 273, PGP: 1002, MD5: 1004, GPG: 1005 } as const;
export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  SOURCERPM: 1044,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
} as const;

export interface HeaderEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

export interface RpmHeader {
  entries: Map<number, HeaderEntry>;
  data: Buffer;
  /** the whole header as stored (magic .. end of data): what the header signature covers */
  blob: Buffer;
}

export interface RpmLayout {
  path: string;
  size: number;
  signature: RpmHeader;
  header: RpmHeader;
  /** where the payload starts */
  payloadOffset: number;
}

function invalid(path: string, why: string): Py2pkgError {
  return new Py2pkgError('PACKAGE_INVALID', `${basename(path)} is not a valid .rpm: ${why}`);
}

/** Parse a header structure from `blob` (which starts at the magic). Pure. */
export function parseHeaderBlob(blob: Buffer): RpmHeader {
  if (!blob.subarray(0, 8).equals(HEADER_MAGIC)) throw new Error('bad header magic');
  const n = blob.readUInt32BE(8);
  const size = blob.readUInt32BE(12);
  const end = 16 + n * 16 + size;
  if (n > 65536 || end > blob.length) throw new Error('header index out of bounds');
  const entries = new Map<number, HeaderEntry>();
  const data = blob.subarray(16 + n * 16, end);
  for (let i = 0; i < n; i++) {
    const o = 16 + i * 16;
    const e = { tag: blob.readUInt32BE(o), type: blob.readUInt32BE(o + 4), offset: blob.readInt32BE(o + 8), count: blob.readUInt32BE(o + 12) };
    if (e.offset < 0 || e.offset > data.length) throw new Error(`tag ${e.tag} points outside the header`);
    entries.set(e.tag, e);
  }
  return { entries, data, blob: blob.subarray(0, end) };
}

/** The value of a tag: strings, string arrays, binary, or int32 arrays. */
export function tagValue(h: RpmHeader, tag: number): string | string[] | Buffer | number[] | undefined {
  const e = h.entries.get(tag);
  if (!e) return undefined;
  const d = h.data.subarray(e.offset);
  switch (e.type) {
    case 6: // STRING
    case 8: // STRING_ARRAY
    case 9: {
      const out: string[] = [];
      let p = 0;
      for (let i = 0; i < (e.type === 6 ? 1 : e.count); i++) {
        const z = d.indexOf(0, p);
        if (z < 0) throw new Error(`unterminated string in tag ${tag}`);
        out.push(d.subarray(p, z).toString('utf8'));
        p = z + 1;
      }
      return e.type === 6 ? out[0] : out;
    }
    case 7: // BIN
      if (e.count > d.length) throw new Error(`tag ${tag} runs past the header`);
      return Buffer.from(d.subarray(0, e.count));
    case 4: {
      // INT32
      const out: number[] = [];
      for (let i = 0; i < e.count; i++) out.push(d.readUInt32BE(i * 4));
      return out;
    }
    default:
      return undefined;
  }
}

export function tagString(h: RpmHeader, tag: number): string | undefined {
  const v = tagValue(h, tag);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

async function readAt(fh: Awaited<ReturnType<typeof open>>, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  if (bytesRead !== len) throw new Error('file ends inside a header');
  return b;
}

async function readHeaderAt(fh: Awaited<ReturnType<typeof open>>, pos: number): Promise<RpmHeader> {
  const head = await readAt(fh, pos, 16);
  const n = head.readUInt32BE(8);
  const size = head.readUInt32BE(12);
  const total = 16 + n * 16 + size;
  if (n > 65536 || total > MAX_HEADER_BYTES) throw new Error('header too large');
  return parseHeaderBlob(await readAt(fh, pos, total));
}

export async function readRpmLayout(path: string): Promise<RpmLayout> {
  const fh = await open(path, 'r').catch(() => {
    throw new Py2pkgError('PACKAGE_INVALID', `cannot read ${basename(path)}`);
  });
  try {
    const size = (await fh.stat()).size;
    try {
      const lead = await readAt(fh, 0, LEAD);
      if (lead.readUInt32BE(0) !== 0xedabeedb) throw new Error('no rpm lead magic');
      const signature = await readHeaderAt(fh, LEAD);
      const sigEnd = LEAD + signature.blob.length;
      const headerAt = sigEnd + ((8 - (sigEnd % 8)) % 8);
      const header = await readHeaderAt(fh, headerAt);
      const payloadOffset = headerAt + header.blob.length;
      if (payloadOffset > size) throw new Error('headers run past the end of the file');
      return { path, size, signature, header, payloadOffset };
    } catch (e) {
      if (e instanceof Py2pkgError) throw e;
      throw invalid(path, (e as Error).message);
    }
  } finally {
    await fh.close();
  }
}

export interface RpmIdentity {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  isSource: boolean;
}

export function rpmIdentity(l: RpmLayout): RpmIdentity {
  const name = tagString(l.header, TAG.NAME);
  const version = tagString(l.header, TAG.VERSION);
  const release = tagString(l.header, TAG.RELEASE);
  const arch = tagString(l.header, TAG.ARCH);
  if (!name || !version || !release || !arch) throw invalid(l.path, 'NAME, VERSION, RELEASE or ARCH missing');
  const epochV = tagValue(l.header, TAG.EPOCH);
  const epoch = Array.isArray(epochV) && typeof epochV[0] === 'number' ? epochV[0] : 0;
  return { name, epoch, version, release, arch, isSource: !l.header.entries.has(TAG.SOURCERPM) };
}

/** The OpenPGP header signature packet (RSA tag for RSA and EdDSA, DSA tag for DSA), if any. */
export function headerSignature(l: RpmLayout): Buffer | undefined {
  for (const tag of [SIGTAG.RSA, SIGTAG.DSA]) {
    const v = tagValue(l.signature, tag);
    if (Buffer.isBuffer(v)) return v;
  }
  return undefined;
}
