/**
 * debian/upstream/signing-key.asc: the pinned upstream keys that verified the sdist, exported
 * minimal (as `gpg --export-options export-minimal` does and lintian's
 * public-upstream-key-not-minimal asks): the primary key, its user IDs with only their newest
 * self-signature, its subkeys with their newest binding signature; no third-party
 * certifications, no photo IDs. Read and written with openpgp.js, no keyring on disk.
 */
import { Py2pkgError } from '../../errors.js';
import { armorSignature } from '../../sign/armor.js';
import { parseKeyring, readKeyringFile } from '../../trust/pgp-read.js';
import type { Provenance } from '../../types.js';
import type { PublicKey, SignaturePacket } from 'openpgp';
import { loadOpenpgp } from '../../sign/openpgp-lib.js';

/** The primary fingerprints (upper-case hex) of the keys whose signatures admitted the sdist. */
export function verifyingFingerprints(p: Provenance): string[] {
  const out: string[] = [];
  for (const v of p.evidence ?? [p.verification]) {
    if (v.method !== 'openpgp-detached-signature') continue;
    for (const s of v.signers) if (!out.includes(s.fingerprint.toUpperCase())) out.push(s.fingerprint.toUpperCase());
  }
  return out;
}

const newest = (sigs: SignaturePacket[]): SignaturePacket[] => {
  const sorted = [...sigs].sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0));
  return sorted.slice(0, 1);
};

/** The minimal form of one public key (a new object; the input is not changed). */
export function minimalKey(openpgp: typeof import('openpgp'), key: PublicKey): PublicKey {
  const copy = new openpgp.PublicKey(key.toPacketList());
  copy.users = copy.users.filter((u) => u.userID !== null && u.selfCertifications.length > 0);
  for (const u of copy.users) {
    u.otherCertifications = [];
    u.selfCertifications = newest(u.selfCertifications);
  }
  for (const s of copy.subkeys) s.bindingSignatures = newest(s.bindingSignatures);
  return copy;
}

/**
 * The minimal form of the keys in `keyFiles` whose primary fingerprint is one of `fingerprints`
 * (each once, in that order), as binary packets. Refuses when one is not found.
 */
export async function minimalKeyPackets(keyFiles: readonly string[], fingerprints: readonly string[]): Promise<Uint8Array> {
  const openpgp = await loadOpenpgp();
  const all: PublicKey[] = [];
  for (const f of keyFiles) all.push(...(await parseKeyring(openpgp, await readKeyringFile(f), f.split('/').pop() ?? f)));
  const packets = new openpgp.PacketList();
  for (const fpr of new Set(fingerprints.map((f) => f.toUpperCase()))) {
    const key = all.find((k) => k.getFingerprint().toUpperCase() === fpr);
    if (!key) throw new Py2pkgError('SIG_NO_KEYS', `the key ${fpr} that verified the sdist is not in the pinned key files any more`);
    packets.push(...minimalKey(openpgp, key).toPacketList());
  }
  return packets.write();
}

/** debian/upstream/signing-key.asc: minimalKeyPackets, armored with the CRC-24 line gpg 2.2 (Debian 12's gpgv, dpkg-source, uscan) expects. */
export async function exportSigningKeys(keyFiles: readonly string[], fingerprints: readonly string[]): Promise<string> {
  const openpgp = await loadOpenpgp();
  return openpgp.armor(openpgp.enums.armor.publicKey, await minimalKeyPackets(keyFiles, fingerprints), undefined, undefined, undefined, true);
}

/**
 * The upstream signature as `<orig>.asc` must be: ASCII-armored (dpkg-source and uscan read
 * armor); a binary detached signature (a `.sig`) is armored, its packets unchanged.
 */
export async function armoredSignature(bytes: Uint8Array): Promise<string> {
  const text = Buffer.from(bytes).toString('latin1');
  if (/^\s*-----BEGIN PGP SIGNATURE-----/.test(text)) return Buffer.from(bytes).toString('utf8');
  const openpgp = await loadOpenpgp();
  // parsed first: only signature packets are armored as a signature
  const sig = await openpgp.readSignature({ binarySignature: bytes }).catch(() => undefined);
  if (!sig) throw new Py2pkgError('SIG_BAD_KEYRING', 'the upstream signature file is neither armored nor a binary OpenPGP signature');
  return armorSignature(bytes);
}
