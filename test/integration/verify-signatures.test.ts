/**
 * The verify stage: good signatures and keyrings, and the refusals of missing, untrusted, altered and malformed input.
 * Every bad input is built here, in a fresh temp directory, against the TEST-ONLY keys in
 * fixtures/keys/ (helpers: test/support/verify-harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { verifyDetachedSignature } from '../../src/trust/verify.js';
import {
  ROOT,
  key,
  SIGNED_AT,
  NOW,
  UPSTREAM_UID,
  OTHER_UID,
  sha256,
  fingerprintOf,
  makeEnv,
  sign,
  put,
  rejectsWith,
  okVerification,
} from '../support/verify-harness.js';
import type { LocalSdist } from '../../src/types.js';

test('good armored signature, armored keyring: provenance names the upstream key', async () => {
  const env = await makeEnv();
  try {
    const upstreamFpr = await fingerprintOf('upstream-TEST-ONLY.pub.asc');
    const sig = await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc');
    assert.equal(typeof sig, 'string');
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', sig);
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-TEST-ONLY.pub.asc'), now: NOW });

    const version = (JSON.parse(await readFile(join(ROOT, 'node_modules/openpgp/package.json'), 'utf8')) as { version: string }).version;
    assert.equal(p.unsigned, false);
    assert.deepEqual(p.sdist, { filename: 'demo-1.0.tar.gz', sha256: sha256(env.bytes), size: env.bytes.length });
    assert.equal(p.verifiedAt, NOW.toISOString());
    const v = okVerification(p);
    assert.equal(v.tool, `openpgp.js ${version}`);
    assert.equal(v.signatureFile, 'demo-1.0.tar.gz.asc');
    assert.equal(v.signatureSha256, sha256(sig as string));
    assert.equal(v.trustedKeysFile, 'upstream-TEST-ONLY.pub.asc');
    assert.deepEqual(v.trustedKeyFingerprints, [upstreamFpr]);
    assert.deepEqual(v.signers, [
      { fingerprint: upstreamFpr, keyId: upstreamFpr.slice(-16), signingFingerprint: upstreamFpr, userIds: [UPSTREAM_UID], signedAt: SIGNED_AT.toISOString() },
    ]);
    assert.match(upstreamFpr, /^[0-9A-F]{40}$/);
  } finally {
    await env.cleanup();
  }
});

test('good binary signature, binary keyring with two keys', async () => {
  const env = await makeEnv();
  try {
    const [up, other] = [await fingerprintOf('upstream-TEST-ONLY.pub.asc'), await fingerprintOf('other-TEST-ONLY.pub.asc')];
    const sig = await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc', { armor: false });
    assert.ok(sig instanceof Uint8Array);
    const sigPath = await put(env, 'demo-1.0.tar.gz.sig', sig);
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('trusted-TEST-ONLY.gpg'), now: NOW });
    const v = okVerification(p);
    assert.equal(v.trustedKeysFile, 'trusted-TEST-ONLY.gpg');
    assert.deepEqual(v.trustedKeyFingerprints, [up, other]);
    assert.equal(v.signers.length, 1);
    assert.equal(v.signers[0]?.fingerprint, up);
    assert.deepEqual(v.signers[0]?.userIds, [UPSTREAM_UID]);
    assert.equal(v.signatureSha256, sha256(sig));
  } finally {
    await env.cleanup();
  }
});

test('keyring of several concatenated armored keys: the signer is picked out by key id', async () => {
  const env = await makeEnv();
  try {
    const ring = (
      await Promise.all(['upstream-TEST-ONLY.pub.asc', 'other-TEST-ONLY.pub.asc', 'upstream-expired-TEST-ONLY.pub.asc'].map((f) => readFile(key(f), 'utf8')))
    ).join('\n');
    const ringPath = await put(env, 'ring.asc', ring);
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'other-TEST-ONLY.sec.asc'));
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: ringPath, now: NOW });
    const v = okVerification(p);
    assert.equal(v.trustedKeyFingerprints.length, 3);
    assert.equal(v.trustedKeyFingerprints[2], await fingerprintOf('upstream-expired-TEST-ONLY.pub.asc'));
    assert.deepEqual(
      v.signers.map((s) => [s.fingerprint, s.userIds]),
      [[await fingerprintOf('other-TEST-ONLY.pub.asc'), [OTHER_UID]]],
    );
  } finally {
    await env.cleanup();
  }
});

test('several signatures in one file: every valid trusted signer is reported, untrusted ones are ignored', async () => {
  const env = await makeEnv();
  try {
    const both = String(await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc')) + String(await sign(env.bytes, 'other-TEST-ONLY.sec.asc'));
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', both);
    const p2 = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('trusted-TEST-ONLY.gpg'), now: NOW });
    assert.deepEqual(
      okVerification(p2).signers.map((s) => s.userIds[0]),
      [UPSTREAM_UID, OTHER_UID],
    );
    const p1 = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-TEST-ONLY.pub.asc'), now: NOW });
    assert.deepEqual(
      okVerification(p1).signers.map((s) => s.userIds[0]),
      [UPSTREAM_UID],
    );
    // one good signature is enough even when another, by a trusted but revoked key, fails
    const withRevoked = String(await sign(env.bytes, 'upstream-revoked-TEST-ONLY.sec.asc')) + String(await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc'));
    const ring = await put(
      env,
      'ring.asc',
      (await readFile(key('upstream-revoked-TEST-ONLY.pub.asc'), 'utf8')) + (await readFile(key('upstream-TEST-ONLY.pub.asc'), 'utf8')),
    );
    const sig3 = await put(env, 'three.asc', withRevoked);
    const p3 = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sig3, trustedKeysPath: ring, now: NOW });
    assert.deepEqual(
      okVerification(p3).signers.map((s) => s.userIds[0]),
      [UPSTREAM_UID],
    );
  } finally {
    await env.cleanup();
  }
});

test('no signature file -> SIG_MISSING', async () => {
  const env = await makeEnv();
  try {
    await rejectsWith(
      verifyDetachedSignature({
        sdist: env.sdist,
        signaturePath: join(env.dir, 'demo-1.0.tar.gz.asc'),
        trustedKeysPath: key('upstream-TEST-ONLY.pub.asc'),
        now: NOW,
      }),
      'SIG_MISSING',
      /demo-1\.0\.tar\.gz\.asc does not exist/,
    );
  } finally {
    await env.cleanup();
  }
});

test('no trusted keys (no path, missing file, empty file) -> SIG_NO_KEYS', async () => {
  const env = await makeEnv();
  try {
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc'));
    const base = { sdist: env.sdist, signaturePath: sigPath, now: NOW };
    await rejectsWith(verifyDetachedSignature({ ...base, trustedKeysPath: '' }), 'SIG_NO_KEYS', /no trusted keys/);
    await rejectsWith(verifyDetachedSignature({ ...base, trustedKeysPath: join(env.dir, 'nope.asc') }), 'SIG_NO_KEYS', /does not exist/);
    await rejectsWith(verifyDetachedSignature({ ...base, trustedKeysPath: await put(env, 'empty.asc', '') }), 'SIG_NO_KEYS', /is empty/);
    await rejectsWith(verifyDetachedSignature({ ...base, trustedKeysPath: await put(env, 'blank.asc', '\n  \n') }), 'SIG_NO_KEYS', /is empty/);
  } finally {
    await env.cleanup();
  }
});

test('signature by a key that is not trusted -> SIG_UNTRUSTED naming the key id', async () => {
  const env = await makeEnv();
  try {
    const otherFpr = await fingerprintOf('other-TEST-ONLY.pub.asc');
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'other-TEST-ONLY.sec.asc'));
    const err = await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-TEST-ONLY.pub.asc'), now: NOW }),
      'SIG_UNTRUSTED',
    );
    assert.ok(err.message.includes(`key ID ${otherFpr.slice(-16)}`), err.message);
    assert.ok(err.message.includes('upstream-TEST-ONLY.pub.asc'), err.message);
  } finally {
    await env.cleanup();
  }
});

test('altered bytes -> SIG_INVALID (signature over other bytes; sdist with one flipped byte)', async () => {
  const env = await makeEnv();
  try {
    const trusted = key('upstream-TEST-ONLY.pub.asc');
    // a signature made over different bytes
    const otherBytes = new TextEncoder().encode('some other release');
    const wrong = await put(env, 'wrong.asc', await sign(otherBytes, 'upstream-TEST-ONLY.sec.asc'));
    await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: wrong, trustedKeysPath: trusted, now: NOW }),
      'SIG_INVALID',
      /does not match its signature/,
    );

    // the right signature, one byte of the sdist flipped afterwards (sha256 recomputed, so only the signature can catch it)
    const good = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc'));
    const flipped = Uint8Array.from(env.bytes);
    flipped[7] = (flipped[7] as number) ^ 0x01;
    await writeFile(env.sdist.path, flipped);
    const tampered: LocalSdist = { ...env.sdist, sha256: sha256(flipped) };
    await rejectsWith(
      verifyDetachedSignature({ sdist: tampered, signaturePath: good, trustedKeysPath: trusted, now: NOW }),
      'SIG_INVALID',
      /demo-1\.0\.tar\.gz does not match/,
    );

    // the file changed after the earlier stage hashed it
    await rejectsWith(verifyDetachedSignature({ sdist: env.sdist, signaturePath: good, trustedKeysPath: trusted, now: NOW }), 'SIG_INVALID', /changed on disk/);

    // untrusted + tampered-with-trusted in one file: the trusted key's verdict is what is reported
    await writeFile(env.sdist.path, env.bytes);
    const mixed = await put(
      env,
      'mixed.asc',
      String(await sign(env.bytes, 'other-TEST-ONLY.sec.asc')) + String(await sign(otherBytes, 'upstream-TEST-ONLY.sec.asc')),
    );
    await rejectsWith(
      verifyDetachedSignature({ sdist: env.sdist, signaturePath: mixed, trustedKeysPath: trusted, now: NOW }),
      'SIG_INVALID',
      /and 1 other signature/,
    );
  } finally {
    await env.cleanup();
  }
});

test('garbage or wrong-kind signature file -> SIG_MALFORMED', async () => {
  const env = await makeEnv();
  try {
    const trusted = key('upstream-TEST-ONLY.pub.asc');
    const run = (p: string) => verifyDetachedSignature({ sdist: env.sdist, signaturePath: p, trustedKeysPath: trusted, now: NOW });
    await rejectsWith(run(await put(env, 'a.asc', 'this is not a signature\n')), 'SIG_MALFORMED', /a\.asc is not an OpenPGP detached signature/);
    await rejectsWith(run(await put(env, 'b.sig', new Uint8Array([0xc2, 0x03, 0x01, 0x02, 0x03]))), 'SIG_MALFORMED');
    await rejectsWith(run(await put(env, 'c.sig', new Uint8Array(64).fill(0x42))), 'SIG_MALFORMED');
    await rejectsWith(run(await put(env, 'd.asc', '')), 'SIG_MALFORMED', /is empty/);
    await rejectsWith(run(await put(env, 'e.asc', '-----BEGIN PGP SIGNATURE-----\n\nwnUEABYKACcFgmd0hYAJ\n')), 'SIG_MALFORMED', /no matching END/);
    await rejectsWith(run(await put(env, 'f.asc', '-----BEGIN PGP SIGNATURE-----\n\n!!!!\n-----END PGP SIGNATURE-----\n')), 'SIG_MALFORMED');
    // a public key handed over as the signature
    await rejectsWith(run(key('upstream-TEST-ONLY.pub.asc')), 'SIG_MALFORMED', /public key block/);
    // a signed message (gpg --sign) instead of a detached signature
    const inline = await openpgp.sign({
      message: await openpgp.createMessage({ binary: env.bytes }),
      signingKeys: await openpgp.readPrivateKey({ armoredKey: await readFile(key('upstream-TEST-ONLY.sec.asc'), 'utf8') }),
    });
    await rejectsWith(run(await put(env, 'g.asc', inline)), 'SIG_MALFORMED', /message/);
    // a directory
    await rejectsWith(run(env.dir), 'SIG_MALFORMED', /not a regular file/);
  } finally {
    await env.cleanup();
  }
});

test('garbage keyring -> SIG_BAD_KEYRING', async () => {
  const env = await makeEnv();
  try {
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc'));
    const run = (ring: string) => verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: ring, now: NOW });
    await rejectsWith(run(await put(env, 'k1.asc', 'not a keyring at all\n')), 'SIG_BAD_KEYRING', /k1\.asc is not an OpenPGP keyring/);
    await rejectsWith(run(await put(env, 'k2.gpg', new Uint8Array([0x99, 0x00, 0x05, 1, 2, 3, 4, 5, 6, 7]))), 'SIG_BAD_KEYRING');
    await rejectsWith(run(await put(env, 'k3.asc', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nzzzz\n-----END PGP PUBLIC KEY BLOCK-----\n')), 'SIG_BAD_KEYRING');
    await rejectsWith(run(sigPath), 'SIG_BAD_KEYRING', /holds a PGP signature, not keys/);
  } finally {
    await env.cleanup();
  }
});
