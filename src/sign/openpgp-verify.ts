/**
 * Check OpenPGP v4 signatures over streamed data against the keys the user trusts
 * (`py2pkg verify --key`). The data is hashed by node:crypto as it is read (a 1 GB .deb is
 * never in memory); the signature math is node:crypto too; openpgp.js parses packets and
 * decides whether a key is valid (revoked, expired, allowed to sign).
 *
 * Outcomes are the distinctions apt's gpgv and rpmkeys make: no signature, a signature by
 * a key we do not have, a key that is revoked/expired, a signature that does not match.
 */
import { constants, createPublicKey, publicDecrypt, verify as edVerify } from 'node:crypto';
import type { Key, PublicKey, SignaturePacket } from 'openpgp';
import { finishDigest, HASHES, hashNameForId, PUBKEY_EDDSA_LEGACY, PUBKEY_RSA, PUBKEY_RSA_SIGN, startHash } from './openpgp-packet.js';
import { feed, type SignData } from './sign-data.js';
import { loadOpenpgp } from './openpgp-lib.js';

export type SigOutcome =
  | { ok: true; fingerprint: string; keyId: string; created: Date }
  | { ok: false; reason: 'not-signed' | 'unknown-key' | 'key-invalid' | 'bad-signature'; detail: string };

type AnyKey = PublicKey | Key;

/** Read public keys (armored, possibly several blocks, or binary) for --key. */
export async function readPublicKeys(bytes: Uint8Array): Promise<PublicKey[]> {
  const openpgp = await loadOpenpgp();
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN PGP')) {
    const blocks =
      Buffer.from(bytes)
        .toString('utf8')
        .match(/-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g) ?? [];
    const keys: PublicKey[] = [];
    for (const b of blocks) for (const k of await openpgp.readKeys({ armoredKeys: b })) keys.push(k.toPublic());
    return keys;
  }
  return (await openpgp.readKeys({ binaryKeys: bytes })).map((k) => k.toPublic());
}

/** Signature packets of an armored or binary signature file; [] when there are none. */
export async function readSignaturePackets(file: Uint8Array | string): Promise<SignaturePacket[]> {
  const openpgp = await loadOpenpgp();
  const text = typeof file === 'string' ? file : Buffer.from(file).toString('latin1');
  const sig = text.includes('-----BEGIN PGP SIGNATURE-----')
    ? await openpgp.readSignature({ armoredSignature: typeof file === 'string' ? file : Buffer.from(file).toString('utf8') })
    : await openpgp.readSignature({ binarySignature: file as Uint8Array });
  return [...sig.packets];
}

function issuerOf(p: SignaturePacket): string {
  if (p.issuerFingerprint) return Buffer.from(p.issuerFingerprint).toString('hex').toUpperCase();
  return p.issuerKeyID.toHex().toUpperCase();
}

/** The key (primary or subkey) that made the signature, and its public params. */
function findSigner(keys: AnyKey[], p: SignaturePacket): { key: AnyKey; keyId: string; params: Record<string, Uint8Array>; algo: number } | undefined {
  for (const key of keys) {
    for (const k of key.getKeys(p.issuerKeyID)) {
      const fpr = k.getFingerprint().toUpperCase();
      if (p.issuerFingerprint && Buffer.from(p.issuerFingerprint).toString('hex').toUpperCase() !== fpr) continue;
      const packet = k.keyPacket as unknown as { publicParams: Record<string, Uint8Array>; algorithm: number };
      return { key, keyId: k.getKeyID().toHex().toUpperCase(), params: packet.publicParams, algo: Number(packet.algorithm) };
    }
  }
  return undefined;
}

function pad(b: Uint8Array, len: number): Buffer {
  return b.length >= len ? Buffer.from(b) : Buffer.concat([Buffer.alloc(len - b.length), b]);
}

