/**
 * The real resolver decides: `apt-get install --simulate ./x.deb` in the scratch Debian 12 root,
 * against Debian's archive index (bookworm, bookworm-updates, bookworm-security main).
 *
 * The cached root has no apt lists. They are copied from this machine's own
 * /var/lib/apt/lists (the Debian 12 machine the tests run on; apt verified them when it
 * fetched them); only when those are missing does a separate, bounded bubblewrap run with the
 * network do `apt-get update` inside the root.
 *
 *  - every fixture .deb resolves, or fails only for dependencies Debian lacks, named here;
 *  - requests 2.28.1's requirements (a project built here and signed with the TEST-ONLY key):
 *    refused with DEPENDS_UNSATISFIABLE for charset-normalizer<3, converted with a depends-map
 *    override, then resolved by apt; Django<4 resolves because the bound carries the epoch,
 *    which a control-only package shows (the same bound without the epoch does not resolve);
 *  - --with-extras promotes an extra; one whose requirement Debian lacks fails in apt for
 *    exactly that package.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { signDetached } from '../../fixtures/sign.js';
import { freshRoot, MIRROR, SUITE, type DebRoot } from '../support/debroot.js';
import { convertedFixtures, TEST_EPOCH, TEST_MAINTAINER, type ConvertedFixture } from '../support/fixture-debs.js';
import { keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';
import { buildTgz } from '../support/tarbuilder.js';

const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const HOST_LISTS = '/var/lib/apt/lists';
const SECURITY = 'http://deb.debian.org/debian-security';

/** Fixture .debs that may fail in apt, and the packages Debian 12 lacks that they may fail for. */
const MAY_LACK: Record<string, string[]> = {};

let root: DebRoot;
let debs: ConvertedFixture[];
let work: string;
let listsFrom = '';

function hostListFiles(): string[] {
  if (!existsSync(HOST_LISTS)) return [];
  const prefixes = [
    `deb.debian.org_debian_dists_${SUITE}_`,
    `deb.debian.org_debian_dists_${SUITE}-updates_`,
    `deb.debian.org_debian-security_dists_${SUITE}-security_`,
  ];
  return readdirSync(HOST_LISTS).filter(
    (f) => prefixes.some((p) => f.startsWith(p)) && (f.endsWith('_InRelease') || /_main_binary-amd64_Packages(\.[a-z0-9]+)?$/.test(f)),
  );
}

/** Give the root Debian's archive index: this machine's lists, else apt-get update with the network. */
async function prepareLists(r: DebRoot): Promise<void> {
  await writeFile(join(r.dir, 'etc/apt/sources.list.d/py2pkg-updates.list'), `deb ${MIRROR} ${SUITE}-updates main\ndeb ${SECURITY} ${SUITE}-security main\n`);
  // PY2PKG_TEST_APT_LISTS=network forces the network path (to check it)
  const files = process.env.PY2PKG_TEST_APT_LISTS === 'network' ? [] : hostListFiles();
  const haveMain =
    files.some((f) => f === `deb.debian.org_debian_dists_${SUITE}_InRelease`) &&
    files.some((f) => f.startsWith(`deb.debian.org_debian_dists_${SUITE}_main_binary-amd64_Packages`));
  if (haveMain) {
    for (const f of files) await copyFile(join(HOST_LISTS, f), join(r.dir, 'var/lib/apt/lists', f));
    listsFrom = `this machine's apt lists (${files.length} files)`;
    return;
  }
  // no local copy: fetch inside the root, in a bwrap that shares the network, bounded
  const u = await execa(
    '/usr/bin/bwrap',
    [
      '--bind',
      r.dir,
      '/',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--unshare-pid',
      '--die-with-parent',
      '--cap-add',
      'ALL',
      '--clearenv',
      '--setenv',
      'PATH',
      SYSTEM_PATH,
      '--setenv',
      'LANG',
      'C.UTF-8',
      '--setenv',
      'HOME',
      '/root',
      '--ro-bind',
      '/etc/resolv.conf',
      '/etc/resolv.conf',
      '--',
      'apt-get',
      '-o',
      'Acquire::Retries=2',
      '-o',
      'Acquire::http::Timeout=30',
      'update',
    ],
    { env, extendEnv: false, reject: false, timeout: 5 * 60_000 },
  );
  assert.equal(u.exitCode, 0, `apt-get update in the root failed (no local lists, network needed):\n${u.stdout}\n${u.stderr}`);
  listsFrom = 'apt-get update in the root';
}

interface Simulation {
  ok: boolean;
  output: string;
  /** packages apt names in "Depends: X but it is not installable" */
  notInstallable: string[];
}

