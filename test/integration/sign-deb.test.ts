/**
 * Signed .deb packages, judged by debsig-verify (policy and keyring in a temp directory, as
 * its documentation lays them out: policies/<FINGERPRINT>/*.pol, keyrings/<FINGERPRINT>/),
 * by dpkg-deb and lintian, and `py2pkg verify` must agree with debsig-verify on every case.
 * The signed package comes from the real pipeline: convert --sign-key.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readDebLayout } from '../../src/sign/deb-sig.js';
import { fixtureSdist, keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const OTHER_PUB = join(keysDir, 'other-TEST-ONLY.pub.asc');
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

let work: string;
let signed: string;
let unsigned: string;
let fpr: string;

/** debsig-verify with its policy and keyring for `pub` in a private directory. */
async function debsigVerify(deb: string, pub: string): Promise<{ exitCode: number; out: string }> {
  const openpgp = await import('openpgp');
  const key = await openpgp.readKey({ armoredKey: await readFile(pub, 'utf8') });
  const id = key.getFingerprint().toUpperCase();
  const base = await mkdtemp(join(work, 'debsig-'));
  await mkdir(join(base, 'policies', id), { recursive: true });
  await mkdir(join(base, 'keyrings', id), { recursive: true });
  await writeFile(join(base, 'keyrings', id, 'org.gpg'), key.write());
  await writeFile(
    join(base, 'policies', id, 'org.pol'),
    `<?xml version="1.0"?>
<!DOCTYPE Policy SYSTEM "https://www.debian.org/debsig/1.0/policy.dtd">
<Policy xmlns="https://www.debian.org/debsig/1.0/">
  <Origin Name="py2pkg test org" id="${id}" Description="TEST-ONLY repository key"/>
  <Selection><Required Type="origin" File="org.gpg" id="${id}"/></Selection>
  <Verification MinOptional="0"><Required Type="origin" File="org.gpg" id="${id}"/></Verification>
</Policy>
`,
  );
  const r = await execa('/usr/bin/debsig-verify', ['--policies-dir', join(base, 'policies'), '--keyrings-dir', join(base, 'keyrings'), deb], {
    env: sys,
    extendEnv: false,
    reject: false,
  });
  return { exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

async function flipInMember(src: string, dst: string, member: RegExp): Promise<void> {
  const layout = await readDebLayout(src);
  const m = layout.members.find((x) => member.test(x.name))!;
  const bytes = await readFile(src);
  const at = m.dataOffset + Math.floor(m.size / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(dst, bytes);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-sign-deb-'));
  const out = join(work, 'out');
  const plain = join(work, 'plain');
  await mkdir(out);
  await mkdir(plain);
  const common = ['--format', 'deb', '--trusted-keys', upstreamPub, '--maintainer', 'T <t@example.org>', '--json', '--quiet', fixtureSdist('rpc4django')];
  const env = { SOURCE_DATE_EPOCH: '1767225600' };
  const s = await py2pkg([...common, '--out', out, '--sign-key', ORG_SEC], env);
  assert.equal(s.exitCode, 0, s.stderr);
  const result = JSON.parse(s.stdout) as { package: { path: string; signedBy: string } };
  signed = result.package.path;
  fpr = result.package.signedBy;
  const u = await py2pkg([...common, '--out', plain], env);
  assert.equal(u.exitCode, 0, u.stderr);
  unsigned = (JSON.parse(u.stdout) as { package: { path: string } }).package.path;
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('convert --sign-key adds a _gpgorigin member without rebuilding the package', async () => {
  assert.match(fpr, /^[0-9A-F]{40}$/);
  const a = await readDebLayout(unsigned);
  const b = await readDebLayout(signed);
  assert.deepEqual(
    a.members.map((m) => m.name),
    ['debian-binary', 'control.tar.xz', 'data.tar.xz'],
  );
  assert.deepEqual(
    b.members.map((m) => m.name),
    ['debian-binary', 'control.tar.xz', 'data.tar.xz', '_gpgorigin'],
  );
  const ua = await readFile(unsigned);
  const sb = await readFile(signed);
  for (const [i, m] of a.members.entries()) {
    const n = b.members[i]!;
    assert.ok(ua.subarray(m.dataOffset, m.dataOffset + m.size).equals(sb.subarray(n.dataOffset, n.dataOffset + n.size)), `${m.name} is byte-identical`);
  }
  const origin = sb.subarray(b.origin!.dataOffset, b.origin!.dataOffset + b.origin!.size).toString('utf8');
  assert.match(origin, /^-----BEGIN PGP SIGNATURE-----/);
  // dpkg still reads it
  const info = await execa('/usr/bin/dpkg-deb', ['--field', signed, 'Package', 'Version'], { env: sys, extendEnv: false });
  assert.match(info.stdout, /python3-rpc4django/);
  const contents = await execa('/usr/bin/dpkg-deb', ['--contents', signed], { env: sys, extendEnv: false });
  assert.match(contents.stdout, /rpc4django\/__init__\.py/);
});

test('debsig-verify accepts the signed .deb (exit 0) and py2pkg verify agrees', async () => {
  const d = await debsigVerify(signed, ORG_PUB);
  assert.equal(d.exitCode, 0, d.out);
  assert.match(d.out, /Verified package from .*\(py2pkg test org\)/);
  const v = await py2pkg(['verify', signed, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`good signature by ${fpr}`));
});

test('one flipped byte in data.tar (or control.tar): debsig-verify refuses, py2pkg verify says bad signature (11)', async () => {
  for (const member of [/^data\.tar/, /^control\.tar/]) {
    const bad = join(work, `flipped-${member.source.replace(/\W/g, '')}.deb`);
    await flipInMember(signed, bad, member);
    const d = await debsigVerify(bad, ORG_PUB);
    assert.equal(d.exitCode, 13, `debsig-verify must refuse: ${d.out}`);
    const v = await py2pkg(['verify', bad, '--key', ORG_PUB]);
    assert.equal(v.exitCode, 11, v.stderr);
    assert.match(v.stderr, /error\[VERIFY_BAD_SIGNATURE\]: .*_gpgorigin .*does not match the data/);
  }
});

test('an unsigned .deb: debsig-verify 10, py2pkg verify not signed (10)', async () => {
  const d = await debsigVerify(unsigned, ORG_PUB);
  assert.equal(d.exitCode, 10, d.out);
  const v = await py2pkg(['verify', unsigned, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 10, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_NOT_SIGNED\]/);
});

test('another key: debsig-verify finds no policy for the origin (11), py2pkg verify unknown key (12)', async () => {
  const d = await debsigVerify(signed, OTHER_PUB);
  assert.equal(d.exitCode, 11, d.out);
  const v = await py2pkg(['verify', signed, '--key', OTHER_PUB]);
  assert.equal(v.exitCode, 12, v.stderr);
  assert.match(v.stderr, new RegExp(`error\\[VERIFY_UNKNOWN_KEY\\]: .*signed by key ${fpr}`));
});

test('publishing re-signs with exactly one _gpgorigin; lintian flags it by design, so lint before signing', async () => {
  const repo = join(work, 'repo');
  const copy = join(work, 'copy.deb');
  await copyFile(signed, copy);
  const p = await py2pkg(['publish', copy, '--repo', repo, '--sign-key', join(keysDir, 'org-repo-ed-TEST-ONLY.sec.asc'), '--quiet']);
  assert.equal(p.exitCode, 0, p.stderr);
  const pooled = join(repo, 'pool/main/p/python3-rpc4django/python3-rpc4django_0.6.3-1_all.deb');
  const layout = await readDebLayout(pooled);
  assert.equal(layout.members.filter((m) => m.name === '_gpgorigin').length, 1);
  assert.equal((await debsigVerify(pooled, join(keysDir, 'org-repo-ed-TEST-ONLY.pub.asc'))).exitCode, 0);

  const lint = async (deb: string) => execa('/usr/bin/lintian', ['--no-cfg', '--tag-display-limit', '0', deb], { env: sys, extendEnv: false, reject: false });
  const before = await lint(unsigned);
  assert.doesNotMatch(before.stdout, /^E: /m, `the unsigned package lints clean:\n${before.stdout}`);
  const afterSigning = await lint(signed);
  assert.match(afterSigning.stdout, /E: python3-rpc4django: misplaced-extra-member-in-deb _gpgorigin/);
});