/** The signature math for a digest (RSA PKCS#1 v1.5 and legacy EdDSA Ed25519). */
export function mathVerifies(algo: number, params: Record<string, Uint8Array>, hashId: number, digest: Buffer, sigParams: Record<string, Uint8Array>): boolean {
  const hash = hashNameForId(hashId);
  if (!hash) return false;
  if (algo === PUBKEY_RSA || algo === PUBKEY_RSA_SIGN) {
    const n = Buffer.from(params.n!);
    const modLen = n.length - (n[0] === 0 ? 1 : 0);
    const s = sigParams.s;
    if (!s || s.length > modLen) return false;
    try {
      const pk = createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: Buffer.from(params.e!).toString('base64url') }, format: 'jwk' });
      const m = publicDecrypt({ key: pk, padding: constants.RSA_PKCS1_PADDING }, pad(s, modLen));
      return m.equals(Buffer.concat([Buffer.from(HASHES[hash].digestInfo, 'hex'), digest]));
    } catch {
      return false;
    }
  }
  if (algo === PUBKEY_EDDSA_LEGACY) {
    const q = params.Q;
    const r = sigParams.r;
    const s = sigParams.s;
    if (!q || q.length !== 33 || !r || !s || r.length > 32 || s.length > 32) return false;
    try {
      const pk = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(q.subarray(1)).toString('base64url') }, format: 'jwk' });
      return edVerify(null, digest, pk, Buffer.concat([pad(r, 32), pad(s, 32)]));
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Check every signature packet in `sigFile` over `data`; ok when one was made by a valid
 * key in `keys` and matches. `data` is read once, whatever the number of packets.
 * `sigTypes`: 0x00 for binary documents, 0x01 for cleartext.
 */
export async function verifyDetached(
  sigFile: Uint8Array | string,
  data: SignData,
  keys: AnyKey[],
  opts: { now?: Date; sigType?: number } = {},
): Promise<SigOutcome> {
  const now = opts.now ?? new Date();
  let packets: SignaturePacket[];
  try {
    packets = await readSignaturePackets(sigFile);
  } catch (e) {
    return { ok: false, reason: 'bad-signature', detail: `the signature is not a readable OpenPGP signature (${(e as Error).message})` };
  }
  if (packets.length === 0) return { ok: false, reason: 'not-signed', detail: 'no signature packet' };
  const wanted = opts.sigType ?? 0;
  const usable = packets.filter((p) => {
    const type: number | null = p.signatureType; // an enum value, compared as the number it is
    return p.version === 4 && type === wanted && hashNameForId(Number(p.hashAlgorithm)) !== undefined;
  });
  if (usable.length === 0) {
    return { ok: false, reason: 'bad-signature', detail: 'no v4 signature of the right type with SHA-2 (MD5, SHA-1 and v3/v6 signatures are not accepted)' };
  }
  // one pass over the data for all the hash algorithms used
  const hashes = new Map<string, ReturnType<typeof startHash>>();
  for (const p of usable) {
    const name = hashNameForId(Number(p.hashAlgorithm))!;
    if (!hashes.has(name)) hashes.set(name, startHash(name));
  }
  const copies = new Map<SignaturePacket, ReturnType<typeof startHash>>();
  await feed(data, [...hashes.values()]);
  for (const p of usable) copies.set(p, hashes.get(hashNameForId(Number(p.hashAlgorithm))!)!.copy());

  const failures: SigOutcome[] = [];
  for (const p of usable) {
    const signer = findSigner(keys, p);
    if (!signer) {
      failures.push({ ok: false, reason: 'unknown-key', detail: `signed by key ${issuerOf(p)}, which is not in the given keys` });
      continue;
    }
    try {
      await signer.key.getSigningKey(p.issuerKeyID, now);
    } catch (e) {
      failures.push({
        ok: false,
        reason: 'key-invalid',
        detail: `signed by key ${issuerOf(p)}, which is not valid now (${(e as Error).message.replace(/^Error: /, '')})`,
      });
      continue;
    }
    const digest = finishDigest(copies.get(p)!, p.signatureData!);
    const left = p.signedHashValue;
    const sigParams = (p as unknown as { params: Record<string, Uint8Array> }).params;
    const matches =
      left !== null && left[0] === digest[0] && left[1] === digest[1] && mathVerifies(signer.algo, signer.params, Number(p.hashAlgorithm), digest, sigParams);
    if (!matches) {
      failures.push({ ok: false, reason: 'bad-signature', detail: `the signature by ${issuerOf(p)} does not match the data` });
      continue;
    }
    return { ok: true, fingerprint: signer.key.getFingerprint().toUpperCase(), keyId: signer.keyId, created: p.created ?? now };
  }
  // the most telling failure: a known key that does not match beats an unknown key
  const order = ['bad-signature', 'key-invalid', 'unknown-key'];
  failures.sort((a, b) => order.indexOf((a as { reason: string }).reason) - order.indexOf((b as { reason: string }).reason));
  return failures[0]!;
}
