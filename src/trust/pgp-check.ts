/**
 * Checking one OpenPGP signature over the sdist against the pinned keys, and choosing which
 * failure to report when none passed (key policy: revocation and expiry now, weak hashes).
 */
import type { PublicKey, SignaturePacket, Subkey } from 'openpgp';
import { Py2pkgError, type ErrorCode } from '../errors.js';
import type { LocalSdist, SignerIdentity } from '../types.js';
import { errText, type OpenPGP } from './pgp-read.js';

const WEAK_HASH_HINT = 'the signature uses a hash algorithm that is no longer safe (MD5, SHA-1, RIPEMD-160); ask upstream to sign with SHA-256 or better';
// ---------------------------------------------------------------------------------------
// checking one signature

export type Failure = { ok: false; code: ErrorCode; message: string; hint?: string; detail?: string };
export type Outcome = { ok: true; signer: SignerIdentity } | Failure;

/** Which failure to report when no signature passed: the one that matters most to a packager. */
const FAILURE_RANK: Partial<Record<ErrorCode, number>> = {
  SIG_INVALID: 5, // a trusted key says the bytes were altered
  SIG_REVOKED: 4,
  SIG_EXPIRED: 3,
  SIG_UNTRUSTED: 2,
  SIG_MALFORMED: 1,
};

export function worstFailure(outcomes: Outcome[]): Py2pkgError {
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

export interface CheckInput {
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

export async function checkSignature(openpgp: OpenPGP, input: CheckInput): Promise<Outcome> {
  const { packet, keys, sdist } = input;
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
      return {
        ok: false,
        code: 'SIG_INVALID',
        message: `the signature over ${sdist.filename} by ${who} claims to be made in the future (${created.toISOString()})`,
        detail: errText(verifyError),
      };
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
    return {
      ok: false,
      code: 'SIG_REVOKED',
      message: `${signed}, and that subkey has been revoked${revocationReason(openpgp, signingKey.revocationSignatures)}`,
    };
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
    signingFingerprint: signingKey.getFingerprint().toUpperCase(),
    userIds: valid.length > 0 ? valid : key.getUserIDs(),
    signedAt: (packet.created ?? new Date(0)).toISOString(),
  };
}
