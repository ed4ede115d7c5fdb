/**
 * The organization's signing key: what py2pkg keygen makes, which keys are refused before
 * anything is written (v6, Ed25519 algorithm 27, NIST curves, short RSA, certify-only
 * primaries, expired, revoked, public keys), where a passphrase may come from, and that
 * the signatures py2pkg makes in-process are accepted by GnuPG's gpgv (the verifier apt
 * runs). The gpg signer (--gpg-key) is driven against a real gpg-agent in a temp GNUPGHOME.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSigner } from '../../src/sign/signer.js';
import { armorSignature } from '../../src/sign/armor.js';
import { keysDir, py2pkg, SYSTEM_PATH } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const ED_SEC = join(keysDir, 'org-repo-ed-TEST-ONLY.sec.asc');
const ED_PUB = join(keysDir, 'org-repo-ed-TEST-ONLY.pub.asc');
const PROT_SEC = join(keysDir, 'org-repo-protected-TEST-ONLY.sec.asc');
const TEST_PASSPHRASE = 'TEST-ONLY passphrase, never use';

let work: string;
let gnupg: string;
let deb: string;

const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

async function gpg(args: string[], input?: string) {
  return execa('/usr/bin/gpg', ['--homedir', gnupg, '--batch', '--no-tty', ...args], {
    env: sys,
    extendEnv: false,
    reject: false,
    ...(input !== undefined ? { input } : {}),
  });
}

/** A dearmored keyring file for gpgv. */
async function keyring(pub: string, name: string): Promise<string> {
  const out = join(work, `${name}.gpg`);
  await execa('/usr/bin/gpg', ['--homedir', gnupg, '--batch', '--yes', '--output', out, '--dearmor', pub], { env: sys, extendEnv: false });
  return out;
}

async function gpgv(ring: string, ...files: string[]) {
  return execa('/usr/bin/gpgv', ['--homedir', gnupg, '--keyring', ring, ...files], { env: sys, extendEnv: false, reject: false });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-sign-keys-'));
  gnupg = join(work, 'gnupg');
  await execa('/usr/bin/mkdir', ['-m', '700', gnupg]);
  deb = await tinyDeb(work, 'py2pkg-keytest', '1.0-1');
});

after(async () => {
  await execa('/usr/bin/gpgconf', ['--homedir', gnupg, '--kill', 'all'], { env: sys, extendEnv: false, reject: false });
  await rm(work, { recursive: true, force: true });
});

