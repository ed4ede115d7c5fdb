/**
 * The verify stage: check an sdist against an upstream OpenPGP detached signature and a
 * pinned keyring, and say who vouched for it (a `Provenance`).
 *
 * Fail closed: the sdist passes only when at least one signature in the file is
 * cryptographically valid over the exact sdist bytes, was made by a key in the trusted
 * keyring, and that key (and the signing subkey) is neither revoked nor expired now.
 * Every signature in the file is checked; all valid signers are reported.
 *
 * openpgp.js is imported lazily so that CLI start-up stays fast.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Key, PublicKey, Signature, SignaturePacket, Subkey } from 'openpgp';
import { Py2pkgError, type ErrorCode } from '../errors.js';
import type { LocalSdist, Provenance, SignerIdentity } from '../types.js';

type OpenPGP = typeof import('openpgp');

/** A detached signature file is tiny; anything larger is not one (and is not read). */
export const MAX_SIGNATURE_FILE_BYTES = 1024 * 1024;
/** A trusted keyring is the user's own file, but still bounded. */
export const MAX_KEYRING_FILE_BYTES = 64 * 1024 * 1024;
/** More signatures than this in one file is not a real release signature. */
export const MAX_SIGNATURES = 32;

const WEAK_HASH_HINT =
  'the signature uses a hash algorithm that is no longer safe (MD5, SHA-1, RIPEMD-160); ask upstream to sign with SHA-256 or better';

export interface VerifyOptions {
  sdist: LocalSdist;
  signaturePath: string;
  trustedKeysPath: string;
  /** the time keys and signatures are checked at (default: the current time) */
  now?: Date;
  /** SOURCE_DATE_EPOCH, seconds: `verifiedAt` is clamped to it when it is earlier than `now` */
  sourceDateEpoch?: number;
}

export async function verifyDetachedSignature(opts: VerifyOptions): Promise<Provenance> {
  const { sdist } = opts;
  const now = checkedNow(opts.now);
  const verifiedAt = clampToSourceDateEpoch(now, opts.sourceDateEpoch);

  // Inputs first (cheap, and without loading openpgp.js).
  const sigName = basename(opts.signaturePath || '');
  const sigBytes = await readSignatureFile(opts.signaturePath, sdist.filename);
  if (!opts.trustedKeysPath) {
    throw new Py2pkgError('SIG_NO_KEYS', `no trusted keys were given to check the signature of ${sdist.filename} against`);
  }
  const keysName = basename(opts.trustedKeysPath);
  const keyBytes = await readKeyringFile(opts.trustedKeysPath);
  const sdistBytes = await readSdist(sdist);

  const openpgp = await import('openpgp');
  const keys = await parseKeyring(openpgp, keyBytes, keysName);
  const packets = await parseSignatures(openpgp, sigBytes, sigName);

  const outcomes: Outcome[] = [];
  for (const packet of packets) {
    outcomes.push(await checkSignature(openpgp, { packet, keys, sdistBytes, sdist, keysName, now }));
  }

  const signers: SignerIdentity[] = [];
  for (const o of outcomes) {
    if (!o.ok) continue;
    const dup = signers.some((s) => s.fingerprint === o.signer.fingerprint && s.keyId === o.signer.keyId && s.signedAt === o.signer.signedAt);
    if (!dup) signers.push(o.signer);
  }
  if (signers.length === 0) throw worstFailure(outcomes);

  const fingerprints: string[] = [];
  for (const k of keys) {
    const fpr = k.getFingerprint().toUpperCase();
    if (!fingerprints.includes(fpr)) fingerprints.push(fpr);
  }
  return {
    sdist: { filename: sdist.filename, sha256: sha256Hex(sdistBytes), size: sdistBytes.length },
    unsigned: false,
    verification: {
      method: 'openpgp-detached-signature',
      tool: `openpgp.js ${openpgpVersion()}`,
      signatureFile: sigName,
      signatureSha256: sha256Hex(sigBytes),
      trustedKeysFile: keysName,
      trustedKeyFingerprints: fingerprints,
      signers,
    },
    verifiedAt: verifiedAt.toISOString(),
  };
}

/** The provenance of an sdist the user chose, by name, not to verify (`--allow-unsigned`). */
export function unsignedProvenance(sdist: LocalSdist, reason: string, now?: Date, sourceDateEpoch?: number): Provenance {
  const at = clampToSourceDateEpoch(checkedNow(now), sourceDateEpoch);
  return {
    sdist: { filename: sdist.filename, sha256: sdist.sha256, size: sdist.size },
    unsigned: true,
    verification: { method: 'none', reason },
    verifiedAt: at.toISOString(),
  };
}

