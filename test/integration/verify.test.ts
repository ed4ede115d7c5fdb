/**
 * The verify stage against the TEST-ONLY keys in fixtures/keys/. Every bad input is built
 * here, in a fresh temp directory; a real consumer (gpgv) cross-checks when it is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { Py2pkgError } from '../../src/errors.js';
import { clampToSourceDateEpoch, unsignedProvenance, verifyDetachedSignature } from '../../src/trust/verify.js';
import type { LocalSdist, Provenance } from '../../src/types.js';
import { signDetached } from '../../fixtures/sign.js';

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KEYS = join(ROOT, 'fixtures/keys');
const key = (name: string): string => join(KEYS, name);

/** All signatures are made at SIGNED_AT and checked at NOW, so no test depends on the clock. */
const SIGNED_AT = new Date('2026-01-02T03:04:05Z');
const NOW = new Date('2026-06-01T00:00:00Z');

const UPSTREAM_UID = 'py2pkg upstream signer (TEST-ONLY, never trust) <upstream@test.invalid>';
const OTHER_UID = 'py2pkg other signer (TEST-ONLY, never trust) <other@test.invalid>';

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

async function fingerprintOf(file: string): Promise<string> {
  const k = await openpgp.readKey({ armoredKey: await readFile(key(file), 'utf8') });
  return k.getFingerprint().toUpperCase();
}

interface Env {
  dir: string;
  sdist: LocalSdist;
  bytes: Uint8Array;
  cleanup(): Promise<void>;
}

