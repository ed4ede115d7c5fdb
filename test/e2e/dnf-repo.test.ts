/**
 * The signed Yum repository, judged by dnf: `dnf --installroot` into an empty root with
 * only the .repo file py2pkg wrote (gpgcheck=1, repo_gpgcheck=1, gpgkey = the exported
 * key), a private cache and skip_if_unavailable=False. dnf builds its cache, downloads and
 * installs the package; it refuses a tampered repomd.xml, a tampered rpm and the wrong key
 * — and `py2pkg verify` agrees on each. The .rpm is built with rpmbuild by the test (the
 * RPM output format is a separate issue).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { keysDir, py2pkg, SYSTEM_PATH } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const OTHER_PUB = join(keysDir, 'other-TEST-ONLY.pub.asc');
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

let work: string;
let good: string;

async function testRpm(name: string, version: string): Promise<string> {
  const dir = await mkdtemp(join(work, 'rpm-'));
  const spec = join(dir, `${name}.spec`);
  await writeFile(
    spec,
    `Name: ${name}\nVersion: ${version}\nRelease: 1\nSummary: py2pkg dnf test\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n%description\ndnf test\n%install\nmkdir -p %{buildroot}/opt/${name}\necho '${name} ${version}' > %{buildroot}/opt/${name}/hello.txt\n%files\n/opt/${name}/hello.txt\n`,
  );
  await execa('/usr/bin/rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${dir}/top`, '--define', '_build_id_links none', spec], {
    env: { ...sys, HOME: dir },
    extendEnv: false,
  });
  return join(dir, 'top/RPMS/noarch', `${name}-${version}-1.noarch.rpm`);
}

/** A copy of the good repository whose .repo points at the copy. */
async function copyRepo(name: string): Promise<string> {
  const dst = join(work, name);
  await cp(good, dst, { recursive: true, verbatimSymlinks: true });
  const repoFile = join(dst, 'py2pkg-dnf.repo');
  await writeFile(repoFile, (await readFile(repoFile, 'utf8')).replaceAll(`file://${good}`, `file://${dst}`));
  return dst;
}

/** dnf with nothing but this repository's .repo file, in a fresh install root and cache. */
async function dnf(repo: string, args: string[], repoText?: string): Promise<{ exitCode: number; out: string; root: string }> {
  const root = await mkdtemp(join(work, 'installroot-'));
  const reposd = join(root, 'etc-yum.repos.d');
  await mkdir(reposd);
  await writeFile(join(reposd, 'py2pkg.repo'), repoText ?? (await readFile(join(repo, 'py2pkg-dnf.repo'), 'utf8')));
  const r = await execa(
    '/usr/bin/dnf',
    [
      '-y',
      `--installroot=${root}`,
      '--releasever=9',
      `--setopt=reposdir=${reposd}`,
      `--setopt=cachedir=${join(root, 'cache')}`,
      '--setopt=skip_if_unavailable=False',
      '--disableplugin=*',
      '--nodocs',
      ...args,
    ],
    { env: sys, extendEnv: false, reject: false, timeout: 5 * 60_000 },
  );
  return { exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}`, root };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-dnf-'));
  good = join(work, 'repo');
  const p = await py2pkg(['publish', await testRpm('py2pkg-dnftest', '1.0'), '--repo', good, '--sign-key', ORG_SEC, '--label', 'py2pkg dnf', '--quiet']);
  assert.equal(p.exitCode, 0, p.stderr);
});

after(async () => {
  // librepo starts a gpg-agent for each cache's keyring and leaves it running: stop ours
  const homes = await execa('/usr/bin/find', [work, '-type', 'd', '-name', 'pubring'], { env: sys, extendEnv: false, reject: false });
  for (const home of homes.stdout.split('\n').filter(Boolean)) {
    await execa('/usr/bin/gpgconf', ['--homedir', home, '--kill', 'all'], { env: sys, extendEnv: false, reject: false });
  }
  await rm(work, { recursive: true, force: true });
});

test('dnf makes its cache, downloads and installs from the signed repository with gpgcheck and repo_gpgcheck; py2pkg verify agrees', async () => {
  const text = await readFile(join(good, 'py2pkg-dnf.repo'), 'utf8');
  assert.match(text, /^gpgcheck=1$/m);
  assert.match(text, /^repo_gpgcheck=1$/m);
  const r = await dnf(good, ['install', 'py2pkg-dnftest']);
  assert.equal(r.exitCode, 0, r.out);
  assert.match(r.out, /Importing GPG key/);
  assert.ok(existsSync(join(r.root, 'opt/py2pkg-dnftest/hello.txt')), 'the package is installed in the root');
  const q = await execa('/usr/bin/rpm', ['--root', r.root, '-q', 'py2pkg-dnftest'], { env: sys, extendEnv: false });
  assert.equal(q.stdout.trim(), 'py2pkg-dnftest-1.0-1.noarch');
  const v = await py2pkg(['verify', good, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 0, v.stderr);
});

test('a tampered repomd.xml: dnf refuses the metadata signature, py2pkg verify exits 11 naming repomd.xml.asc', async () => {
  const repo = await copyRepo('t-repomd');
  const repomd = join(repo, await readlink(join(repo, 'repodata')), 'repomd.xml');
  await writeFile(
    repomd,
    (await readFile(repomd, 'utf8')).replace(/<revision>(\d+)<\/revision>/, (_, n: string) => `<revision>${Number(n) + 1}</revision>`),
  );
  const r = await dnf(repo, ['makecache']);
  assert.notEqual(r.exitCode, 0, r.out);
  assert.match(r.out, /repomd\.xml GPG signature verification error/);
  const v = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 11, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_BAD_SIGNATURE\]: repodata\/repomd\.xml\.asc: /);
});

test('a tampered rpm: dnf refuses the download, py2pkg verify exits 11 naming the rpm', async () => {
  const repo = await copyRepo('t-rpm');
  const rpm = join(repo, 'Packages/p/py2pkg-dnftest-1.0-1.noarch.rpm');
  const bytes = await readFile(rpm);
  bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0x01;
  await writeFile(rpm, bytes);
  const r = await dnf(repo, ['install', 'py2pkg-dnftest']);
  assert.notEqual(r.exitCode, 0, r.out);
  assert.match(r.out, /does not match|[Cc]hecksum|Digest/);
  assert.equal(existsSync(join(r.root, 'opt/py2pkg-dnftest/hello.txt')), false);
  const v = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 11, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_DIGEST_MISMATCH\]: Packages\/p\/py2pkg-dnftest-1\.0-1\.noarch\.rpm: does not match its sha256 in primary\.xml/);
});

test('the wrong key in gpgkey=: dnf refuses, py2pkg verify exits 12', async () => {
  const other = join(work, 'other.asc');
  await writeFile(other, await readFile(OTHER_PUB));
  const text = (await readFile(join(good, 'py2pkg-dnf.repo'), 'utf8')).replace(/^gpgkey=.*$/m, `gpgkey=file://${other}`);
  const r = await dnf(good, ['makecache'], text);
  assert.notEqual(r.exitCode, 0, r.out);
  assert.match(r.out, /GPG signature verification error|NOKEY|public key/i);
  const v = await py2pkg(['verify', good, '--key', OTHER_PUB]);
  assert.equal(v.exitCode, 12, v.stderr);
});
