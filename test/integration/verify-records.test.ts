/**
 * The verify stage's records (clamped times, unsigned provenance), the signing fixture CLI, and the cross-checks with gpgv and a genuine upstream triple.
 * Every bad input is built here, in a fresh temp directory, against the TEST-ONLY keys in
 * fixtures/keys/ (helpers: test/support/verify-harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Py2pkgError } from '../../src/errors.js';
import { clampToSourceDateEpoch, unsignedProvenance, verifyDetachedSignature } from '../../src/trust/verify.js';
import { execFileP, ROOT, key, NOW, sha256, fingerprintOf, makeEnv, sign, put, rejectsWith, okVerification } from '../support/verify-harness.js';
import type { LocalSdist } from '../../src/types.js';

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