async function simulate(debInRoot: string): Promise<Simulation> {
  const r = await root.run(['apt-get', 'install', '--simulate', '-o', 'Debug::NoLocking=1', debInRoot]);
  const output = `${r.stdout}\n${r.stderr}`;
  const notInstallable = [...output.matchAll(/Depends: (\S+)(?: \([^)]*\))? but it is not installable/g)].map((m) => m[1] as string);
  return { ok: r.exitCode === 0, output, notInstallable: [...new Set(notInstallable)].sort() };
}

async function copyIn(path: string): Promise<string> {
  await mkdir(join(root.dir, 'debs'), { recursive: true });
  await copyFile(path, join(root.dir, 'debs', basename(path)));
  return `/debs/${basename(path)}`;
}

async function field(deb: string, name: string): Promise<string> {
  return (await execa('/usr/bin/dpkg-deb', ['--field', deb, name], { env, extendEnv: false })).stdout.trim();
}

before(async () => {
  debs = await convertedFixtures();
  work = await mkdtemp(join(tmpdir(), 'py2pkg-aptsim-'));
  root = await freshRoot();
  await prepareLists(root);
});

after(async () => {
  await root?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

test("the root resolves against Debian 12's archive index", async () => {
  const p = await root.run(['apt-cache', 'policy', 'python3-charset-normalizer', 'python3-django']);
  assert.equal(p.exitCode, 0, p.stderr);
  assert.match(p.stdout, /python3-charset-normalizer:\n\s+Installed: \(none\)\n\s+Candidate: 3\.0\.1-2/);
  assert.match(p.stdout, /python3-django:\n\s+Installed: 3:3\.2\./);
  console.log(`# apt lists from ${listsFrom}`);
});

test('apt-get install --simulate: every fixture .deb resolves (or fails only for a package Debian lacks, named here)', async () => {
  assert.ok(debs.length >= 9);
  for (const d of debs) {
    const sim = await simulate(await copyIn(d.path));
    const allowed = MAY_LACK[d.packageName] ?? [];
    if (sim.ok) continue;
    assert.ok(sim.notInstallable.length > 0 && sim.notInstallable.every((p) => allowed.includes(p)), `${basename(d.path)} does not resolve:\n${sim.output}`);
    for (const p of sim.notInstallable) {
      const show = await root.run(['apt-cache', 'show', p]);
      assert.notEqual(show.exitCode, 0, `${p} is in the archive after all`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// requests 2.28.1's requirements, in a project built and signed here

const PYPROJECT = `[build-system]
requires = ["flit_core >=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "reqlike"
version = "2.28.1"
description = "requests 2.28.1's requirements plus Django<4 (py2pkg dependency test)"
requires-python = ">=3.7, <4"
dependencies = [
  "charset_normalizer>=2,<3",
  "idna>=2.5,<4",
  "urllib3>=1.21.1,<1.27",
  "certifi>=2017.4.17",
  "Django>=3.2,<4",
  "typing-extensions; python_version < '3.8'",
]

[project.optional-dependencies]
socks = ["PySocks>=1.5.6,!=1.5.7"]
editable = ["editables>=0.3"]
`;

async function reqlikeSdist(): Promise<string> {
  const tgz = buildTgz([
    { path: 'reqlike-2.28.1/', type: 'dir' },
    { path: 'reqlike-2.28.1/PKG-INFO', data: 'Metadata-Version: 2.1\nName: reqlike\nVersion: 2.28.1\nSummary: requests-like requirements\n' },
    { path: 'reqlike-2.28.1/pyproject.toml', data: PYPROJECT },
    { path: 'reqlike-2.28.1/LICENSE', data: 'MIT License (py2pkg test project)\n' },
    { path: 'reqlike-2.28.1/reqlike/', type: 'dir' },
    { path: 'reqlike-2.28.1/reqlike/__init__.py', data: '"""requests-like requirements."""\n__version__ = "2.28.1"\n' },
  ]);
  const sdist = join(work, 'reqlike-2.28.1.tar.gz');
  await writeFile(sdist, tgz);
  await writeFile(`${sdist}.asc`, (await signDetached(tgz, readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8'))) as string);
  return sdist;
}

async function convertReqlike(name: string, extraArgs: string[], config?: string): Promise<{ exitCode: number; stderr: string; deb: string }> {
  const out = join(work, name);
  await mkdir(out, { recursive: true });
  const args = ['--format', 'deb', '--trusted-keys', upstreamPub, '--out', out, '--maintainer', TEST_MAINTAINER, ...extraArgs];
  if (config) {
    await writeFile(join(work, `${name}.toml`), config);
    args.push('--config', join(work, `${name}.toml`));
  }
  const r = await py2pkg([...args, await reqlikeSdist()], { SOURCE_DATE_EPOCH: TEST_EPOCH, XDG_CONFIG_HOME: work });
  return { exitCode: r.exitCode, stderr: r.stderr, deb: join(out, 'python3-reqlike_2.28.1-1_all.deb') };
}

test('charset-normalizer<3 on Debian 12: refused with DEPENDS_UNSATISFIABLE; a depends-map override converts it and apt resolves it', async () => {
  const refused = await convertReqlike('refused', []);
  assert.equal(refused.exitCode, 5, refused.stderr);
  const line = refused.stderr.trim().split('\n').pop() as string;
  assert.match(
    line,
    /^py2pkg: error\[DEPENDS_UNSATISFIABLE\]: reqlike 2\.28\.1: debian12 cannot satisfy a requirement: charset[-_]normalizer.*python3-charset-normalizer \(<< 3~\), but debian12 has python3-charset-normalizer 3\.0\.1-2 \(.*depends-map.*\)$/,
  );
  assert.equal(readdirSync(join(work, 'refused')).length, 0, 'nothing written on refusal');

  const ok = await convertReqlike('override', [], '[depends-map]\ncharset-normalizer = "python3-charset-normalizer (>= 2)"\n');
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.equal(
    await field(ok.deb, 'Depends'),
    'python3:any (>= 3.7), python3:any (<< 4~), python3-certifi (>= 2017.4.17), python3-charset-normalizer (>= 2), python3-django (>= 3:3.2), python3-django (<< 3:4~), python3-idna (>= 2.5), python3-idna (<< 4~), python3-urllib3 (>= 1.21.1), python3-urllib3 (<< 1.27~)',
  );
  assert.equal(await field(ok.deb, 'Suggests'), 'python3-editables (>= 0.3), python3-socks (>= 1.5.6)');
  assert.match(ok.stderr, /warning: dependencies: PySocks: !=1\.5\.7 left out: Debian relations cannot exclude a version/);
  const sim = await simulate(await copyIn(ok.deb));
  assert.ok(sim.ok, sim.output);
  assert.match(sim.output, /Inst python3-charset-normalizer \(3\.0\.1-2/);
  assert.match(sim.output, /Inst python3-reqlike \(2\.28\.1-1/);
});

test("the epoch matters: (<< 3:4~) resolves against Debian 12's python3-django 3:3.2, (<< 4~) does not", async () => {
  for (const [name, dep, resolves] of [
    ['epoch-ok', 'python3-django (<< 3:4~)', true],
    ['epoch-missing', 'python3-django (<< 4~)', false],
  ] as const) {
    const dir = join(work, name);
    await mkdir(join(dir, 'DEBIAN'), { recursive: true });
    await writeFile(
      join(dir, 'DEBIAN/control'),
      `Package: py2pkg-${name}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: ${TEST_MAINTAINER}\nDepends: ${dep}\nDescription: control-only package for the epoch test\n`,
    );
    const path = join(work, `${name}.deb`);
    await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '--build', dir, path], { env, extendEnv: false });
    const sim = await simulate(await copyIn(path));
    assert.equal(sim.ok, resolves, sim.output);
  }
});

test('--with-extras: socks resolves (python3-socks); editable fails in apt for exactly python3-editables, which Debian 12 lacks', async () => {
  const config = '[depends-map]\ncharset-normalizer = "python3-charset-normalizer (>= 2)"\n';
  const socks = await convertReqlike('socks', ['--with-extras', 'socks'], config);
  assert.equal(socks.exitCode, 0, socks.stderr);
  assert.match(await field(socks.deb, 'Depends'), /python3-socks \(>= 1\.5\.6\)/);
  assert.equal(await field(socks.deb, 'Suggests'), 'python3-editables (>= 0.3)');
  assert.ok((await simulate(await copyIn(socks.deb))).ok);

  const editable = await convertReqlike('editable', ['--with-extras', 'editable'], config);
  assert.equal(editable.exitCode, 0, editable.stderr);
  assert.match(
    editable.stderr,
    /warning: dependencies: python3-editables \(>= 0\.3\) \(for editables>=0\.3 ?; extra == "editable"\): debian12 has no package python3-editables/,
  );
  const sim = await simulate(await copyIn(editable.deb));
  assert.equal(sim.ok, false);
  assert.deepEqual(sim.notInstallable, ['python3-editables']);
  assert.notEqual((await root.run(['apt-cache', 'show', 'python3-editables'])).exitCode, 0);

  const unknown = await convertReqlike('unknown', ['--with-extras', 'nosuch'], config);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /error\[USAGE\]: --with-extras nosuch: reqlike has no such extra \(it has: editable, socks\)/);
});
