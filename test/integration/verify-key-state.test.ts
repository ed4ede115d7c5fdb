/**
 * The verify stage and the state of the signing key: revoked, expired, future-dated, weak hashes.
 * Every bad input is built here, in a fresh temp directory, against the TEST-ONLY keys in
 * fixtures/keys/ (helpers: test/support/verify-harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { verifyDetachedSignature } from '../../src/trust/verify.js';
import { signDetached } from '../../fixtures/sign.js';
import { key, SIGNED_AT, NOW, fingerprintOf, makeEnv, sign, put, rejectsWith, okVerification } from '../support/verify-harness.js';

test('revoked signing key -> SIG_REVOKED', async () => {
  const env = await makeEnv();
  try {
    const fpr = await fingerprintOf('upstream-revoked-TEST-ONLY.pub.asc');
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-revoked-TEST-ONLY.sec.asc'));
    const err = await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-revoked-TEST-ONLY.pub.asc'), now: NOW }),
      'SIG_REVOKED',
      /has been revoked/,
    );
    assert.ok(err.message.includes(fpr), err.message);
    // the same signature checks out against the unrevoked copy of the key: only the revocation fails it
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-revoked-TEST-ONLY.sec.asc'), now: NOW });
    assert.equal(okVerification(p).signers[0]?.fingerprint, fpr);
  } finally {
    await env.cleanup();
  }
});

test('revoked signing subkey -> SIG_REVOKED; the unrevoked subkey is reported by its own key id', async () => {
  const env = await makeEnv();
  try {
    const created = new Date('2025-06-01T00:00:00Z');
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'subkey signer', comment: 'TEST-ONLY', email: 'sub@test.invalid' }],
      subkeys: [{}, { sign: true }],
      date: created,
      format: 'object',
      config: { v6Keys: false },
    });
    const signingSub = privateKey.subkeys[1];
    assert.ok(signingSub);
    const sig = await signDetached(env.bytes, privateKey.armor(), { date: SIGNED_AT });
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', sig);
    const pubPath = await put(env, 'sub.pub.asc', privateKey.toPublic().armor());
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: pubPath, now: NOW });
    const signer = okVerification(p).signers[0];
    assert.equal(signer?.fingerprint, privateKey.getFingerprint().toUpperCase());
    assert.equal(signer?.keyId, signingSub.getKeyID().toHex().toUpperCase());
    assert.notEqual(signer?.keyId, signer?.fingerprint.slice(-16));

    // Subkey.revoke returns a revoked copy; put it in place of the original
    privateKey.subkeys[1] = await signingSub.revoke(privateKey.keyPacket as openpgp.SecretKeyPacket, undefined, new Date('2026-02-01T00:00:00Z'));
    const revokedPath = await put(env, 'sub-revoked.pub.asc', privateKey.toPublic().armor());
    await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: revokedPath, now: NOW }),
      'SIG_REVOKED',
      /subkey .* has been revoked/,
    );
  } finally {
    await env.cleanup();
  }
});

test('expired key -> SIG_EXPIRED now, valid while the key was current', async () => {
  const env = await makeEnv();
  try {
    const signedIn2020 = new Date('2020-06-01T12:00:00Z');
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-expired-TEST-ONLY.sec.asc', { date: signedIn2020 }));
    const trusted = key('upstream-expired-TEST-ONLY.pub.asc');
    await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: trusted, now: NOW }),
      'SIG_EXPIRED',
      /which expired on 2020-12-31T00:00:00\.000Z/,
    );
    // also with the real clock (no `now`)
    await rejectsWith(verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: trusted }), 'SIG_EXPIRED');
    const then = new Date('2020-07-01T00:00:00Z');
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: trusted, now: then });
    assert.equal(okVerification(p).signers[0]?.signedAt, signedIn2020.toISOString());
    assert.equal(p.verifiedAt, then.toISOString());
  } finally {
    await env.cleanup();
  }
});

test('signature dated in the future -> SIG_INVALID', async () => {
  const env = await makeEnv();
  try {
    const future = new Date('2026-09-01T00:00:00Z');
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc', { date: future }));
    await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-TEST-ONLY.pub.asc'), now: NOW }),
      'SIG_INVALID',
      /in the future \(2026-09-01T00:00:00\.000Z\)/,
    );
  } finally {
    await env.cleanup();
  }
});

test('SHA-1 signature (a hash openpgp.js rejects) -> SIG_INVALID naming the algorithm', async () => {
  const env = await makeEnv();
  try {
    // ECDSA P-256 lets us make a SHA-1 signature at the packet level (EdDSA refuses hashes that short)
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'nistP256',
      userIDs: [{ name: 'sha1 signer', comment: 'TEST-ONLY', email: 'sha1@test.invalid' }],
      date: new Date('2025-01-01T00:00:00Z'),
      format: 'object',
      config: { v6Keys: false },
    });
    const message = await openpgp.createMessage({ binary: env.bytes });
    const literal = message.packets.findPacket(openpgp.enums.packet.literalData);
    const packet = new openpgp.SignaturePacket();
    packet.signatureType = openpgp.enums.signature.binary;
    packet.hashAlgorithm = openpgp.enums.hash.sha1;
    packet.publicKeyAlgorithm = privateKey.keyPacket.algorithm;
    const signWithConfig = packet.sign.bind(packet) as (k: unknown, d: unknown, date: Date, detached: boolean, config: unknown) => Promise<void>;
    await signWithConfig(privateKey.keyPacket, literal, SIGNED_AT, true, { ...openpgp.config, nonDeterministicSignaturesViaNotation: false });
    const list = new openpgp.PacketList<openpgp.SignaturePacket>();
    list.push(packet);
    const armored = new openpgp.Signature(list).armor();
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', armored);
    const ring = await put(env, 'sha1.pub.asc', publicKey.armor());
    const err = await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: ring, now: NOW }),
      'SIG_INVALID',
      /insecure hash algorithm SHA1/,
    );
    assert.match(err.hint, /SHA-256/);
  } finally {
    await env.cleanup();
  }
});
