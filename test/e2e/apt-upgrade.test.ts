/**
 * End to end: a package py2pkg built before issue 12, when versions lost their trailing zeros
 * (hatchdemo 2.6.0 -> `2.6-1`, certsdemo 2.28.0 -> `2.28-1`), is upgraded by apt to the one
 * built now (`2.6.0-1`, `2.28.0-1`) in a clean Debian 12 root. The old package is the new one
 * with only its Version set back to the spelling py2pkg wrote then (distro-version.ts's
 * `canonical` spelling), repacked with dpkg-deb; the new one comes from a flat file:
 * repository, as an organization's repository would serve it, and `apt-get upgrade` takes it.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { toDebianVersion } from '../../src/python/distro-version.js';
import { freshRoot, type DebRoot } from '../support/debroot.js';
import { convertedFixtures, type ConvertedFixture } from '../support/fixture-debs.js';
import { SYSTEM_PATH } from '../support/project.js';

const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const UPGRADED: Array<[string, string]> = [
  ['python3-hatchdemo', '2.6.0'],
  ['python3-certsdemo', '2.28.0'],
];
/** apt options that read only the test repository's sources list */
const REPO_ONLY = ['-o', 'Dir::Etc::SourceList=/etc/apt/py2pkg-upgrade.list', '-o', 'Dir::Etc::SourceParts=-', '-o', 'APT::Get::List-Cleanup=0'];

let root: DebRoot;
let debs: ConvertedFixture[];
let work: string;

before(async () => {
  debs = await convertedFixtures();
  root = await freshRoot();
  work = await mkdtemp(join(tmpdir(), 'py2pkg-upgrade-'));
});

after(async () => {
  await root?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The same .deb with Version: set to `version` (dpkg-deb -R, edit, dpkg-deb -b). */
async function withVersion(deb: string, version: string, out: string): Promise<void> {
  const dir = join(work, `unpacked-${basename(deb)}`);
  await execa('/usr/bin/dpkg-deb', ['-R', deb, dir], { env, extendEnv: false });
  const control = join(dir, 'DEBIAN', 'control');
  const text = await readFile(control, 'utf8');
  assert.match(text, /^Version: .+$/m);
  await writeFile(control, text.replace(/^Version: .+$/m, `Version: ${version}`));
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '-b', dir, out], { env, extendEnv: false });
}

test('apt upgrades a package py2pkg built with the stripped version (2.6-1) to the one it builds now (2.6.0-1)', async () => {
  const repo = join(root.dir, 'repo');
  await mkdir(join(root.dir, 'debs'), { recursive: true });
  await mkdir(repo, { recursive: true });
  for (const [pkg, upstream] of UPGRADED) {
    const d = debs.find((x) => x.packageName === pkg);
    assert.ok(d, `${pkg} was not converted`);
    const now = `${toDebianVersion(upstream)}-1`;
    const then = `${toDebianVersion(upstream, { release: 'canonical' })}-1`;
    assert.equal(d.version, now);
    assert.notEqual(then, now, 'the earlier spelling differs');
    const old = join(root.dir, 'debs', `${pkg}_${then}_all.deb`);
    await withVersion(d.path, then, old);
    const inst = await root.run(['apt-get', 'install', '-y', `/debs/${basename(old)}`]);
    assert.equal(inst.exitCode, 0, `${inst.stdout}\n${inst.stderr}`);
    assert.equal((await root.run(['dpkg-query', '-W', '-f=${Version}', pkg])).stdout, then);
    await copyFile(d.path, join(repo, basename(d.path)));
  }
  // a flat repository with the new packages, the only source apt reads here (no network)
  const scan = await execa('/usr/bin/dpkg-scanpackages', ['--multiversion', '.'], { cwd: repo, env, extendEnv: false });
  await writeFile(join(repo, 'Packages'), scan.stdout);
  await writeFile(join(root.dir, 'etc/apt/py2pkg-upgrade.list'), 'deb [trusted=yes] file:/repo ./\n');
  const update = await root.run(['apt-get', ...REPO_ONLY, 'update']);
  assert.equal(update.exitCode, 0, `${update.stdout}\n${update.stderr}`);
  const upgrade = await root.run(['apt-get', ...REPO_ONLY, 'upgrade', '-y']);
  assert.equal(upgrade.exitCode, 0, `${upgrade.stdout}\n${upgrade.stderr}`);
  assert.match(upgrade.stdout, new RegExp(`^${UPGRADED.length} upgraded, 0 newly installed, 0 to remove`, 'm'));
  for (const [pkg, upstream] of UPGRADED) {
    assert.equal((await root.run(['dpkg-query', '-W', '-f=${Version}', pkg])).stdout, `${toDebianVersion(upstream)}-1`, `${pkg} upgraded`);
  }
  const imp = await root.run(['python3', '-c', 'import hatchdemo, certsdemo; print("ok")']);
  assert.equal(imp.stdout.trim(), 'ok', imp.stderr);
});
