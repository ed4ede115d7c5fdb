/**
 * RPM header signatures, judged by `rpmkeys --checksig -v` with the key imported into a
 * temp --dbpath. The test builds its .rpm with rpmbuild from a minimal spec (the RPM output
 * format is a separate issue). Signing goes through rpmsign with py2pkg's own
 * __gpg_sign_cmd helper (key file) or gpg (--gpg-key); `py2pkg verify` must agree with
 * rpmkeys. While rpmsign runs, every process's argv and environment are watched: the key
 * and passphrase must never be in them.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readRpmLayout } from '../../src/sign/rpm-header.js';
import { rpmAddSign } from '../../src/sign/rpm-sign.js';
import { openSigner } from '../../src/sign/signer.js';
import { keysDir, py2pkg, SYSTEM_PATH } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const ED_SEC = join(keysDir, 'org-repo-ed-TEST-ONLY.sec.asc');
const ED_PUB = join(keysDir, 'org-repo-ed-TEST-ONLY.pub.asc');
const PROT_SEC = join(keysDir, 'org-repo-protected-TEST-ONLY.sec.asc');
const PROT_PUB = join(keysDir, 'org-repo-protected-TEST-ONLY.pub.asc');
const OTHER_PUB = join(keysDir, 'other-TEST-ONLY.pub.asc');
const PASSPHRASE = 'TEST-ONLY passphrase, never use';
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

let work: string;
let unsignedRpm: string;

/** A minimal noarch .rpm built by rpmbuild. */
async function buildTestRpm(dir: string, name: string, version: string): Promise<string> {
  const top = join(dir, `rpmbuild-${name}-${version}`);
  const spec = join(dir, `${name}-${version}.spec`);
  await writeFile(
    spec,
    `Name: ${name}\nVersion: ${version}\nRelease: 1\nSummary: py2pkg signing test\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n%description\npy2pkg signing test package\n%install\nmkdir -p %{buildroot}/opt/${name}\necho '${name} ${version}' > %{buildroot}/opt/${name}/hello.txt\n%files\n/opt/${name}/hello.txt\n`,
  );
  await execa('/usr/bin/rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', '_build_id_links none', spec], {
    env: { ...sys, HOME: dir },
    extendEnv: false,
  });
  return join(top, 'RPMS', 'noarch', `${name}-${version}-1.noarch.rpm`);
}

async function checksig(rpm: string, pub: string): Promise<{ exitCode: number; out: string }> {
  const db = await mkdtemp(join(work, 'rpmdb-'));
  await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--import', pub], { env: sys, extendEnv: false });
  const r = await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--define', '_pkgverify_level signature', '--checksig', '-v', rpm], {
    env: sys,
    extendEnv: false,
    reject: false,
  });
  return { exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

async function flip(src: string, dst: string, at: number): Promise<void> {
  const b = await readFile(src);
  b[at] = b[at]! ^ 0x01;
  await writeFile(dst, b);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-sign-rpm-'));
  unsignedRpm = await buildTestRpm(work, 'py2pkg-signtest', '1.0');
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('a key-file signature through the __gpg_sign_cmd helper: rpmkeys --checksig says OK, and so does py2pkg verify (RSA-4096, Ed25519)', async () => {
  for (const [sec, pub, algo] of [
    [ORG_SEC, ORG_PUB, 'RSA'],
    [ED_SEC, ED_PUB, 'EdDSA'],
  ] as const) {
    const rpm = join(work, `signed-${algo}.rpm`);
    await copyFile(unsignedRpm, rpm);
    const signer = await openSigner({ kind: 'key-file', keyFile: sec });
    try {
      await rpmAddSign(rpm, signer, await mkdtemp(join(work, 'w-')));
    } finally {
      await signer.close();
    }
    const c = await checksig(rpm, pub);
    assert.equal(c.exitCode, 0, c.out);
    assert.match(c.out, new RegExp(`Header V4 ${algo}/SHA256 Signature, key ID [0-9a-f]{8}: OK`));
    assert.match(c.out, /Payload SHA256 digest: OK/);
    const v = await py2pkg(['verify', rpm, '--key', pub]);
    assert.equal(v.exitCode, 0, v.stderr);
    assert.match(v.stdout, /header signature: good signature/);
    assert.match(v.stdout, /payload SHA256 digest: matches/);
  }
});

test('tampered payload or header: rpmkeys says BAD, py2pkg verify says which link (11); unsigned and unknown key agree too', async () => {
  const rpm = join(work, 'signed-RSA.rpm');
  const layout = await readRpmLayout(rpm);
  const payload = join(work, 'tampered-payload.rpm');
  await flip(rpm, payload, layout.size - 20);
  const cp = await checksig(payload, ORG_PUB);
  assert.notEqual(cp.exitCode, 0);
  assert.match(cp.out, /Payload SHA256 digest: BAD/);
  const vp = await py2pkg(['verify', payload, '--key', ORG_PUB]);
  assert.equal(vp.exitCode, 11, vp.stderr);
  assert.match(vp.stderr, /error\[VERIFY_DIGEST_MISMATCH\]: .*payload digest/);

  const header = join(work, 'tampered-header.rpm');
  const headerAt = layout.payloadOffset - layout.header.blob.length;
  await flip(rpm, header, headerAt + layout.header.blob.length - 40);
  const ch = await checksig(header, ORG_PUB);
  assert.notEqual(ch.exitCode, 0);
  assert.match(ch.out, /Header V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: BAD/);
  const vh = await py2pkg(['verify', header, '--key', ORG_PUB]);
  assert.equal(vh.exitCode, 11, vh.stderr);
  assert.match(vh.stderr, /error\[VERIFY_BAD_SIGNATURE\]: .*header signature/);

  const cu = await checksig(unsignedRpm, ORG_PUB);
  assert.notEqual(cu.exitCode, 0);
  assert.match(cu.out, /Header RSA signature: NOTFOUND/);
  const vu = await py2pkg(['verify', unsignedRpm, '--key', ORG_PUB]);
  assert.equal(vu.exitCode, 10, vu.stderr);

  const co = await checksig(rpm, OTHER_PUB);
  assert.notEqual(co.exitCode, 0);
  assert.match(co.out, /NOKEY/);
  const vo = await py2pkg(['verify', rpm, '--key', OTHER_PUB]);
  assert.equal(vo.exitCode, 12, vo.stderr);
});

test('gpg signs for rpmsign with --gpg-key (agent-held key): rpmkeys OK', async () => {
  const gnupg = join(work, 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  const env = { ...sys, GNUPGHOME: gnupg };
  try {
    await execa('/usr/bin/gpg', ['--batch', '--import', ED_SEC], { env, extendEnv: false });
    const rpm = join(work, 'signed-gpg.rpm');
    await copyFile(unsignedRpm, rpm);
    const repo = join(work, 'yum-gpg');
    const openpgp = await import('openpgp');
    const fpr = (await openpgp.readKey({ armoredKey: await readFile(ED_PUB, 'utf8') })).getFingerprint();
    const p = await py2pkg(['publish', rpm, '--repo', repo, '--gpg-key', fpr, '--quiet'], { GNUPGHOME: gnupg });
    assert.equal(p.exitCode, 0, p.stderr);
    const c = await checksig(join(repo, 'Packages/p/py2pkg-signtest-1.0-1.noarch.rpm'), ED_PUB);
    assert.equal(c.exitCode, 0, c.out);
    assert.match(c.out, /Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  } finally {
    await execa('/usr/bin/gpgconf', ['--homedir', gnupg, '--kill', 'all'], { env, extendEnv: false, reject: false });
  }
});

test('a key with an openpgp.js-made signing subkey: rpmkeys cannot even import it, and py2pkg refuses it up front', async () => {
  const openpgp = await import('openpgp');
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'subkey test', email: 's@test.invalid' }],
    subkeys: [{ sign: true }],
    format: 'armored',
    config: { v6Keys: false },
  });
  const sec = join(work, 'withsub.sec.asc');
  const pub = join(work, 'withsub.pub.asc');
  await writeFile(sec, privateKey);
  await writeFile(pub, publicKey);
  const db = await mkdtemp(join(work, 'rpmdb-'));
  const imp = await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--import', pub], { env: sys, extendEnv: false, reject: false });
  assert.notEqual(imp.exitCode, 0, 'RPM 4.18 refuses the key');
  const repo = join(work, 'yum-withsub');
  const r = await py2pkg(['publish', unsignedRpm, '--repo', repo, '--sign-key', sec]);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /error\[KEY_UNUSABLE\]: .*critical subpacket 32/);
  // and the keys py2pkg keygen makes import fine (fixtures/keys were made by it)
  for (const k of [ORG_PUB, ED_PUB]) {
    const ok = await execa('/usr/bin/rpmkeys', ['--dbpath', await mkdtemp(join(work, 'rpmdb-')), '--import', k], { env: sys, extendEnv: false, reject: false });
    assert.equal(ok.exitCode, 0, ok.stderr);
  }
});

