/**
 * debsigs-compatible package signatures: an ar member `_gpgorigin` holding an armored
 * detached signature over the contents of `debian-binary`, `control.tar.*` and `data.tar.*`
 * concatenated, appended to the existing .deb without rebuilding it. debsig-verify checks
 * it; apt ignores it (apt checks the repository's signature instead).
 *
 * The ar format is read and written here (headers only; member data is streamed): a global
 * "!<arch>\n" magic, then per member a 60-byte header (name 16, mtime 12, uid 6, gid 6,
 * mode 8, size 10, "`\n") and the data padded to an even length with "\n".
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Py2pkgError } from '../errors.js';
import { armorSignature } from './armor.js';
import type { FileRange } from './sign-data.js';
import type { Signer } from './signer-types.js';
import { viaTemp } from '../repo/fsutil.js';

export const AR_MAGIC = '!<arch>\n';
export const ORIGIN_MEMBER = '_gpgorigin';
const HEADER = 60;
/** A _gpgorigin member is a small armored signature; refuse absurd ones. */
export const MAX_SIGNATURE_MEMBER = 1024 * 1024;

export interface ArMember {
  name: string;
  /** offset of the 60-byte header */
  headerOffset: number;
  /** offset of the data */
  dataOffset: number;
  size: number;
}

export interface DebLayout {
  path: string;
  size: number;
  members: ArMember[];
  /** debian-binary, control.tar.*, data.tar.*: what a debsigs signature covers, in order */
  signed: ArMember[];
  origin: ArMember | undefined;
}

function invalid(path: string, why: string): Py2pkgError {
  return new Py2pkgError('PACKAGE_INVALID', `${basename(path)} is not a valid .deb: ${why}`);
}

/** Parse one ar member header (pure). */
export function parseArHeader(h: Buffer, offset: number): ArMember {
  if (h.length !== HEADER || h[58] !== 0x60 || h[59] !== 0x0a) throw new Error(`bad ar member header at offset ${offset}`);
  const field = (a: number, b: number) => h.subarray(a, b).toString('latin1').trimEnd();
  const name = field(0, 16).replace(/\/$/, '');
  const sizeText = field(48, 58);
  if (!/^\d+$/.test(sizeText)) throw new Error(`bad member size at offset ${offset}`);
  if (!/^[\x21-\x7e]+$/.test(name)) throw new Error(`bad member name at offset ${offset}`);
  return { name, headerOffset: offset, dataOffset: offset + HEADER, size: Number(sizeText) };
}

/** A member header (pure). */
export function arHeader(name: string, size: number, mtime: number): Buffer {
  const f = (s: string, w: number) => {
    if (s.length > w) throw new Error(`ar field ${s} too long`);
    return s.padEnd(w, ' ');
  };
  return Buffer.from(`${f(name, 16)}${f(String(mtime), 12)}${f('0', 6)}${f('0', 6)}${f('100644', 8)}${f(String(size), 10)}\`\n`, 'latin1');
}

export async function readDebLayout(path: string): Promise<DebLayout> {
  const fh = await open(path, 'r').catch(() => {
    throw new Py2pkgError('PACKAGE_INVALID', `cannot read ${basename(path)}`);
  });
  try {
    const size = (await fh.stat()).size;
    const magic = Buffer.alloc(8);
    await fh.read(magic, 0, 8, 0);
    if (magic.toString('latin1') !== AR_MAGIC) throw invalid(path, 'no ar archive magic');
    const members: ArMember[] = [];
    let off = 8;
    while (off < size) {
      const h = Buffer.alloc(HEADER);
      const { bytesRead } = await fh.read(h, 0, HEADER, off);
      if (bytesRead !== HEADER) throw invalid(path, `truncated member header at offset ${off}`);
      let m: ArMember;
      try {
        m = parseArHeader(h, off);
      } catch (e) {
        throw invalid(path, (e as Error).message);
      }
      if (m.dataOffset + m.size > size) throw invalid(path, `member ${m.name} runs past the end of the file`);
      members.push(m);
      off = m.dataOffset + m.size + (m.size % 2);
      if (members.length > 64) throw invalid(path, 'too many ar members');
    }
    if (off !== size) throw invalid(path, 'trailing bytes after the last member');
    const [first, control, data] = members;
    if (first?.name !== 'debian-binary') throw invalid(path, 'the first member is not debian-binary');
    if (!control || !/^control\.tar(\.(gz|xz|zst))?$/.test(control.name)) throw invalid(path, 'the second member is not control.tar.*');
    if (!data || !/^data\.tar(\.(gz|xz|zst|bz2|lzma))?$/.test(data.name)) throw invalid(path, 'the third member is not data.tar.*');
    const origins = members.filter((m) => m.name === ORIGIN_MEMBER);
    if (origins.length > 1) throw invalid(path, 'more than one _gpgorigin member');
    return { path, size, members, signed: [first, control, data], origin: origins[0] };
  } finally {
    await fh.close();
  }
}

/** The bytes a debsigs origin signature covers. */
export function signedRanges(layout: DebLayout): FileRange[] {
  return layout.signed.map((m) => ({ path: layout.path, start: m.dataOffset, length: m.size }));
}

export async function readOriginSignature(layout: DebLayout): Promise<Buffer | undefined> {
  const m = layout.origin;
  if (!m) return undefined;
  if (m.size > MAX_SIGNATURE_MEMBER) throw invalid(layout.path, '_gpgorigin is too large to be a signature');
  const fh = await open(layout.path, 'r');
  try {
    const b = Buffer.alloc(m.size);
    await fh.read(b, 0, m.size, m.dataOffset);
    return b;
  } finally {
    await fh.close();
  }
}

/**
 * Write `out` (default: replace `path`): the same .deb with a new `_gpgorigin` member, by
 * temp file + rename. An existing `_gpgorigin` is dropped; every other member is copied as
 * it is, so the package itself is not rebuilt.
 */
export async function signDeb(path: string, signer: Signer, out = path): Promise<void> {
  const layout = await readDebLayout(path);
  const armored = Buffer.from(await armorSignature(await signer.detachSign({ kind: 'ranges', ranges: signedRanges(layout) })), 'utf8');
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.${Date.now()}.signing`);
  await viaTemp(tmp, async () => {
    const ws = createWriteStream(tmp, { mode: 0o644 });
    const chunks = async function* (): AsyncGenerator<Buffer> {
      yield Buffer.from(AR_MAGIC, 'latin1');
      for (const m of layout.members) {
        if (m.name === ORIGIN_MEMBER) continue;
        const end = m.dataOffset + m.size + (m.size % 2);
        for await (const c of createReadStream(layout.path, { start: m.headerOffset, end: end - 1, highWaterMark: 1024 * 1024 })) yield c as Buffer;
      }
      yield arHeader(ORIGIN_MEMBER, armored.length, Math.floor(Date.now() / 1000));
      yield armored;
      if (armored.length % 2) yield Buffer.from('\n');
    };
    await pipeline(chunks(), ws);
    // the result must parse and cover the same bytes as before
    const check = await readDebLayout(tmp);
    if (!check.origin || check.signed.map((m) => m.size).join() !== layout.signed.map((m) => m.size).join()) throw new Error('signed .deb does not read back');
    await rename(tmp, out);
  });
}
