/**
 * --recursive through the real CLI: a signed requirement tree on a file:// index, the target
 * archive as a file:// Debian mirror (Packages.xz, real xz) or a Yum repository (repomd.xml ->
 * primary.xml.zst, real zstd); the plan as text and --json, problems on their node with exit 5,
 * and a real run that converts exactly what the archive lacks (bwrap, setuptools, dpkg-deb).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeStaticIndex } from '../support/index-server.js';
import { py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';
import { treeProjects, writeDebMirror, writeYumRepo } from '../support/tree-index.js';

let dir: string;
let env: Record<string, string>;
let index: string;
let mirror: string;
let yum: string;
const DEB_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py2pkg-recursive-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir, PY2PKG_NO_CACHE: '' };
  const projects = await treeProjects([
    { name: 'rtop', version: '1.0', requires: ['rmid>=1.0', 'six>=1.10', 'colorama; python_version < "3"', 'rweb; extra == "web"'], extras: ['web'] },
    { name: 'rmid', version: '1.0' },
    { name: 'rmid', version: '1.1', requires: ['rleaf>=0.2', 'six'] },
    { name: 'rleaf', version: '0.1' },
    { name: 'rleaf', version: '0.2' },
    { name: 'rweb', version: '1.0' },
    { name: 'six', version: '1.16.0' },
    { name: 'six', version: '1.17.0' },
    { name: 'rnew', version: '1.0', requires: ['six>=1.17'] },
    { name: 'rghost', version: '1.0', requires: ['not-anywhere>=1'] },
  ]);
  index = await writeStaticIndex(join(dir, 'index'), projects);
  mirror = await writeDebMirror(join(dir, 'mirror'), 'bookworm', DEB_ARCH[process.arch] ?? 'amd64', [
    { package: 'python3-six', version: '1.16.0-4' },
    { package: 'python3-rleaf', version: '0.1-1' },
  ]);
  yum = await writeYumRepo(join(dir, 'yum'), [{ name: 'python3-six', ver: '1.15.0', rel: '3.el9', python3dist: [{ name: 'six', ver: '1.15' }] }]);
});
after(() => rm(dir, { recursive: true, force: true }));

const common = () => ['--index-url', index, '--trusted-keys', upstreamPub, '--maintainer', 'T <t@example.org>'];

test('--dry-run prints the plan only: reuse from the Debian mirror, convert the rest, markers for the target', async () => {
  const r = await py2pkg(['--recursive', 'rtop', '--dry-run', '--archive-url', mirror, ...common()], env);
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `plan for debian12 (archive: ${mirror}):`);
  assert.match(lines[1]!, /^rtop {2}convert rtop 1\.0 \(OpenPGP [0-9A-F]{16}; /);
  assert.match(lines[2]!, /^├─ rmid>=1\.0 {2}convert rmid 1\.1 \(OpenPGP /);
  // python3-rleaf 0.1-1 in the archive does not meet >=0.2: converted from the index
  assert.match(lines[3]!, /^│ {2}├─ rleaf>=0\.2 {2}convert rleaf 0\.2 /);
  assert.equal(lines[4], '│  └─ six  (reused above: python3-six 1.16.0-4)');
  assert.equal(lines[5], '└─ six>=1.10  reuse python3-six 1.16.0-4 from the archive');
  assert.equal(lines[6], 'plan: convert 3, reuse 1 from the archive');
  assert.equal(lines.length, 7, r.stdout);
  assert.ok(!r.stdout.includes('colorama') && !r.stdout.includes('rweb'), 'a false marker and an extra not asked are not followed');
  assert.equal((await readdir(dir)).includes('out'), false);
});

test('--json: the tree with actions, archive and releases; extras asked are followed', async () => {
  const r = await py2pkg(['--recursive', 'rtop[web]', '--dry-run', '--json', '--archive-url', mirror, ...common()], env);
  assert.equal(r.exitCode, 0, r.stderr);
  const { plan } = JSON.parse(r.stdout) as {
    plan: {
      target: string;
      exitStatus: number;
      convert: Array<{ name: string; version: string; extras: string[]; sha256: string }>;
      reuse: unknown[];
      tree: Array<{ action: string; extras?: string[]; children: Array<{ project: string; action: string; archive?: unknown }> }>;
    };
  };
  assert.equal(plan.target, 'debian12');
  assert.equal(plan.exitStatus, 0);
  assert.deepEqual(
    plan.convert.map((c) => `${c.name} ${c.version}`),
    ['rtop 1.0', 'rmid 1.1', 'rweb 1.0', 'rleaf 0.2'],
  );
  assert.deepEqual(plan.convert[0]!.extras, ['web']);
  assert.match(plan.convert[0]!.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(plan.reuse, [{ project: 'six', package: 'python3-six', version: '1.16.0-4' }]);
  assert.deepEqual(
    plan.tree[0]!.children.map((c) => `${c.project}:${c.action}`),
    ['rmid:convert', 'six:reuse', 'rweb:convert'],
  );
});

test("an RPM target asks the Yum repository's primary.xml.zst for python3dist provides", async () => {
  const r = await py2pkg(['--recursive', 'rtop', '--dry-run', '--target', 'el9', '--archive-url', yum, ...common()], env);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^plan for el9 \(archive: file:\/\/.*\/yum\/\):$/m);
  assert.match(r.stdout, /^└─ six>=1\.10 {2}reuse python3-six 1\.15 from the archive$/m);
  // rleaf is not in the Yum repository at all
  assert.match(r.stdout, /^plan: convert 3, reuse 1 from the archive$/m);
});

test('a conflict and an unsatisfiable node: the tree with the reason on the node, exit 5, nothing converted', async () => {
  const out = join(dir, 'out-conflict');
  const r = await py2pkg(['--recursive', 'rtop', 'rleaf<0.2', 'rghost', '--archive-url', mirror, '--out', out, ...common()], env);
  assert.equal(r.exitCode, 5, r.stderr);
  // rleaf<0.2 is a root, decided first: the archive's 0.1-1 meets it; rmid 1.1's >=0.2 conflicts
  assert.match(r.stderr, /^rleaf<0\.2 {2}reuse python3-rleaf 0\.1-1 from the archive$/m);
  assert.match(
    r.stderr,
    /^│ {2}├─ rleaf>=0\.2 {2}error\[RESOLVE_CONFLICT\]: rleaf>=0\.2 excludes python3-rleaf 0\.1-1 from the archive, reused for rleaf<0\.2$/m,
  );
  assert.match(
    r.stderr,
    /^└─ not-anywhere>=1 {2}error\[RESOLVE_UNSATISFIABLE\]: file:\/\/.* has no package for not-anywhere, and the index has no match: no project named not-anywhere/m,
  );
  assert.match(r.stderr, /^plan: convert 3, reuse 2 from the archive, 2 problems$/m);
  assert.match(r.stderr, /the plan has 2 problem\(s\).*nothing was converted/);
  await assert.rejects(readdir(out));
});

test('--recursive converts exactly what the archive lacks; Depends name the reused package', async () => {
  const out = join(dir, 'out');
  const r = await py2pkg(['--recursive', 'rtop', '--archive-url', mirror, '--out', out, '-j', '2', ...common()], env);
  assert.equal(r.exitCode, 0, r.stderr);
  // the plan comes first, on stderr, before any work
  assert.ok(r.stderr.indexOf('plan: convert 3, reuse 1') < r.stderr.indexOf('converted in'), r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['python3-rleaf_0.2-1_all.deb', 'python3-rmid_1.1-1_all.deb', 'python3-rtop_1.0-1_all.deb']);
  const depends = (
    await execa('/usr/bin/dpkg-deb', ['--field', join(out, 'python3-rtop_1.0-1_all.deb'), 'Depends'], { env: { PATH: SYSTEM_PATH }, extendEnv: false })
  ).stdout;
  assert.match(depends, /python3-rmid \(>= 1\)/);
  assert.match(depends, /python3-six \(>= 1\.10\)/);
  // a warm rerun plans from the caches and builds nothing
  const again = await py2pkg(['--recursive', 'rtop', '--archive-url', mirror, '--out', out, '--json', ...common()], env);
  assert.equal(again.exitCode, 0, again.stderr);
  const res = JSON.parse(again.stdout) as { packages: Array<{ state: string }> };
  assert.deepEqual(
    res.packages.map((p) => p.state),
    ['cached', 'cached', 'cached'],
  );
});

test("a newer release than the archive's is converted, and the package that needs it is not refused for the archive's older one", async () => {
  const out = join(dir, 'out-newer');
  const lock = join(dir, 'rnew.lock');
  const r = await py2pkg(['--recursive', 'rnew', '--archive-url', mirror, '--out', out, '--lock', lock, ...common()], env);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /^py2pkg: wrote .*rnew\.lock$/m);
  assert.match(r.stderr, /^└─ six>=1\.17 {2}convert six 1\.17\.0 /m);
  assert.deepEqual((await readdir(out)).sort(), ['python3-rnew_1.0-1_all.deb', 'python3-six_1.17.0-1_all.deb']);
  const depends = (
    await execa('/usr/bin/dpkg-deb', ['--field', join(out, 'python3-rnew_1.0-1_all.deb'), 'Depends'], { env: { PATH: SYSTEM_PATH }, extendEnv: false })
  ).stdout;
  assert.match(depends, /python3-six \(>= 1\.17\)/);
  // the lock replays the same set, byte for byte, without --recursive or the archive
  const again = await py2pkg(['--locked', '--lock', lock, '--out', join(dir, 'out-locked'), '--no-cache', ...common()], env);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual((await readdir(join(dir, 'out-locked'))).sort(), ['python3-rnew_1.0-1_all.deb', 'python3-six_1.17.0-1_all.deb']);
});

test("the host's apt lists (plain and lz4 through apt-helper) for the target's suites only, then from the cache", async () => {
  const { loadTargetArchive } = await import('../../src/recursive/archive-load.js');
  const { getProfile } = await import('../../src/targets/profiles.js');
  const lists = join(dir, 'lists');
  await mkdir(lists);
  await writeFile(
    join(lists, 'deb.example_dists_bookworm_main_binary-amd64_Packages'),
    'Package: python3-six\nVersion: 1.16.0-4\n\nPackage: python3-idna\nVersion: 3.3-1\n',
  );
  const lz4 = await execa('/usr/bin/lz4', ['-c'], {
    input: 'Package: python3-idna\nVersion: 3.3-1+deb12u1\n',
    encoding: 'buffer',
    env: { PATH: SYSTEM_PATH },
    extendEnv: false,
  });
  await writeFile(join(lists, 'deb.example_dists_bookworm-security_main_binary-amd64_Packages.lz4'), lz4.stdout);
  await writeFile(join(lists, 'deb.example_dists_trixie_main_binary-amd64_Packages'), 'Package: python3-six\nVersion: 1.17.0-1\n');
  const cacheDir = join(dir, 'lists-cache');
  const opts = { archiveUrls: [], net: undefined, host: { id: 'debian', codename: 'bookworm' }, aptListsDir: lists, cacheDir };
  const a = await loadTargetArchive(getProfile('debian12')!, opts);
  assert.equal(a.source, 'apt lists of this host (bookworm)');
  assert.equal(a.packages.get('python3-six'), '1.16.0-4', "trixie's list is not the target's");
  assert.equal(a.packages.get('python3-idna'), '3.3-1+deb12u1', 'the highest of the suites');
  assert.equal((await readdir(join(cacheDir, 'archive-lists'))).length, 1);
  const b = await loadTargetArchive(getProfile('debian12')!, opts);
  assert.deepEqual([...b.packages], [...a.packages]);
  // another release on the host: the profile's offline data
  const c = await loadTargetArchive(getProfile('debian12')!, { ...opts, host: { id: 'debian', codename: 'trixie' } });
  assert.match(c.source, /^offline data debian12/);
});

test('usage: --dry-run without --recursive, a path given to --recursive', async () => {
  const a = await py2pkg(['rtop', '--dry-run', ...common()], env);
  assert.equal(a.exitCode, 2);
  assert.match(a.stderr, /--dry-run and --archive-url go with --recursive/);
  const b = await py2pkg(['--recursive', './rtop-1.0.tar.gz', ...common()], env);
  assert.equal(b.exitCode, 2);
  assert.match(b.stderr, /is a path/);
});
