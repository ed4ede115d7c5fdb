/**
 * Reading OpenPGP inputs for the verify stage: bounded reads of the signature, keyring and
 * sdist files, and parsing them with openpgp.js (armored or binary, concatenated armor blocks).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Key, PublicKey, Signature, SignaturePacket } from 'openpgp';
import { Py2pkgError } from '../errors.js';
import type { LocalSdist } from '../types.js';
import { readBounded } from './bounded-read.js';

export type { OpenPGP } from '../sign/openpgp-lib.js';
import type { OpenPGP } from '../sign/openpgp-lib.js';

/** A detached signature file is tiny; anything larger is not one (and is not read). */
export const MAX_SIGNATURE_FILE_BYTES = 1024 * 1024;
/** A trusted keyring is the user's own file, but still bounded. */
export const MAX_KEYRING_FILE_BYTES = 64 * 1024 * 1024;
/** More signatures than this in one file is not a real release signature. */
export const MAX_SIGNATURES = 32;

export function checkedNow(now: Date | undefined): Date {
  const d = now ?? new Date();
  if (Number.isNaN(d.getTime())) throw new TypeError('verify: now is not a valid date');
  return d;
}

export async function readSignatureFile(path: string, sdistName: string): Promise<Uint8Array> {
  if (!path) throw new Py2pkgError('SIG_MISSING', `no signature file was given for ${sdistName}`);
  const r = await readBounded(path, MAX_SIGNATURE_FILE_BYTES);
  if (r.ok) {
    if (r.bytes.length === 0) throw new Py2pkgError('SIG_MALFORMED', `signature file ${path} is empty`);
    return r.bytes;
  }
  switch (r.why) {
    case 'missing':
      throw new Py2pkgError('SIG_MISSING', `no signature for ${sdistName}: ${path} does not exist`);
    case 'not-a-file':
      throw new Py2pkgError('SIG_MALFORMED', `signature file ${path} is not a regular file`);
    case 'too-large':
      throw new Py2pkgError('SIG_MALFORMED', `signature file ${path} is larger than ${MAX_SIGNATURE_FILE_BYTES} bytes, so it is not a detached signature`);
    default:
      throw new Py2pkgError('SIG_MALFORMED', `cannot read signature file ${path}: ${errText(r.error)}`, { cause: r.error });
  }
}

export async function readKeyringFile(path: string): Promise<Uint8Array> {
  const r = await readBounded(path, MAX_KEYRING_FILE_BYTES);
  if (r.ok) {
    if (new TextDecoder('latin1').decode(r.bytes.subarray(0, 4096)).trim() === '' && r.bytes.length <= 4096) {
      throw new Py2pkgError('SIG_NO_KEYS', `trusted-keys file ${path} is empty`);
    }
    return r.bytes;
  }
  switch (r.why) {
    case 'missing':
      throw new Py2pkgError('SIG_NO_KEYS', `trusted-keys file ${path} does not exist`);
    case 'not-a-file':
      throw new Py2pkgError('SIG_BAD_KEYRING', `trusted-keys file ${path} is not a regular file`);
    case 'too-large':
      throw new Py2pkgError('SIG_BAD_KEYRING', `trusted-keys file ${path} is larger than ${MAX_KEYRING_FILE_BYTES} bytes`);
    default:
      throw new Py2pkgError('SIG_BAD_KEYRING', `cannot read trusted-keys file ${path}: ${errText(r.error)}`, { cause: r.error });
  }
}