/** A fake sdist (verify only sees bytes) in a fresh temp dir. */
async function makeEnv(content = 'demo-1.0.tar.gz contents\n\0\x01\x02 binary tail'): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-verify-'));
  const bytes = new TextEncoder().encode(content);
  const path = join(dir, 'demo-1.0.tar.gz');
  await writeFile(path, bytes);
  return {
    dir,
    bytes,
    sdist: { path, filename: 'demo-1.0.tar.gz', sha256: sha256(bytes), size: bytes.length },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function sign(data: Uint8Array, secretFile: string, opts: { armor?: boolean; date?: Date } = {}): Promise<string | Uint8Array> {
  return signDetached(data, await readFile(key(secretFile), 'utf8'), { date: SIGNED_AT, ...opts });
}

async function put(env: Env, name: string, data: string | Uint8Array): Promise<string> {
  const p = join(env.dir, name);
  await writeFile(p, data);
  return p;
}

let materialCache: string[] | undefined;
/** The base64 body lines of every fixture key file (armored key material). */
async function keyMaterialLines(): Promise<string[]> {
  if (materialCache) return materialCache;
  const files = ['upstream-TEST-ONLY', 'other-TEST-ONLY', 'upstream-revoked-TEST-ONLY', 'upstream-expired-TEST-ONLY'].flatMap((b) => [
    `${b}.pub.asc`,
    `${b}.sec.asc`,
  ]);
  const lines: string[] = [];
  for (const f of files) {
    for (const l of (await readFile(key(f), 'utf8')).split('\n')) if (/^[A-Za-z0-9+/=]{24,}$/.test(l)) lines.push(l.slice(0, 24));
  }
  assert.ok(lines.length > 20);
  materialCache = lines;
  return lines;
}

/** Asserts the code, that the one line the user sees is one line, and that no key material leaks. */
async function rejectsWith(p: Promise<unknown>, code: string, messagePattern?: RegExp): Promise<Py2pkgError> {
  let caught: unknown;
  await assert.rejects(p, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof Py2pkgError, `expected a Py2pkgError, got ${String(caught)}`);
  const err = caught;
  assert.equal(err.code, code, `wrong code; message was: ${err.message}`);
  const line = err.oneLine();
  assert.equal(line.split('\n').length, 1);
  assert.doesNotMatch(line, /[\r\n]/);
  assert.ok(line.startsWith(`py2pkg: error[${code}]: `), line);
  assert.equal(err.exitStatus, 3);
  assert.doesNotMatch(line, /BEGIN PGP/, 'no armor in the message');
  for (const chunk of await keyMaterialLines()) assert.ok(!line.includes(chunk), 'no key material in the message');
  if (messagePattern) assert.match(err.message, messagePattern);
  return err;
}

function okVerification(p: Provenance) {
  assert.equal(p.verification.method, 'openpgp-detached-signature');
  if (p.verification.method !== 'openpgp-detached-signature') throw new Error('unreachable');
  return p.verification;
}

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

test('verifiedAt is clamped to SOURCE_DATE_EPOCH when that is earlier', async () => {
  const env = await makeEnv();
  try {
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc'));
    const base = { sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('upstream-TEST-ONLY.pub.asc'), now: NOW };
    const earlier = Date.UTC(2026, 0, 15) / 1000;
    assert.equal((await verifyDetachedSignature({ ...base, sourceDateEpoch: earlier })).verifiedAt, '2026-01-15T00:00:00.000Z');
    const later = Date.UTC(2030, 0, 1) / 1000;
    assert.equal((await verifyDetachedSignature({ ...base, sourceDateEpoch: later })).verifiedAt, NOW.toISOString());
    // the clamp changes only what is recorded, not the time keys are checked at
    const p = await verifyDetachedSignature({ ...base, sourceDateEpoch: 0 });
    assert.equal(p.verifiedAt, '1970-01-01T00:00:00.000Z');

    assert.equal(clampToSourceDateEpoch(NOW, 1_700_000_000).toISOString(), '2023-11-14T22:13:20.000Z');
    assert.throws(
      () => clampToSourceDateEpoch(NOW, -1),
      (e: unknown) => e instanceof Py2pkgError && e.code === 'CONFIG',
    );
    assert.throws(
      () => clampToSourceDateEpoch(NOW, 1.5),
      (e: unknown) => e instanceof Py2pkgError && e.code === 'CONFIG',
    );

    // default now is the real clock
    const before = Date.now();
    const q = await verifyDetachedSignature({ ...base, now: undefined });
    const at = Date.parse(q.verifiedAt);
    assert.ok(at >= before - 1000 && at <= Date.now() + 1000, q.verifiedAt);
  } finally {
    await env.cleanup();
  }
});

test('unsignedProvenance records the reason and clamps the time', () => {
  const sdist: LocalSdist = { path: '/tmp/x/demo-1.0.tar.gz', filename: 'demo-1.0.tar.gz', sha256: 'ab'.repeat(32), size: 42 };
  const p = unsignedProvenance(sdist, '--allow-unsigned given', NOW, Date.UTC(2026, 0, 1) / 1000);
  assert.deepEqual(p, {
    sdist: { filename: 'demo-1.0.tar.gz', sha256: 'ab'.repeat(32), size: 42 },
    unsigned: true,
    verification: { method: 'none', reason: '--allow-unsigned given' },
    verifiedAt: '2026-01-01T00:00:00.000Z',
  });
  assert.equal(unsignedProvenance(sdist, 'r', NOW).verifiedAt, NOW.toISOString());
});

test('fixtures/sign.js CLI writes FILE.asc that verifies', async () => {
  const env = await makeEnv();
  try {
    const script = join(ROOT, 'dist/fixtures/sign.js');
    const { stdout } = await execFileP(process.execPath, [script, '--key', key('upstream-TEST-ONLY.sec.asc'), env.sdist.path]);
    assert.equal(stdout.trim(), `${env.sdist.path}.asc`);
    const text = await readFile(`${env.sdist.path}.asc`, 'utf8');
    assert.ok(text.startsWith('-----BEGIN PGP SIGNATURE-----'));
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: `${env.sdist.path}.asc`, trustedKeysPath: key('upstream-TEST-ONLY.pub.asc') });
    assert.equal(okVerification(p).signers[0]?.fingerprint, await fingerprintOf('upstream-TEST-ONLY.pub.asc'));
  } finally {
    await env.cleanup();
  }
});

const GPGV = '/usr/bin/gpgv';
test('gpgv agrees: same signature, same signer fingerprint', { skip: existsSync(GPGV) ? false : 'gpgv is not installed' }, async () => {
  const env = await makeEnv();
  try {
    const sigPath = await put(env, 'demo-1.0.tar.gz.asc', await sign(env.bytes, 'upstream-TEST-ONLY.sec.asc'));
    const home = join(env.dir, 'gnupg');
    await execFileP('mkdir', ['-m', '700', home]);
    const { stdout } = await execFileP(GPGV, ['--status-fd', '1', '--keyring', key('trusted-TEST-ONLY.gpg'), sigPath, env.sdist.path], {
      env: { PATH: '/usr/bin:/bin', GNUPGHOME: home, LANG: 'C' },
    });
    const validsig = /^\[GNUPG:\] VALIDSIG (\S+) /m.exec(stdout);
    assert.ok(validsig, stdout);
    const p = await verifyDetachedSignature({ sdist: env.sdist, signaturePath: sigPath, trustedKeysPath: key('trusted-TEST-ONLY.gpg'), now: NOW });
    assert.equal(okVerification(p).signers[0]?.fingerprint, validsig[1]);

    // and gpgv refuses the flipped byte too
    const flipped = Uint8Array.from(env.bytes);
    flipped[0] = (flipped[0] as number) ^ 0x80;
    await writeFile(env.sdist.path, flipped);
    await assert.rejects(
      execFileP(GPGV, ['--status-fd', '1', '--keyring', key('trusted-TEST-ONLY.gpg'), sigPath, env.sdist.path], {
        env: { PATH: '/usr/bin:/bin', GNUPGHOME: home, LANG: 'C' },
      }),
    );
  } finally {
    await env.cleanup();
  }
});

