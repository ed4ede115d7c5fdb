/**
 * Make an organization signing key the consumers accept: OpenPGP v4, one PRIMARY key that
 * certifies and signs, no subkeys (RPM 4.18 cannot check signatures by openpgp.js-made
 * subkeys), RSA-4096 (default) or legacy EdDSA Ed25519 ("curve25519Legacy", algorithm 22;
 * RPM 4.18 rejects the RFC 9580 Ed25519 algorithm 27 and v6 keys).
 */
import { unusableReason } from './key-check.js';
import { loadOpenpgp } from './openpgp-lib.js';

export const KEY_TYPES = ['rsa4096', 'curve25519Legacy'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface KeygenOptions {
  name: string;
  email?: string;
  comment?: string;
  type: KeyType;
  passphrase?: string;
  /** creation time (default now) */
  date?: Date;
  /** seconds of validity (default: no expiry) */
  keyExpirationTime?: number;
}

export interface GeneratedKey {
  fingerprint: string;
  secretArmored: string;
  publicArmored: string;
}

export async function generateSigningKey(o: KeygenOptions): Promise<GeneratedKey> {
  const openpgp = await loadOpenpgp();
  const config = { v6Keys: false };
  const userIDs = [{ name: o.name, ...(o.email ? { email: o.email } : {}), ...(o.comment ? { comment: o.comment } : {}) }];
  const algo = o.type === 'rsa4096' ? { type: 'rsa' as const, rsaBits: 4096 } : { type: 'ecc' as const, curve: 'curve25519Legacy' as const };
  const { privateKey } = await openpgp.generateKey({
    ...algo,
    userIDs,
    subkeys: [],
    format: 'object',
    config,
    ...(o.date ? { date: o.date } : {}),
    ...(o.keyExpirationTime ? { keyExpirationTime: o.keyExpirationTime } : {}),
  });
  const problem = await unusableReason(privateKey, o.date ?? new Date());
  if (problem) throw new Error(`generated key is not usable: ${problem}`);
  const secret = o.passphrase ? await openpgp.encryptKey({ privateKey, passphrase: o.passphrase, config }) : privateKey;
  return { fingerprint: privateKey.getFingerprint().toUpperCase(), secretArmored: secret.armor(), publicArmored: privateKey.toPublic().armor() };
}
