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
import { basename } from 'node:path';
import type { PublicKey } from 'openpgp';
import { Py2pkgError } from '../errors.js';
import type { LocalSdist, PgpVerification, Provenance, SignerIdentity } from '../types.js';
import { installedPackageVersion } from '../version.js';
import { checkSignature, worstFailure, type Outcome } from './pgp-check.js';
import { checkedNow, parseKeyring, parseSignatures, readKeyringFile, readSdist, readSignatureFile, sha256Hex } from './pgp-read.js';
import { loadOpenpgp } from '../sign/openpgp-lib.js';

export { MAX_KEYRING_FILE_BYTES, MAX_SIGNATURE_FILE_BYTES, MAX_SIGNATURES } from './pgp-read.js';

export interface VerifyOptions {
  sdist: LocalSdist;
  signaturePath: string;
  /** one keyring file, or several (a policy's per-project keys plus --trusted-keys) */
  trustedKeysPath: string | string[];
  /** the time keys and signatures are checked at (default: the current time) */
  now?: Date;
  /** SOURCE_DATE_EPOCH, seconds: `verifiedAt` is clamped to it when it is earlier than `now` */
  sourceDateEpoch?: number;
}

export async function verifyDetachedSignature(opts: VerifyOptions): Promise<Provenance> {
  const verification = await verifyPgpSignature(opts);
  const now = checkedNow(opts.now);
  return {
    sdist: { filename: opts.sdist.filename, sha256: opts.sdist.sha256.toLowerCase(), size: opts.sdist.size },
    unsigned: false,
    verification,
    verifiedAt: clampToSourceDateEpoch(now, opts.sourceDateEpoch).toISOString(),
  };
}

/** The PGP evidence alone (src/trust/admit.ts combines it with the other kinds). */
export async function verifyPgpSignature(opts: VerifyOptions): Promise<PgpVerification> {
  const { sdist } = opts;
  const now = checkedNow(opts.now);

  // Inputs first (cheap, and without loading openpgp.js).
  const sigName = basename(opts.signaturePath || '');
  const sigBytes = await readSignatureFile(opts.signaturePath, sdist.filename);
  const keyPaths = (Array.isArray(opts.trustedKeysPath) ? opts.trustedKeysPath : [opts.trustedKeysPath]).filter((p) => p !== '');
  if (keyPaths.length === 0) {
    throw new Py2pkgError('SIG_NO_KEYS', `no trusted keys were given to check the signature of ${sdist.filename} against`);
  }
  const keysName = keyPaths.map((p) => basename(p)).join(', ');
  const keyBytes = await Promise.all(keyPaths.map((p) => readKeyringFile(p)));
  const sdistBytes = await readSdist(sdist);

  const openpgp = await loadOpenpgp();
  const keys: PublicKey[] = [];
  for (const [i, bytes] of keyBytes.entries()) keys.push(...(await parseKeyring(openpgp, bytes, basename(keyPaths[i] ?? ''))));
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
    method: 'openpgp-detached-signature',
    tool: `openpgp.js ${openpgpVersion()}`,
    signatureFile: sigName,
    signatureSha256: sha256Hex(sigBytes),
    trustedKeysFile: keysName,
    trustedKeyFingerprints: fingerprints,
    signers,
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

/** The installed openpgp.js version (recorded as the verifying tool). */
export function openpgpVersion(): string {
  return installedPackageVersion('openpgp');
}