export async function readSdist(sdist: LocalSdist): Promise<Uint8Array> {
  let buf: Buffer;
  try {
    buf = await readFile(sdist.path);
  } catch (e) {
    throw new Py2pkgError('INPUT_NOT_FOUND', `cannot read sdist ${sdist.path}: ${errText(e)}`, { cause: e });
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  // The bytes we verify must be the bytes the earlier stages hashed (no swap in between).
  if (sdist.sha256 && sha256Hex(bytes) !== sdist.sha256.toLowerCase()) {
    throw new Py2pkgError('SIG_INVALID', `${sdist.filename} changed on disk after it was hashed (sha256 is no longer ${sdist.sha256.toLowerCase()})`);
  }
  return bytes;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** True when the bytes look like ASCII armor (`-----BEGIN PGP ...`), allowing a BOM and leading blank space. */
function isArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1')
    .decode(bytes.subarray(0, 256))
    .replace(/^\u00ef\u00bb\u00bf/, '')
    .trimStart();
  return head.startsWith('-----BEGIN PGP');
}

interface ArmorBlock {
  type: string;
  text: string;
}

/** Split armored text into its blocks (`cat a.asc b.asc` is a common way to build a keyring). */
function armorBlocks(text: string): ArmorBlock[] | null {
  const re = /-----BEGIN PGP ([A-Z0-9 ,/]+)-----[\s\S]*?-----END PGP \1-----/g;
  const blocks: ArmorBlock[] = [];
  for (const m of text.matchAll(re)) blocks.push({ type: m[1] ?? '', text: m[0] });
  return blocks.length > 0 ? blocks : null;
}

// ---------------------------------------------------------------------------------------
// parsing

export async function parseKeyring(openpgp: OpenPGP, bytes: Uint8Array, name: string): Promise<PublicKey[]> {
  const bad = (why: string, cause?: unknown): Py2pkgError =>
    new Py2pkgError(
      'SIG_BAD_KEYRING',
      `trusted-keys file ${name} is not an OpenPGP keyring: ${why}`,
      cause === undefined ? {} : { cause, detail: errText(cause) },
    );
  let keys: Key[] = [];
  if (isArmored(bytes)) {
    const blocks = armorBlocks(new TextDecoder('utf-8').decode(bytes));
    if (!blocks) throw bad('the armor has no matching END line');
    for (const block of blocks) {
      if (block.type !== 'PUBLIC KEY BLOCK' && block.type !== 'PRIVATE KEY BLOCK') {
        throw bad(`it holds a PGP ${block.type.toLowerCase()}, not keys`);
      }
      try {
        keys.push(...(await openpgp.readKeys({ armoredKeys: block.text })));
      } catch (e) {
        throw bad(errText(e), e);
      }
    }
  } else {
    try {
      keys = await openpgp.readKeys({ binaryKeys: bytes });
    } catch (e) {
      throw bad(`${errText(e)} (a GnuPG .kbx keybox is not a keyring: export it with gpg --export)`, e);
    }
  }
  if (keys.length === 0) throw bad('it holds no keys');
  // Secret key material has no business in a trust store; keep only the public parts.
  return keys.map((k) => (k.isPrivate() ? k.toPublic() : k));
}

export async function parseSignatures(openpgp: OpenPGP, bytes: Uint8Array, name: string): Promise<SignaturePacket[]> {
  const malformed = (why: string, cause?: unknown): Py2pkgError =>
    new Py2pkgError('SIG_MALFORMED', `${name} is not an OpenPGP detached signature: ${why}`, cause === undefined ? {} : { cause, detail: errText(cause) });
  const sigs: Signature[] = [];
  if (isArmored(bytes)) {
    const blocks = armorBlocks(new TextDecoder('utf-8').decode(bytes));
    if (!blocks) throw malformed('the armor has no matching END line');
    for (const block of blocks) {
      if (block.type !== 'SIGNATURE') throw malformed(`it holds a PGP ${block.type.toLowerCase()}`);
      try {
        sigs.push(await openpgp.readSignature({ armoredSignature: block.text }));
      } catch (e) {
        throw malformed(errText(e), e);
      }
    }
  } else {
    try {
      sigs.push(await openpgp.readSignature({ binarySignature: bytes }));
    } catch (e) {
      throw malformed(errText(e), e);
    }
  }
  const packets: SignaturePacket[] = [];
  for (const sig of sigs) {
    for (const p of sig.packets) {
      // openpgp.js keeps packets it cannot parse as opaque objects; only real signature packets count
      if (p instanceof openpgp.SignaturePacket) packets.push(p);
    }
  }
  const documentSigs = packets.filter((p) => p.signatureType === openpgp.enums.signature.binary || p.signatureType === openpgp.enums.signature.text);
  if (documentSigs.length === 0)
    throw malformed(packets.length === 0 ? 'it holds no readable signature' : 'it holds no signature over a file (only key signatures)');
  if (documentSigs.length > MAX_SIGNATURES) throw malformed(`it holds ${documentSigs.length} signatures (more than ${MAX_SIGNATURES})`);
  return documentSigs;
}
