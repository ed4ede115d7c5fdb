/**
 * `py2pkg verify --rebuild` through the real CLI with real builds (bwrap, the build backends,
 * dpkg-deb, rpmbuild) and real diffoscope: a freshly converted package (by name from a
 * find-links directory, signed by the organization or not, .deb and .rpm) rebuilds to the same
 * bytes; one rendered with edited templates does not when the rebuild is not given them (exit
 * 16, diffoscope's summary names the changed field), and does when it is; a package without a
 * build record (exit 5) and a recorded sdist that cannot be found (exit 3) are refused.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixturesDist, keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
let dir: string;
let env: Record<string, string>;
const trust = ['--trusted-keys', upstreamPub];
const byName = ['--find-links', fixturesDist, '--offline'];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py2pkg-rebuild-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir, PY2PKG_NO_CACHE: '' };
});
after(() => rm(dir, { recursive: true, force: true }));

async function convert(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const out = await mkdtemp(join(dir, 'out-'));
  const r = await py2pkg([...args, '--out', out, '--maintainer', 'T <t@example.org>', '--json', '--quiet'], { ...env, ...extraEnv });
  assert.equal(r.exitCode, 0, r.stderr);
  return (JSON.parse(r.stdout) as { package: { path: string } }).package.path;
}

test('a freshly converted .deb (by name, SOURCE_DATE_EPOCH derived) rebuilds identical; --json tells the digests', async () => {
  const deb = await convert(['flitdemo==23.0', ...trust, ...byName]);
  const r = await py2pkg(['verify', '--rebuild', deb, ...trust, ...byName], env);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(
    r.stdout.trim(),
    `${deb}: rebuilt from flitdemo-23.0.tar.gz (sha256 ${(/sha256 ([0-9a-f]{64})/.exec(r.stdout) ?? [])[1]}) with the recorded options: identical`,
  );
  const j = await py2pkg(['verify', '--rebuild', deb, '--json', ...trust, ...byName], env);
  assert.equal(j.exitCode, 0, j.stderr);
  const res = JSON.parse(j.stdout) as { identical: boolean; original: { file: string; built: string; signed: boolean }; rebuilt: { file: string } };
  assert.equal(res.identical, true);
  assert.equal(res.original.signed, false);
  assert.equal(res.original.file, res.rebuilt.file, 'an unsigned package is the same file');
});

test('a signed .deb (SOURCE_DATE_EPOCH from the environment) rebuilds identical apart from the signature', async () => {
  const deb = await convert(['tinyclick==8.1.3', ...trust, ...byName, '--sign-key', ORG_SEC], { SOURCE_DATE_EPOCH: '1767225600' });
  const r = await py2pkg(['verify', '--rebuild', deb, ...trust, ...byName], env);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /: identical \(apart from the organization's signature\)$/m);
});

test('an .rpm for el9 rebuilds identical', async () => {
  const rpm = await convert(['flitdemo==23.0', '--target', 'el9', ...trust, ...byName]);
  const r = await py2pkg(['verify', '--rebuild', rpm, ...trust, ...byName], env);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /: identical$/m);
});

test("edited templates not given to the rebuild: exit 16 with diffoscope's summary; given: identical", async () => {
  const tpl = join(dir, 'tpl');
  assert.equal((await py2pkg(['templates', 'export', tpl])).exitCode, 0);
  const control = join(tpl, 'deb', 'control.hbs');
  await writeFile(control, (await readFile(control, 'utf8')).replace('Section: python', 'Section: misc'));
  const deb = await convert(['flitdemo==23.0', ...trust, ...byName, '--templates', tpl]);
  const r = await py2pkg(['verify', '--rebuild', deb, ...trust, ...byName], env);
  assert.equal(r.exitCode, 16, r.stderr);
  assert.match(r.stderr, /^py2pkg: error\[REBUILD_DIFFERS\]: .*flitdemo_23\.0-1_all\.deb does not rebuild to the same bytes from flitdemo-23\.0\.tar\.gz/m);
  assert.match(r.stderr, /note: the package was rendered with templates from a directory/);
  if (existsSync('/usr/bin/diffoscope')) {
    assert.match(r.stderr, /^py2pkg: diffoscope /m);
    assert.match(r.stderr, /^[│ ]*-Section: misc$/m, r.stderr);
    assert.match(r.stderr, /^[│ ]*\+Section: python$/m, r.stderr);
  }
  const ok = await py2pkg(['verify', '--rebuild', deb, '--templates', tpl, ...trust, ...byName], env);
  assert.equal(ok.exitCode, 0, ok.stderr);
});

test('no build record: exit 5; the recorded sdist nowhere to be found: exit 3', async () => {
  const root = join(dir, 'plain');
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await writeFile(
    join(root, 'DEBIAN/control'),
    'Package: plain\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: not made by py2pkg\n x\n',
  );
  const plain = join(dir, 'plain_1.0_all.deb');
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '--build', root, plain], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
  const a = await py2pkg(['verify', '--rebuild', plain, ...trust], env);
  assert.equal(a.exitCode, 5, a.stderr);
  assert.match(a.stderr, /error\[REBUILD_RECORD\]: plain_1\.0_all\.deb carries no provenance\.json/);

  const missing = await py2pkg(['verify', '--rebuild', join(dir, 'nothing_1.0_all.deb')], env);
  assert.equal(missing.exitCode, 2, missing.stderr);
  assert.match(missing.stderr, /error\[INPUT_NOT_FOUND\]/);
  await writeFile(join(dir, 'garbage_1.0_all.deb'), 'not an ar archive');
  const garbage = await py2pkg(['verify', '--rebuild', join(dir, 'garbage_1.0_all.deb')], env);
  assert.equal(garbage.exitCode, 4, garbage.stderr);
  assert.match(garbage.stderr, /error\[PACKAGE_INVALID\]: garbage_1\.0_all\.deb cannot be read as a \.deb/);

  const deb = await convert(['hatchdemo==2.6.0', ...trust, ...byName]);
  const empty = join(dir, 'empty-links');
  await mkdir(empty);
  const b = await py2pkg(['verify', '--rebuild', deb, ...trust, '--find-links', empty, '--offline'], { ...env, XDG_CACHE_HOME: join(dir, 'other-cache') });
  assert.equal(b.exitCode, 3, b.stderr);
  assert.match(b.stderr, /error\[REBUILD_SOURCE\]: the recorded sdist hatchdemo-2\.6\.0\.tar\.gz \(sha256 [0-9a-f]{64}\) is not available/);
  // another file under the recorded name: its sha256 is not the recorded one
  const other = join(dir, 'swapped');
  await mkdir(other);
  await copyFile(join(fixturesDist, 'flitdemo-23.0.tar.gz'), join(other, 'hatchdemo-2.6.0.tar.gz'));
  const c = await py2pkg(['verify', '--rebuild', deb, ...trust, '--sdist', join(other, 'hatchdemo-2.6.0.tar.gz')], env);
  assert.equal(c.exitCode, 3, c.stderr);
  assert.match(c.stderr, /error\[REBUILD_SOURCE\]: hatchdemo-2\.6\.0\.tar\.gz has sha256 [0-9a-f]{64}, the package records/);
});