/**
 * `now`, or SOURCE_DATE_EPOCH when that is given and earlier (the reproducible-builds
 * convention: no time recorded in an artifact is later than SOURCE_DATE_EPOCH).
 */
export function clampToSourceDateEpoch(now: Date, sourceDateEpoch?: number): Date {
  if (sourceDateEpoch === undefined) return now;
  if (!Number.isSafeInteger(sourceDateEpoch) || sourceDateEpoch < 0) {
    throw new Py2pkgError('CONFIG', `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, got ${String(sourceDateEpoch)}`);
  }
  const sde = new Date(sourceDateEpoch * 1000);
  return sde.getTime() < now.getTime() ? sde : now;
}

let cachedVersion: string | undefined;

/** The installed openpgp.js version, read from its package.json (the package does not export that file). */
export function openpgpVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('openpgp'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'openpgp' && typeof pkg.version === 'string') {
        cachedVersion = pkg.version;
        return cachedVersion;
      }
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package.json of the installed openpgp module');
    dir = parent;
  }
}

// ---------------------------------------------------------------------------------------
// reading inputs

function checkedNow(now: Date | undefined): Date {
  const d = now ?? new Date();
  if (Number.isNaN(d.getTime())) throw new TypeError('verify: now is not a valid date');
  return d;
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Read a regular file of at most `max` bytes; `kind` errors are mapped by the caller. */
async function readBounded(path: string, max: number): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; why: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; error?: unknown }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = errnoCode(e);
    return { ok: false, why: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', error: e };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, why: 'not-a-file' };
    if (st.size > max) return { ok: false, why: 'too-large' };
    const bytes = await fh.readFile();
    if (bytes.length > max) return { ok: false, why: 'too-large' };
    return { ok: true, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  } catch (e) {
    return { ok: false, why: 'unreadable', error: e };
  } finally {
    await fh.close();
  }
}