/** Every process's argv and environment, as a hostile process of the same user could read them. */
function procSnapshot(): Array<{ pid: string; cmdline: string; environ: string }> {
  const out: Array<{ pid: string; cmdline: string; environ: string }> = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === String(process.pid)) continue;
    try {
      out.push({ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'latin1'), environ: readFileSync(`/proc/${pid}/environ`, 'latin1') });
    } catch {
      // gone already
    }
  }
  return out;
}

test('the key and its passphrase never appear in any child process argv or environment while py2pkg publishes and rpmsign runs', async () => {
  const rpm = join(work, 'signed-watch.rpm');
  await copyFile(unsignedRpm, rpm);
  const armored = await readFile(PROT_SEC, 'utf8');
  const keyLines = armored.split('\n').filter((l) => /^[A-Za-z0-9+/]{40,}$/.test(l));
  assert.ok(keyLines.length > 2);
  const observed = new Set<string>();
  const leaks = new Set<string>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const p of procSnapshot()) {
        if (p.cmdline.includes('bin/py2pkg.js')) continue; // py2pkg itself holds them, legitimately
        if (/rpmsign|py2pkg-rpm-sign|createrepo_c/.test(p.cmdline)) observed.add(p.cmdline.split('\0').slice(0, 4).join(' '));
        const all = `${p.cmdline}\n${p.environ}`;
        if (all.includes(PASSPHRASE) || all.includes('PY2PKG_PASSPHRASE') || keyLines.some((l) => all.includes(l)))
          leaks.add(`${p.pid}: ${p.cmdline.replace(/\0/g, ' ')}`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  // the real CLI, with the passphrase in its own environment as a user would set it
  const repo = join(work, 'yum-watch');
  let r;
  try {
    r = await py2pkg(['publish', rpm, '--repo', repo, '--sign-key', PROT_SEC, '--quiet'], { PY2PKG_PASSPHRASE: PASSPHRASE });
  } finally {
    watching = false;
    await watcher;
  }
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((await checksig(join(repo, 'Packages/p/py2pkg-signtest-1.0-1.noarch.rpm'), PROT_PUB)).exitCode, 0);
  const names = [...observed].join('\n');
  assert.match(names, /rpmsign/, 'rpmsign was observed');
  assert.match(names, /py2pkg-rpm-sign/, 'the signing helper was observed');
  assert.deepEqual([...leaks], [], 'processes that could read the key or passphrase');
});
