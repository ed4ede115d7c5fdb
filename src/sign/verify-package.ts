/**
 * `py2pkg verify` for one package: the same links the real consumers check.
 *  .deb — the debsigs `_gpgorigin` signature over debian-binary + control.tar + data.tar
 *         (what debsig-verify checks);
 *  .rpm — the header signature over the main header, the header SHA256 digest and the
 *         payload digest recorded in the header (what `rpmkeys --checksig` checks).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { PublicKey } from 'openpgp';
import { Py2pkgError, type ErrorCode } from '../errors.js';
import { readDebLayout, readOriginSignature, signedRanges } from './deb-sig.js';
import { verifyDetached, type SigOutcome } from './openpgp-verify.js';
import { headerSignature, readRpmLayout, SIGTAG, TAG, tagString, tagValue } from './rpm-header.js';
import { feed } from './sign-data.js';

export interface Check {
  link: string;
  detail: string;
}

export interface Verified {
  checks: Check[];
  /** signer fingerprint */
  signer: string;
  /** repositories: the package files verified, relative to the repository root */
  packages?: string[];
}

export function failureCode(o: Extract<SigOutcome, { ok: false }>): ErrorCode {
  return (
    {
      'not-signed': 'VERIFY_NOT_SIGNED',
      'unknown-key': 'VERIFY_UNKNOWN_KEY',
      'key-invalid': 'VERIFY_KEY_INVALID',
      'bad-signature': 'VERIFY_BAD_SIGNATURE',
    } as const
  )[o.reason];
}

export function linkError(o: Extract<SigOutcome, { ok: false }>, link: string): Py2pkgError {
  return new Py2pkgError(failureCode(o), `${link}: ${o.detail}`);
}

export async function verifyDeb(path: string, keys: PublicKey[], now = new Date()): Promise<Verified> {
  const name = basename(path);
  const layout = await readDebLayout(path);
  const sig = await readOriginSignature(layout);
  const link = `${name} _gpgorigin (debsigs origin signature)`;
  if (!sig) throw new Py2pkgError('VERIFY_NOT_SIGNED', `${link}: the package has no _gpgorigin member`);
  const o = await verifyDetached(sig, { kind: 'ranges', ranges: signedRanges(layout) }, keys, { now });
  if (!o.ok) throw linkError(o, link);
  return { checks: [{ link, detail: `good signature by ${o.fingerprint}` }], signer: o.fingerprint };
}

export async function verifyRpm(path: string, keys: PublicKey[], now = new Date()): Promise<Verified> {
  const name = basename(path);
  const l = await readRpmLayout(path);
  const checks: Check[] = [];
  const sig = headerSignature(l);
  const sigLink = `${name} header signature`;
  if (!sig) {
    const legacy = l.signature.entries.has(SIGTAG.PGP) || l.signature.entries.has(SIGTAG.GPG);
    throw new Py2pkgError(
      'VERIFY_NOT_SIGNED',
      `${sigLink}: the package has no header signature${legacy ? ' (only a legacy header+payload signature, which RPM 4.18 does not use)' : ''}`,
    );
  }
  const o = await verifyDetached(sig, { kind: 'bytes', bytes: l.header.blob }, keys, { now });
  if (!o.ok) throw linkError(o, sigLink);
  checks.push({ link: sigLink, detail: `good signature by ${o.fingerprint}` });

  const recorded = tagString(l.signature, SIGTAG.SHA256);
  if (recorded !== undefined) {
    const actual = createHash('sha256').update(l.header.blob).digest('hex');
    if (actual !== recorded)
      throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${name} header SHA256 digest: the header does not match the digest in the signature header`);
    checks.push({ link: `${name} header SHA256 digest`, detail: 'matches' });
  }
  const digests = tagValue(l.header, TAG.PAYLOADDIGEST);
  const algo = tagValue(l.header, TAG.PAYLOADDIGESTALGO);
  const algoName = Array.isArray(algo) && algo[0] === 8 ? 'sha256' : Array.isArray(algo) && algo[0] === 10 ? 'sha512' : undefined;
  if (!Array.isArray(digests) || typeof digests[0] !== 'string' || !algoName) {
    throw new Py2pkgError('VERIFY_NOT_SIGNED', `${name} payload digest: the header records no SHA-2 payload digest, so the signature does not cover the files`);
  }
  const h = createHash(algoName);
  await feed({ kind: 'ranges', ranges: [{ path, start: l.payloadOffset, length: l.size - l.payloadOffset }] }, [h]);
  if (h.digest('hex') !== digests[0])
    throw new Py2pkgError(
      'VERIFY_DIGEST_MISMATCH',
      `${name} payload digest: the payload does not match the ${algoName.toUpperCase()} digest in the signed header`,
    );
  checks.push({ link: `${name} payload ${algoName.toUpperCase()} digest`, detail: 'matches' });
  return { checks, signer: o.fingerprint };
}

/** Content identity without signatures: two files with the same value hold the same package. */
export async function contentDigest(path: string): Promise<string> {
  if (path.endsWith('.rpm')) {
    const l = await readRpmLayout(path);
    return createHash('sha256').update(l.header.blob).digest('hex');
  }
  const layout = await readDebLayout(path);
  const h = createHash('sha256');
  await feed({ kind: 'ranges', ranges: signedRanges(layout) }, [h]);
  return h.digest('hex');
}