async function readSignatureFile(path: string, sdistName: string): Promise<Uint8Array> {
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

async function readKeyringFile(path: string): Promise<Uint8Array> {
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

async function readSdist(sdist: LocalSdist): Promise<Uint8Array> {
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

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** True when the bytes look like ASCII armor (`-----BEGIN PGP ...`), allowing a BOM and leading blank space. */
function isArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 256)).replace(/^\u00ef\u00bb\u00bf/, '').trimStart();
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

async function parseKeyring(openpgp: OpenPGP, bytes: Uint8Array, name: string): Promise<PublicKey[]> {
  const bad = (why: string, cause?: unknown): Py2pkgError =>
    new Py2pkgError('SIG_BAD_KEYRING', `trusted-keys file ${name} is not an OpenPGP keyring: ${why}`, cause === undefined ? {} : { cause, detail: errText(cause) });
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
  return keys.map((k) => (k.isPrivate() ? k.toPublic() : (k as PublicKey)));
}

async function parseSignatures(openpgp: OpenPGP, bytes: Uint8Array, name: string): Promise<SignaturePacket[]> {
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
  const documentSigs = packets.filter(
    (p) => p.signatureType === openpgp.enums.signature.binary || p.signatureType === openpgp.enums.signature.text,
  );
  if (documentSigs.length === 0) throw malformed(packets.length === 0 ? 'it holds no readable signature' : 'it holds no signature over a file (only key signatures)');
  if (documentSigs.length > MAX_SIGNATURES) throw malformed(`it holds ${documentSigs.length} signatures (more than ${MAX_SIGNATURES})`);
  return documentSigs;
}

// ---------------------------------------------------------------------------------------
// checking one signature

type Failure = { ok: false; code: ErrorCode; message: string; hint?: string; detail?: string };
type Outcome = { ok: true; signer: SignerIdentity } | Failure;

/** Which failure to report when no signature passed: the one that matters most to a packager. */
const FAILURE_RANK: Partial<Record<ErrorCode, number>> = {
  SIG_INVALID: 5, // a trusted key says the bytes were altered
  SIG_REVOKED: 4,
  SIG_EXPIRED: 3,
  SIG_UNTRUSTED: 2,
  SIG_MALFORMED: 1,
};

function worstFailure(outcomes: Outcome[]): Py2pkgError {
  const failures = outcomes.filter((o): o is Failure => !o.ok);
  let worst = failures[0];
  for (const f of failures) if ((FAILURE_RANK[f.code] ?? 0) > (FAILURE_RANK[worst?.code ?? 'SIG_MALFORMED'] ?? 0)) worst = f;
  if (!worst) return new Py2pkgError('SIG_MALFORMED', 'the signature file holds no signature');
  const others = failures.length - 1;
  const suffix = others > 0 ? ` (and ${others} other signature${others === 1 ? '' : 's'} in the file did not verify either)` : '';
  return new Py2pkgError(worst.code, worst.message + suffix, {
    ...(worst.hint === undefined ? {} : { hint: worst.hint }),
    ...(worst.detail === undefined ? {} : { detail: worst.detail }),
  });
}

interface CheckInput {
  packet: SignaturePacket;
  keys: PublicKey[];
  sdistBytes: Uint8Array;
  sdist: LocalSdist;
  keysName: string;
  now: Date;
}

function hex(bytes: Uint8Array | null): string | undefined {
  return bytes && bytes.length > 0 ? Buffer.from(bytes).toString('hex').toUpperCase() : undefined;
}

function isSubkey(k: PublicKey | Subkey): k is Subkey {
  return 'mainKey' in k;
}

/** "key ID ABCD… (FPR, "uid")" - identifies a key without any key material. */
function describeKey(key: PublicKey, signingKey?: PublicKey | Subkey): string {
  const fpr = key.getFingerprint().toUpperCase();
  const uid = key.getUserIDs()[0];
  const sub = signingKey && isSubkey(signingKey) ? `subkey ${signingKey.getKeyID().toHex().toUpperCase()} of ` : '';
  return `${sub}key ${fpr}${uid ? ` ("${uid}")` : ''}`;
}

async function checkSignature(openpgp: OpenPGP, input: CheckInput): Promise<Outcome> {
  const { packet, keys, sdist, now } = input;
  const keyId = packet.issuerKeyID.toHex().toUpperCase();
  const issuerFpr = hex(packet.issuerFingerprint);

  const candidates = keys.filter((k) => {
    const matching = k.getKeys(packet.issuerKeyID);
    if (matching.length === 0) return false;
    // when the signature names the full fingerprint, the key ID alone (64 bits) must not decide
    return issuerFpr === undefined || matching.some((m) => m.getFingerprint().toUpperCase() === issuerFpr);
  });
  if (candidates.length === 0) {
    const who = issuerFpr ? `key ID ${keyId} (fingerprint ${issuerFpr})` : `key ID ${keyId}`;
    return { ok: false, code: 'SIG_UNTRUSTED', message: `${sdist.filename} is signed by ${who}, which is not in ${input.keysName}` };
  }

  let best: Failure | undefined;
  for (const key of candidates) {
    const outcome = await checkWithKey(openpgp, input, key);
    if (outcome.ok) return outcome;
    if (!best || (FAILURE_RANK[outcome.code] ?? 0) > (FAILURE_RANK[best.code] ?? 0)) best = outcome;
  }
  return best as Failure;
}

async function checkWithKey(openpgp: OpenPGP, input: CheckInput, key: PublicKey): Promise<Outcome> {
  const { packet, sdistBytes, sdist, now } = input;
  const signingKey = key.getKeys(packet.issuerKeyID)[0] as PublicKey | Subkey;
  const who = describeKey(key, signingKey);
  const hashAlgo = packet.hashAlgorithm;

  // 1. Algorithms openpgp.js refuses for document signatures (MD5, RIPEMD-160, SHA-1).
  if (hashAlgo !== null && (openpgp.config.rejectHashAlgorithms.has(hashAlgo) || openpgp.config.rejectMessageHashAlgorithms.has(hashAlgo))) {
    return {
      ok: false,
      code: 'SIG_INVALID',
      message: `the signature over ${sdist.filename} by ${who} uses the insecure hash algorithm ${hashName(openpgp, hashAlgo)}`,
      hint: WEAK_HASH_HINT,
    };
  }

  // 2. Do the bytes match? Checked on its own, with no clock involved, so that an altered
  //    sdist is reported as altered even when the key also has a problem.
  const message = await openpgp.createMessage({ binary: sdistBytes });
  const literal = message.packets.findPacket(openpgp.enums.packet.literalData);
  try {
    if (packet.signatureType === null) throw new Error('signature has no type');
    await packet.verify(signingKey.keyPacket, packet.signatureType, literal as object, null as unknown as Date, true, openpgp.config);
  } catch (e) {
    return { ok: false, code: 'SIG_INVALID', message: `${sdist.filename} does not match its signature by ${who}`, detail: errText(e) };
  }

  // 3. openpgp.js's own full verification at `now` (key validity at signing time,
  //    signature creation/expiration time, critical subpackets...).
  let verifyError: unknown;
  try {
    const sig = new openpgp.Signature(packetList(openpgp, packet));
    const result = await openpgp.verify({ message, signature: sig, verificationKeys: [key], date: now, format: 'binary' });
    const first = result.signatures[0];
    if (!first) throw new Error('openpgp.js returned no verification result');
    await first.verified;
  } catch (e) {
    verifyError = e;
  }

  // 4. The key must still be good now, not only when it signed: a key revoked or expired
  //    since then is refused (fail closed).
  if (verifyError === undefined) {
    try {
      await key.getSigningKey(signingKey.getKeyID(), now);
    } catch (e) {
      verifyError = e;
    }
  }

  if (verifyError !== undefined) {
    const state = await keyStateProblem(openpgp, input, key, signingKey, who);
    if (state) return { ...state, detail: errText(verifyError) };
    const created = packet.created;
    if (created && created.getTime() > now.getTime()) {
      return { ok: false, code: 'SIG_INVALID', message: `the signature over ${sdist.filename} by ${who} claims to be made in the future (${created.toISOString()})`, detail: errText(verifyError) };
    }
    return {
      ok: false,
      code: 'SIG_INVALID',
      message: `the signature over ${sdist.filename} by ${who} is not valid: ${errText(verifyError)}`,
      detail: errText(verifyError),
    };
  }

  return { ok: true, signer: await signerIdentity(key, signingKey, packet, now) };
}

function packetList(openpgp: OpenPGP, packet: SignaturePacket) {
  const list = new openpgp.PacketList<SignaturePacket>();
  list.push(packet);
  return list;
}

function hashName(openpgp: OpenPGP, algo: number): string {
  const names = openpgp.enums.hash as unknown as Record<string, number>;
  const name = Object.keys(names).find((n) => names[n] === algo);
  return name ? name.toUpperCase() : `#${algo}`;
}

/** Revoked or expired, decided by looking at the key and the signature, not at error strings. */
async function keyStateProblem(openpgp: OpenPGP, input: CheckInput, key: PublicKey, signingKey: PublicKey | Subkey, who: string): Promise<Failure | null> {
  const { packet, sdist, now } = input;
  const signed = `${sdist.filename} is signed by ${who}`;
  if (await key.isRevoked(undefined, undefined, now)) {
    return { ok: false, code: 'SIG_REVOKED', message: `${signed}, which has been revoked${revocationReason(openpgp, key.revocationSignatures)}` };
  }
  if (isSubkey(signingKey) && (await signingKey.isRevoked(null as unknown as SignaturePacket, undefined as unknown as PublicKey['keyPacket'], now))) {
    return { ok: false, code: 'SIG_REVOKED', message: `${signed}, and that subkey has been revoked${revocationReason(openpgp, signingKey.revocationSignatures)}` };
  }
  const keyExpiry = await key.getExpirationTime();
  if (keyExpiry instanceof Date && keyExpiry.getTime() <= now.getTime()) {
    return { ok: false, code: 'SIG_EXPIRED', message: `${signed}, which expired on ${keyExpiry.toISOString()}` };
  }
  if (isSubkey(signingKey)) {
    const subExpiry = await signingKey.getExpirationTime(now);
    if (subExpiry instanceof Date && subExpiry.getTime() <= now.getTime()) {
      return { ok: false, code: 'SIG_EXPIRED', message: `${signed}, and that subkey expired on ${subExpiry.toISOString()}` };
    }
  }
  const sigExpiry = packet.getExpirationTime();
  if (sigExpiry instanceof Date && sigExpiry.getTime() <= now.getTime()) {
    return { ok: false, code: 'SIG_EXPIRED', message: `the signature over ${sdist.filename} by ${who} expired on ${sigExpiry.toISOString()}` };
  }
  return null;
}

function revocationReason(openpgp: OpenPGP, revocations: SignaturePacket[]): string {
  const flag = revocations.find((r) => r.reasonForRevocationFlag !== null)?.reasonForRevocationFlag;
  if (flag === undefined || flag === null) return '';
  const r = openpgp.enums.reasonForRevocation;
  const text: Record<number, string> = {
    [r.noReason]: '',
    [r.keySuperseded]: ' (reason: superseded)',
    [r.keyCompromised]: ' (reason: compromised)',
    [r.keyRetired]: ' (reason: retired)',
    [r.userIDInvalid]: '',
  };
  return text[flag] ?? '';
}

async function signerIdentity(key: PublicKey, signingKey: PublicKey | Subkey, packet: SignaturePacket, now: Date): Promise<SignerIdentity> {
  const valid: string[] = [];
  for (const user of key.users) {
    const id = user.userID?.userID;
    if (!id) continue;
    try {
      await user.verify(now);
      valid.push(id);
    } catch {
      // a revoked or unbound user ID is not something the key owner says now
    }
  }
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: signingKey.getKeyID().toHex().toUpperCase(),
    userIds: valid.length > 0 ? valid : key.getUserIDs(),
    signedAt: (packet.created ?? new Date(0)).toISOString(),
  };
}
