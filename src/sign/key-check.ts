/**
 * Which OpenPGP keys can sign what py2pkg publishes, checked before anything is built.
 *
 * The consumers set the rules: RPM 4.18's own OpenPGP parser reads only v4 keys, RSA, DSA
 * and EdDSA over the legacy Ed25519 encoding (algorithm 22) — not the RFC 9580 Ed25519
 * algorithm (27) nor v6 keys; and it does not find signatures made by subkeys of keys that
 * openpgp.js generated. gpgv 2.2 (apt) reads the same. So py2pkg signs with the PRIMARY key
 * only, and the primary key must be RSA (2048 bits or more) or EdDSA-legacy Ed25519, v4,
 * allowed to sign, neither revoked nor expired.
 */
import type { Key } from 'openpgp';
import { PUBKEY_EDDSA_LEGACY, PUBKEY_RSA, PUBKEY_RSA_SIGN } from './openpgp-packet.js';

export const MIN_RSA_BITS = 2048;

export interface KeySummary {
  fingerprint: string;
  keyId: string;
  /** e.g. "RSA 4096" or "Ed25519 (legacy EdDSA)" */
  algorithm: string;
  userIds: string[];
}

export function describeAlgorithm(algo: number, bits: number | undefined, curve: string | undefined): string {
  if (algo === PUBKEY_RSA || algo === PUBKEY_RSA_SIGN) return `RSA ${bits ?? '?'}`;
  if (algo === PUBKEY_EDDSA_LEGACY) return `EdDSA ${curve ?? '?'} (legacy, algorithm 22)`;
  if (algo === 27) return 'Ed25519 (RFC 9580, algorithm 27)';
  if (algo === 28) return 'Ed448 (algorithm 28)';
  if (algo === 17) return `DSA ${bits ?? '?'}`;
  if (algo === 19) return `ECDSA ${curve ?? '?'}`;
  return `algorithm ${algo}`;
}

/**
 * Why RPM 4.18 / gpgv could not use the primary key of `key` for the signatures py2pkg makes,
 * or undefined when it can. Pure except for openpgp.js's own self-signature checks.
 */
export async function unusableReason(key: Key, now: Date): Promise<string | undefined> {
  const p = key.keyPacket;
  const info = p.getAlgorithmInfo() as { algorithm: string; bits?: number; curve?: string };
  const algo = Number(p.algorithm);
  const what = describeAlgorithm(algo, info.bits, info.curve);
  if (p.version !== 4) {
    return `it is a v${p.version} key; RPM 4.18 and gpgv 2.2 read only v4 keys (make one with py2pkg keygen)`;
  }
  if (algo === 27 || algo === 28) {
    return `its primary key is ${what}, which RPM 4.18 rejects; use RSA-4096 or curve25519Legacy (EdDSA algorithm 22), as py2pkg keygen makes`;
  }
  if (algo === PUBKEY_RSA || algo === PUBKEY_RSA_SIGN) {
    if ((info.bits ?? 0) < MIN_RSA_BITS) return `its primary key is ${what}; RSA keys need at least ${MIN_RSA_BITS} bits`;
  } else if (algo === PUBKEY_EDDSA_LEGACY) {
    if (info.curve !== 'ed25519Legacy' && info.curve !== 'ed25519') return `its primary key is ${what}; only the Ed25519 curve is supported`;
  } else {
    return `its primary key is ${what}; py2pkg signs with RSA (2048 bits or more) or legacy EdDSA Ed25519 primary keys`;
  }
  const critical = criticalSubpackets(key).filter((t) => !RPM_CRITICAL_OK.has(t));
  if (critical.length > 0) {
    return `a self-signature carries critical subpacket ${critical.join(', ')}${critical.includes(32) ? ' (the embedded back-signature openpgp.js writes for signing subkeys)' : ''}, which RPM 4.18 rejects, so rpm could not even import the key: make a key without signing subkeys (py2pkg keygen)`;
  }
  try {
    await key.verifyPrimaryKey(now);
  } catch (e) {
    return `the key is not valid now (${(e as Error).message.replace(/^Error: /, '')}): revoked, expired or without a valid self-signature`;
  }
  try {
    // the primary key itself must carry the "sign data" flag: RPM 4.18 cannot use
    // signatures made by (openpgp.js-made) signing subkeys, so subkeys are never used
    const signing = await key.getSigningKey(key.getKeyID(), now);
    if (signing.getKeyID().toHex() !== key.getKeyID().toHex()) throw new Error('subkey');
  } catch {
    return 'its primary key is not allowed to sign data (only a subkey is); RPM 4.18 cannot check signatures made by subkeys, so py2pkg signs with the primary key: make a key whose primary key signs (py2pkg keygen)';
  }
  return undefined;
}

/** Critical subpacket types RPM 4.18's parser understands (creation time, expirations, key flags). */
export const RPM_CRITICAL_OK = new Set([2, 3, 9, 27]);

/** Types of the critical hashed subpackets in `signatureData` (version .. hashed subpackets). Pure. */
export function criticalTypes(signatureData: Uint8Array | null): number[] {
  if (!signatureData || signatureData[0] !== 4 || signatureData.length < 6) return [];
  const len = (signatureData[4]! << 8) | signatureData[5]!;
  const area = signatureData.subarray(6, 6 + len);
  const out: number[] = [];
  let i = 0;
  while (i < area.length) {
    const first = area[i]!;
    let l: number;
    if (first < 192) {
      l = first;
      i += 1;
    } else if (first < 255) {
      l = ((first - 192) << 8) + (area[i + 1] ?? 0) + 192;
      i += 2;
    } else {
      l = ((area[i + 1] ?? 0) << 24) | ((area[i + 2] ?? 0) << 16) | ((area[i + 3] ?? 0) << 8) | (area[i + 4] ?? 0);
      i += 5;
    }
    const type = area[i];
    if (l === 0 || type === undefined) break;
    if (type & 0x80) out.push(type & 0x7f);
    i += l;
  }
  return out;
}

/** Critical subpackets in the key's self-signatures (user certifications, subkey bindings). */
export function criticalSubpackets(key: Key): number[] {
  const sigs = [...key.users.flatMap((u) => u.selfCertifications), ...key.subkeys.flatMap((k) => k.bindingSignatures)];
  return [...new Set(sigs.flatMap((s) => criticalTypes(s.signatureData)))].sort((a, b) => a - b);
}

export function summarize(key: Key): KeySummary {
  const info = key.keyPacket.getAlgorithmInfo() as { bits?: number; curve?: string };
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: key.getKeyID().toHex().toUpperCase(),
    algorithm: describeAlgorithm(Number(key.keyPacket.algorithm), info.bits, info.curve),
    userIds: key.getUserIDs(),
  };
}

/** A fingerprint as the user typed it (spaces, 0x, lower case) in canonical upper-case hex, or undefined. */
export function normalizeFingerprint(text: string): string | undefined {
  const t = text.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  return /^[0-9A-F]{40}$/.test(t) ? t : undefined;
}
