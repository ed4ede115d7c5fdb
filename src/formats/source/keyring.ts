/**
 * The keyring `%gpgverify` checks Source0's signature with (Source2 of the SRPM): the pinned
 * upstream keys, exported minimally as binary OpenPGP packets — the same export as the Debian
 * source's debian/upstream/signing-key.asc (upstream-key.ts), unarmored (gpgverify takes either).
 * Written by openpgp.js, no gpg home involved; the same keys give the same bytes.
 */
import { minimalKeyPackets } from './upstream-key.js';

/** The keys of `keyFiles` whose primary fingerprint is in `fingerprints`, minimal, concatenated; in the order of `fingerprints`. */
export async function minimalKeyring(keyFiles: readonly string[], fingerprints: readonly string[]): Promise<Buffer> {
  return Buffer.from(await minimalKeyPackets(keyFiles, fingerprints));
}