/** A minimal .deb built with dpkg-deb (this file needs packages, not conversions). */
async function tinyDeb(dir: string, name: string, version: string): Promise<string> {
  const root = join(dir, `${name}-${version}-root`);
  await execa('/usr/bin/mkdir', ['-p', join(root, 'DEBIAN'), join(root, 'usr/share', name)]);
  await writeFile(
    join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test package\n tiny\n`,
  );
  await writeFile(join(root, 'usr/share', name, 'hello.txt'), `${name} ${version}\n`);
  const out = join(dir, `${name}_${version}_all.deb`);
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, out], { env: sys, extendEnv: false });
  return out;
}

/** A secret key file made with openpgp.js options (for the refusal cases). */
async function openpgpKey(
  name: string,
  opts: Record<string, unknown>,
  transform?: (k: import('openpgp').PrivateKey) => Promise<import('openpgp').PrivateKey>,
): Promise<string> {
  const openpgp = await import('openpgp');
  const { privateKey } = await openpgp.generateKey({ userIDs: [{ name, email: 'k@test.invalid' }], format: 'object', ...opts } as Parameters<
    typeof openpgp.generateKey
  >[0] & { format: 'object' });
  const key = transform ? await transform(privateKey) : privateKey;
  const path = join(work, `${name}.sec.asc`);
  await writeFile(path, key.armor());
  return path;
}

/** A secret key made by gpg in the temp home, exported to a file; returns [file, primary fpr, subkey fpr]. */
async function gpgKey(uid: string, algo: string, usage: string, subkey?: string): Promise<[string, string, string | undefined]> {
  const gen = await gpg(['--passphrase', '', '--quick-gen-key', uid, algo, usage, 'never']);
  assert.equal(gen.exitCode, 0, gen.stderr);
  const list = await gpg(['--with-colons', '--list-keys', uid]);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(list.stdout)![1]!;
  let sub: string | undefined;
  if (subkey) {
    const add = await gpg(['--passphrase', '', '--quick-add-key', fpr, subkey, 'sign', 'never']);
    assert.equal(add.exitCode, 0, add.stderr);
    const l2 = await gpg(['--with-colons', '--list-keys', fpr]);
    sub = [...l2.stdout.matchAll(/^fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]!).find((f) => f !== fpr);
  }
  const exp = await gpg(['--armor', '--export-secret-keys', fpr]);
  const path = join(work, `${uid.replace(/\W+/g, '-')}.sec.asc`);
  await writeFile(path, exp.stdout);
  return [path, fpr, sub];
}

test('keygen makes v4 primary-only signing keys (RSA-4096 by default, curve25519Legacy) that gpg reads as [SC]', async () => {
  for (const [type, algo] of [
    ['curve25519Legacy', '22'],
    ['rsa4096', '1'],
  ] as const) {
    const prefix = join(work, `kg-${type}`);
    const r = await py2pkg([
      'keygen',
      '--name',
      'Example Org Repo',
      '--email',
      'repo@example.org',
      '--out',
      prefix,
      ...(type === 'rsa4096' ? [] : ['--type', type]),
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    const fpr = r.stdout.trim();
    assert.match(fpr, /^[0-9A-F]{40}$/);
    assert.equal((await stat(`${prefix}.sec.asc`)).mode & 0o777, 0o600);
    const shown = await execa('/usr/bin/gpg', ['--homedir', gnupg, '--batch', '--with-colons', '--show-keys', `${prefix}.pub.asc`], {
      env: sys,
      extendEnv: false,
    });
    const pub = shown.stdout
      .split('\n')
      .find((l) => l.startsWith('pub:'))!
      .split(':');
    assert.equal(pub[3], algo, `algorithm of ${type}`);
    if (type === 'rsa4096') assert.equal(pub[2], '4096');
    assert.match(pub[11] ?? '', /s/, 'the primary key signs');
    assert.ok(!/^sub:/m.test(shown.stdout), 'no subkeys');
    assert.ok(shown.stdout.includes(fpr));
    // the key works: publish with it
    const repo = join(work, `kg-repo-${type}`);
    const p = await py2pkg(['publish', deb, '--repo', repo, '--sign-key', `${prefix}.sec.asc`, '--quiet']);
    assert.equal(p.exitCode, 0, p.stderr);
  }
  const again = await py2pkg(['keygen', '--name', 'Example Org Repo', '--out', join(work, 'kg-curve25519Legacy'), '--type', 'curve25519Legacy']);
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /never overwrites/);
  const noPass = await py2pkg(['keygen', '--name', 'X', '--out', join(work, 'kg-prot'), '--type', 'curve25519Legacy', '--protect']);
  assert.equal(noPass.exitCode, 2);
  assert.match(noPass.stderr, /error\[KEY_PASSPHRASE\]/);
  const prot = await py2pkg(['keygen', '--name', 'X', '--out', join(work, 'kg-prot'), '--type', 'curve25519Legacy', '--protect'], {
    PY2PKG_PASSPHRASE: 'kg secret',
  });
  assert.equal(prot.exitCode, 0, prot.stderr);
  const openpgp = await import('openpgp');
  const k = await openpgp.readPrivateKey({ armoredKey: await readFile(join(work, 'kg-prot.sec.asc'), 'utf8') });
  assert.equal(k.isDecrypted(), false, 'the secret key is encrypted');
});

test('keys RPM 4.18 or gpgv cannot use are refused with one clear line before anything is written', async () => {
  const openpgp = await import('openpgp');
  const cases: Array<[string, string, RegExp]> = [
    ['v6 key', await openpgpKey('v6', { type: 'curve25519', config: { v6Keys: true } }), /v6 key/],
    ['Ed25519 algorithm 27', await openpgpKey('ed27', { type: 'curve25519', config: { v6Keys: false } }), /algorithm 27/],
    ['NIST P-256', await openpgpKey('p256', { type: 'ecc', curve: 'nistP256', config: { v6Keys: false } }), /ECDSA/],
    [
      'revoked',
      await openpgpKey(
        'revoked',
        { type: 'ecc', curve: 'curve25519Legacy', subkeys: [], config: { v6Keys: false } },
        async (k) => (await openpgp.revokeKey({ key: k, format: 'object' })).privateKey,
      ),
      /revoked, expired/,
    ],
    ['expired', join(keysDir, 'upstream-expired-TEST-ONLY.sec.asc'), /revoked, expired/],
    ['RSA 1024 (gpg)', (await gpgKey('short rsa <s@test.invalid>', 'rsa1024', 'sign'))[0], /at least 2048 bits/],
    [
      'certify-only primary with a signing subkey (gpg)',
      (await gpgKey('cert only <c@test.invalid>', 'ed25519', 'cert', 'ed25519'))[0],
      /not allowed to sign data/,
    ],
  ];
  for (const [what, file, reason] of cases) {
    const repo = join(work, `refused-${what.replace(/\W+/g, '-')}`);
    const r = await py2pkg(['publish', deb, '--repo', repo, '--sign-key', file]);
    assert.equal(r.exitCode, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /^py2pkg: error\[KEY_UNUSABLE\]: /, what);
    assert.match(r.stderr, reason, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
    assert.equal(existsSync(repo), false, `${what}: nothing written`);
  }
  const notKey = join(work, 'garbage.asc');
  await writeFile(notKey, '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nc2VjcmV0LWJ5dGVzLW5ldmVyLWVjaG9lZA==\n-----END PGP PRIVATE KEY BLOCK-----\n');
  for (const [file, code] of [
    [ORG_PUB, /KEY_READ\].*is a public key/],
    [notKey, /KEY_READ\].*not an OpenPGP secret key/],
  ] as const) {
    const r = await py2pkg(['publish', deb, '--repo', join(work, 'r-x'), '--sign-key', file]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, code);
    assert.doesNotMatch(r.stderr, /c2VjcmV0|BEGIN PGP/, 'the key file is never echoed');
  }
  const both = await readFile(ORG_SEC, 'utf8').then(async (a) => a + (await readFile(ED_SEC, 'utf8')));
  await writeFile(join(work, 'two.asc'), both);
  const two = await py2pkg(['publish', deb, '--repo', join(work, 'r-two'), '--sign-key', join(work, 'two.asc')]);
  assert.match(two.stderr, /error\[KEY_READ\].*holds 2 armored blocks/);
});

test('an unusable key stops convert before the build starts', async () => {
  const bad = await openpgpKey('v6-convert', { type: 'curve25519', config: { v6Keys: true } });
  const out = join(work, 'out-unusable');
  await execa('/usr/bin/mkdir', [out]);
  const sdist = join(keysDir, '..', 'dist', 'rpc4django-0.6.3.tar.gz');
  const r = await py2pkg([
    '--trusted-keys',
    join(keysDir, 'upstream-TEST-ONLY.pub.asc'),
    '--out',
    out,
    '--maintainer',
    'T <t@example.org>',
    '--sign-key',
    bad,
    sdist,
  ]);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /error\[KEY_UNUSABLE\]/);
  assert.doesNotMatch(r.stderr, /py2pkg: (verify|build|package)/, 'nothing ran before the key was refused');
  assert.deepEqual(await import('node:fs/promises').then((fs) => fs.readdir(out)), []);
});

test('a passphrase comes from --passphrase-file or PY2PKG_PASSPHRASE; a wrong one is refused without being echoed', async () => {
  const run = (env: Record<string, string>, extra: string[] = []) =>
    py2pkg(['publish', deb, '--repo', join(work, `r-pass-${Math.random().toString(36).slice(2)}`), '--sign-key', PROT_SEC, '--quiet', ...extra], env);
  const none = await run({});
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /error\[KEY_PASSPHRASE\].*protected by a passphrase and none was given/);
  const wrong = await run({ PY2PKG_PASSPHRASE: 'hunter2-wrong-guess' });
  assert.equal(wrong.exitCode, 2);
  assert.match(wrong.stderr, /error\[KEY_PASSPHRASE\].*does not unlock/);
  assert.doesNotMatch(wrong.stderr, /hunter2/);
  const viaEnv = await run({ PY2PKG_PASSPHRASE: TEST_PASSPHRASE });
  assert.equal(viaEnv.exitCode, 0, viaEnv.stderr);
  const file = join(work, 'pass.txt');
  await writeFile(file, `${TEST_PASSPHRASE}\nsecond line ignored\n`);
  await chmod(file, 0o600);
  const viaFile = await run({}, ['--passphrase-file', file]);
  assert.equal(viaFile.exitCode, 0, viaFile.stderr);
  const missing = await run({}, ['--passphrase-file', join(work, 'nope.txt')]);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /error\[KEY_PASSPHRASE\].*cannot read the passphrase file/);
  const both = await py2pkg(['publish', deb, '--repo', join(work, 'r-both'), '--sign-key', ORG_SEC, '--gpg-key', '0'.repeat(40)]);
  assert.equal(both.exitCode, 2);
});

test('signatures made in-process are accepted by gpgv: detached binary, armored and cleartext, RSA-4096 and Ed25519; one flipped byte is refused', async () => {
  const data = join(work, 'data.bin');
  await writeFile(data, Buffer.alloc(3 * 1024 * 1024 + 7, 0x61));
  for (const [sec, pub, name] of [
    [ORG_SEC, ORG_PUB, 'rsa'],
    [ED_SEC, ED_PUB, 'ed'],
  ] as const) {
    const signer = await openSigner({ kind: 'key-file', keyFile: sec });
    try {
      const size = (await stat(data)).size;
      const sig = await signer.detachSign({ kind: 'ranges', ranges: [{ path: data, start: 0, length: size }] });
      await writeFile(join(work, `${name}.sig`), sig);
      await writeFile(join(work, `${name}.asc`), await armorSignature(sig));
      await writeFile(join(work, `${name}.InRelease`), await signer.clearSign('Origin: py2pkg\nLabel: x  \n-dash\nSHA256:\n abc 1 main/binary-all/Packages\n'));
      const ring = await keyring(pub, name);
      for (const f of [`${name}.sig`, `${name}.asc`]) {
        const v = await gpgv(ring, join(work, f), data);
        assert.equal(v.exitCode, 0, `${name} ${f}: ${v.stderr}`);
        assert.match(v.stderr, /Good signature/);
      }
      const clear = await gpgv(ring, join(work, `${name}.InRelease`));
      assert.equal(clear.exitCode, 0, clear.stderr);
      const packet = Buffer.from(sig);
      assert.equal(packet[0], 0xc2, 'one new-format signature packet');
      const openpgp = await import('openpgp');
      const parsed = await openpgp.readSignature({ binarySignature: packet });
      assert.equal(parsed.packets.length, 1);
      assert.equal(parsed.packets[0]!.version, 4);
      assert.equal(Buffer.from(parsed.packets[0]!.issuerFingerprint!).toString('hex').toUpperCase(), signer.key.fingerprint, 'made by the primary key');
      const flipped = join(work, `${name}.flipped`);
      const bytes = await readFile(data);
      bytes[1024 * 1024] = bytes[1024 * 1024]! ^ 0x01;
      await writeFile(flipped, bytes);
      const bad = await gpgv(ring, join(work, `${name}.sig`), flipped);
      assert.notEqual(bad.exitCode, 0);
      assert.match(bad.stderr, /BAD signature/);
    } finally {
      await signer.close();
    }
  }
});

test('--gpg-key signs with the primary key gpg-agent holds; a subkey fingerprint or a certify-only key is refused', async () => {
  const imp = await gpg(['--import', ED_SEC]);
  assert.equal(imp.exitCode, 0, imp.stderr);
  const openpgp = await import('openpgp');
  const fpr = (await openpgp.readKey({ armoredKey: await readFile(ED_PUB, 'utf8') })).getFingerprint().toUpperCase();
  const env = { GNUPGHOME: gnupg };
  const repo = join(work, 'r-gpg');
  const r = await py2pkg(['publish', deb, '--repo', repo, '--gpg-key', fpr.toLowerCase().replace(/(.{4})/g, '$1 '), '--quiet'], env);
  assert.equal(r.exitCode, 0, r.stderr);
  const v = await py2pkg(['verify', repo, '--key', ED_PUB]);
  assert.equal(v.exitCode, 0, v.stdout + v.stderr);
  const ring = await keyring(ED_PUB, 'ed-gpg');
  const g = await gpgv(ring, join(repo, 'dists/stable/InRelease'));
  assert.equal(g.exitCode, 0, g.stderr);

  const [, certOnly, sub] = await gpgKey('gpg cert only <g@test.invalid>', 'ed25519', 'cert', 'ed25519');
  const c = await py2pkg(['publish', deb, '--repo', join(work, 'r-gpg-cert'), '--gpg-key', certOnly], env);
  assert.equal(c.exitCode, 2);
  assert.match(c.stderr, /error\[KEY_UNUSABLE\].*not allowed to sign data/);
  const s = await py2pkg(['publish', deb, '--repo', join(work, 'r-gpg-sub'), '--gpg-key', sub!], env);
  assert.equal(s.exitCode, 2);
  assert.match(s.stderr, /error\[KEY_UNUSABLE\].*is a subkey of/);
  const unknown = await py2pkg(['publish', deb, '--repo', join(work, 'r-gpg-unknown'), '--gpg-key', 'A'.repeat(40)], env);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /error\[KEY_GPG\]/);
  const badFpr = await py2pkg(['publish', deb, '--repo', join(work, 'r-gpg-bad'), '--gpg-key', 'ABCD'], env);
  assert.equal(badFpr.exitCode, 2);
  assert.match(badFpr.stderr, /40-hex-digit fingerprint/);
});