// A genuine upstream triple (see ../shared/vectors/pgp/README.md): RSA-4096 primary, RSA signing
// subkey and Ed25519 signers; fingerprints as reported by gpgv and sqv.
const VECTORS = join(ROOT, '../shared/vectors/pgp/bitcoin-core-31.1');
test(
  'real-world signatures (bitcoin-core guix.sigs): signers and subkey reported like gpgv/sqv',
  { skip: existsSync(VECTORS) ? false : 'shared vectors not present' },
  async () => {
    const file = join(VECTORS, 'all.SHA256SUMS');
    const bytes = await readFile(file);
    const sdist: LocalSdist = { path: file, filename: basename(file), sha256: sha256(bytes), size: bytes.length };
    const when = new Date('2026-11-26T00:00:00Z'); // the keys expire in 2027
    const expected: Record<string, { fpr: string; keyId: string }> = {
      achow101: { fpr: '152812300785C96444D3334D17565732E08E5E41', keyId: '17565732E08E5E41' },
      fanquake: { fpr: 'E777299FC265DD04793070EB944D35F9AC3DB76A', keyId: '2EEB9F5CC09526C1' },
      marcofleon: { fpr: '5B286407E1EA6FE01CF9AF48BF131C2D0536F8AC', keyId: 'BF131C2D0536F8AC' },
    };
    for (const [who, want] of Object.entries(expected)) {
      const p = await verifyDetachedSignature({
        sdist,
        signaturePath: join(VECTORS, `all.SHA256SUMS.${who}.asc`),
        trustedKeysPath: join(VECTORS, `${who}.gpg`),
        now: when,
      });
      const signers = okVerification(p).signers;
      assert.equal(signers.length, 1);
      assert.equal(signers[0]?.fingerprint, want.fpr);
      assert.equal(signers[0]?.keyId, want.keyId);
    }
    // all three signatures in one file, all three keys in one keyring
    const env = await makeEnv();
    try {
      const names = Object.keys(expected);
      const sigs = (await Promise.all(names.map((n) => readFile(join(VECTORS, `all.SHA256SUMS.${n}.asc`), 'utf8')))).join('\n');
      const ring = (await Promise.all(names.map((n) => readFile(join(VECTORS, `${n}.gpg`), 'utf8')))).join('\n');
      const p = await verifyDetachedSignature({
        sdist,
        signaturePath: await put(env, 'all.asc', sigs),
        trustedKeysPath: await put(env, 'ring.asc', ring),
        now: when,
      });
      assert.deepEqual(
        okVerification(p)
          .signers.map((s) => s.fingerprint)
          .sort(),
        Object.values(expected)
          .map((e) => e.fpr)
          .sort(),
      );
      // achow101's key signed, but only fanquake's key is trusted -> fanquake alone
      const only = await verifyDetachedSignature({ sdist, signaturePath: join(env.dir, 'all.asc'), trustedKeysPath: join(VECTORS, 'fanquake.gpg'), now: when });
      assert.deepEqual(
        okVerification(only).signers.map((s) => s.fingerprint),
        [expected.fanquake?.fpr],
      );
      // wrong key -> untrusted
      await rejectsWith(
        verifyDetachedSignature({
          sdist,
          signaturePath: join(VECTORS, 'all.SHA256SUMS.achow101.asc'),
          trustedKeysPath: join(VECTORS, 'fanquake.gpg'),
          now: when,
        }),
        'SIG_UNTRUSTED',
        /17565732E08E5E41/,
      );
    } finally {
      await env.cleanup();
    }
  },
);
