/**
 * The keyring `%gpgverify` checks Source0's signature with (Source2 of the SRPM): the pinned
 * upstream keys, exported minimally — the primary key, its user IDs with their
 * self-signatures, its subkeys and revocations; third-party certifications dropped — as
 * binary OpenPGP packets (gpgverify takes binary or armored keyrings). Written by openpgp.js,
 * no gpg home involved; the same keys give the same bytes.
 */
import { readFile } from 'node:fs/promises';
import { Py2pkgError, singleLine } from '../../errors.js';
import { readPublicKeys } from '../../sign/openpgp-verify.js';

/** The keys of `keyFiles` whose primary fingerprint is in `fingerprints`, minimal, concatenated; in the order of `fingerprints`. */
export async function minimalKeyring(keyFiles: readonly string[], fingerprints: readonly string[]): Promise<Buffer> {
  const want = fingerprints.map((f) => f.toUpperCase());
  const found = new Map<string, Uint8Array>();
  for (const file of keyFiles) {
    let keys;
    try {
      keys = await readPublicKeys(await readFile(file));
    } catch (e) {
      throw new Py2pkgError('SIG_BAD_KEYRING', `cannot read the trusted keys ${singleLine(file, 200)}: ${singleLine((e as Error).message, 120)}`);
    }
    for (const key of keys) {
      const fpr = key.getFingerprint().toUpperCase();
      if (!want.includes(fpr) || found.has(fpr)) continue;
      for (const user of key.users) user.otherCertifications = [];
      found.set(fpr, key.write());
    }
  }
  const missing = want.filter((f) => !found.has(f));
  if (missing.length > 0) throw new Py2pkgError('SIG_BAD_KEYRING', `the trusted keys hold no key ${missing.join(', ')}, which the signature was verified with`);
  return Buffer.concat(want.map((f) => found.get(f) as Uint8Array));
}
