/**
 * An extension module linking a system library (the yamlish fixture, PyYAML 6.0's shape with
 * libyaml) for the target that is this machine: Depends from the real dpkg-shlibdeps names
 * libyaml-0-2; the debug symbols go to a -dbgsym companion laid out as dh_strip does
 * (.build-id path from the module's NT_GNU_BUILD_ID, --add-gnu-debuglink, compressed
 * .debug_* sections) with the control fields dh_gencontrol writes; lintian 0 errors on both;
 * signed alike and published together. The build dependencies are checked before the build
 * with dpkg-query: one line naming the apt-get install command.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { after, before, test } from 'node:test';
import { run } from '../../src/exec.js';
import { KNOWN_BUILD_DEPENDS } from '../../src/python/build-depends.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, keysDir, py2pkg, repoRoot, upstreamPub } from '../support/project.js';

const SO = 'usr/lib/python3/dist-packages/_yamlish.cpython-311-x86_64-linux-gnu.so';
const MAIN = 'python3-yamlish_6.0-1_amd64.deb';
const DBGSYM = 'python3-yamlish-dbgsym_6.0-1_amd64.deb';
const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');

let work: string;
let out: string;
let json: { package: { path: string; packageName: string; version: string; debugSymbols?: { path: string; packageName: string; version: string } } };
let x: string;

const convertArgs = (outDir: string, more: string[] = []) => [
  '--format',
  'deb',
  '--target',
  'debian12',
  '--trusted-keys',
  upstreamPub,
  '--out',
  outDir,
  '--maintainer',
  TEST_MAINTAINER,
  ...more,
  fixtureSdist('yamlish'),
];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-libyaml-'));
  out = join(work, 'out');
  const r = await py2pkg(convertArgs(out, ['--json']), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 0, r.stderr);
  json = JSON.parse(r.stdout) as typeof json;
  x = join(work, 'x');
  for (const f of [MAIN, DBGSYM]) await run('dpkg-deb', ['-x', join(out, f), x]);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('two packages in --out, both in --json: the amd64 .deb and its -dbgsym companion', async () => {
  assert.deepEqual((await readdir(out)).sort(), [DBGSYM, MAIN].sort());
  assert.equal(json.package.path, join(out, MAIN));
  assert.deepEqual(json.package.debugSymbols, { format: 'deb', path: join(out, DBGSYM), packageName: 'python3-yamlish-dbgsym', version: '6.0-1' });
});

test("Depends: libyaml-0-2 as the real dpkg-shlibdeps names it (libyaml-0-2's shlibs/symbols), libc6, the Python ABI", async () => {
  const depends = (await run('dpkg-deb', ['--field', join(out, MAIN), 'Depends'])).stdout.trim().split(/,\s*/);
  // the same tool on the same stripped module, outside py2pkg: the oracle for the relation
  const control = join(work, 'shl', 'debian');
  await mkdir(control, { recursive: true });
  await writeFile(join(control, 'control'), 'Source: x\n\nPackage: x\nArchitecture: any\n');
  const oracle = (await run('dpkg-shlibdeps', ['-O', `-e${join(x, SO)}`], { cwd: join(work, 'shl') })).stdout;
  const libyaml = /(libyaml-0-2(?: \([^)]*\))?)/.exec(oracle)?.[1];
  assert.ok(libyaml, `dpkg-shlibdeps names libyaml-0-2: ${oracle}`);
  assert.ok(depends.includes(libyaml), `${libyaml} in ${depends.join(', ')}`);
  for (const d of ['python3 (>= 3.11~)', 'python3 (<< 3.12)', 'python3:any']) assert.ok(depends.includes(d), `${d} in ${depends.join(', ')}`);
  assert.ok(
    depends.some((d) => /^libc6 \(>= 2\.[0-9.]+\)$/.test(d)),
    depends.join(', '),
  );
});

test('the -dbgsym control: the fields and order dh_gencontrol writes (debhelper 13.11)', async () => {
  const control = (await run('dpkg-deb', ['--field', join(out, DBGSYM)])).stdout;
  const fields = control
    .split('\n')
    .filter((l) => /^[A-Z]/.test(l))
    .map((l) => l.split(':')[0]);
  assert.deepEqual(fields, [
    'Package',
    'Source',
    'Version',
    'Auto-Built-Package',
    'Architecture',
    'Maintainer',
    'Installed-Size',
    'Depends',
    'Section',
    'Priority',
    'Description',
    'Build-Ids',
  ]);
  const f = async (name: string) => (await run('dpkg-deb', ['--field', join(out, DBGSYM), name])).stdout.trim();
  assert.equal(await f('Package'), 'python3-yamlish-dbgsym');
  assert.equal(await f('Auto-Built-Package'), 'debug-symbols');
  assert.equal(await f('Depends'), 'python3-yamlish (= 6.0-1)');
  assert.equal(await f('Section'), 'debug');
  assert.equal(await f('Priority'), 'optional');
  assert.equal(await f('Architecture'), 'amd64');
  // debhelper puts Build-Ids in the dbgsym package's control, not the main one's
  assert.equal((await run('dpkg-deb', ['--field', join(out, MAIN), 'Build-Ids'])).stdout.trim(), '');
});

test('build id: readelf -n of the shipped module names the .debug file; .debug_* only there; the debuglink CRC matches', async () => {
  const notes = (await run('readelf', ['-n', join(x, SO)], { env: { LC_ALL: 'C' } })).stdout;
  const id = /Build ID: ([0-9a-f]+)/.exec(notes)?.[1];
  assert.ok(id && id.length === 40, `a sha1 build id in:\n${notes}`);
  const rel = `usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
  assert.equal((await run('dpkg-deb', ['--field', join(out, DBGSYM), 'Build-Ids'])).stdout.trim(), id);
  const dbgList = (await run('dpkg-deb', ['--contents', join(out, DBGSYM)])).stdout;
  assert.match(dbgList, new RegExp(`^-rw-r--r-- root/root .* \\./${rel.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(dbgList, /^lrwxrwxrwx root\/root .* \.\/usr\/share\/doc\/python3-yamlish-dbgsym -> python3-yamlish$/m);
  const debugSections = (await run('readelf', ['-S', '-W', join(x, rel)])).stdout;
  assert.match(debugSections, /\] \.debug_info\s/);
  // --compress-debug-sections: the C flag on the .debug_info section
  assert.match(debugSections.split('\n').find((l) => / \.debug_info\s/.test(l)) ?? '', /\sC\s+\d+\s+\d+\s+\d+\s*$/);
  const soSections = (await run('readelf', ['-S', '-W', join(x, SO)])).stdout;
  assert.doesNotMatch(soSections, /\.debug_|\.symtab|\.comment/);
  assert.match(soSections, /\.note\.gnu\.build-id/);
  // .gnu_debuglink: the debug file's name, NUL padding to 4, then CRC-32 of the debug file
  const dump = join(work, 'debuglink.bin');
  await run('objcopy', ['--dump-section', `.gnu_debuglink=${dump}`, join(x, SO), join(work, 'scratch.so')]);
  const link = readFileSync(dump);
  const name = link.subarray(0, link.indexOf(0)).toString();
  assert.equal(name, `${id.slice(2)}.debug`);
  assert.equal(link.readUInt32LE(link.length - 4), crc32(readFileSync(join(x, rel))));
});

test('lintian: 0 errors on both packages, no warning outside test/lintian-allowed.txt', async () => {
  const allowed = readFileSync(join(repoRoot, 'test', 'lintian-allowed.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const r = await run('/usr/bin/lintian', ['--tag-display-limit', '0', '--display-level', '>=warning', join(out, MAIN), join(out, DBGSYM)], {
    check: false,
    timeoutMs: 10 * 60_000,
  });
  const lines = r.stdout.split('\n').filter((l) => /^[EW]: /.test(l));
  assert.deepEqual(
    lines.filter((l) => l.startsWith('E: ')),
    [],
    r.stdout,
  );
  assert.deepEqual(
    lines.filter((l) => !allowed.includes(l.split(' ')[2] ?? '')),
    [],
    r.stdout,
  );
});

test('reproducible: the same sdist and SOURCE_DATE_EPOCH give byte-identical .deb and -dbgsym', async () => {
  const again = join(work, 'again');
  const r = await py2pkg(convertArgs(again, ['--quiet']), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [join(again, MAIN), join(again, DBGSYM)]);
  for (const f of [MAIN, DBGSYM]) assert.ok(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f);
});

test('signed alike and published together: py2pkg verify accepts both .debs and the Apt repository lists both', async () => {
  const signed = join(work, 'signed');
  const repo = join(work, 'repo');
  const r = await py2pkg(convertArgs(signed, ['--json', '--sign-key', ORG_SEC, '--repo', repo]), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { package: { signedBy: string; debugSymbols: { path: string; signedBy: string }; repository: { packages: string[] } } };
  assert.equal(res.package.debugSymbols.signedBy, res.package.signedBy);
  assert.deepEqual(res.package.repository.packages.map((p) => p.split('/').pop()).sort(), [DBGSYM, MAIN].sort());
  for (const f of [MAIN, DBGSYM]) {
    const v = await py2pkg(['verify', join(signed, f), '--key', ORG_PUB]);
    assert.equal(v.exitCode, 0, `${f}: ${v.stderr}`);
  }
  const v = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 0, v.stderr);
});

test('build dependencies: [project.NAME] build-depends (PEP 503 match) checked before the build, one line with apt-get install', async () => {
  const cfg = join(work, 'config.toml');
  await writeFile(cfg, '[project.YAMLish]\nbuild-depends = ["libyaml-dev", "py2pkg-test-no-such-dev"]\n');
  const empty = join(work, 'never');
  const r = await py2pkg(convertArgs(empty, ['--config', cfg]), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 5, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('py2pkg: error'));
  assert.equal(lines.length, 1, r.stderr);
  // libyaml-dev, gcc and python3-dev are installed here: only the missing name is listed
  assert.match(
    lines[0] ?? '',
    /^py2pkg: error\[BUILD_DEPENDS_MISSING\]: the compiled build of yamlish needs Debian packages that are not installed \(the config file's \[project\.yamlish\] build-depends and the compiler\): apt-get install py2pkg-test-no-such-dev /,
  );
  assert.doesNotMatch(r.stderr, /build \(sandboxed/, 'refused before the build');
  await writeFile(cfg, '[project.yamlish]\ndepends = ["libyaml-dev"]\n');
  const bad = await py2pkg(convertArgs(empty, ['--config', cfg]));
  assert.equal(bad.exitCode, 2, bad.stderr);
  assert.match(bad.stderr, /error\[CONFIG\]: config file .*: project\.yamlish: unknown key "depends" \(known: build-depends\)/);
});

test('the built-in defaults name packages Debian 12 really has (apt-cache show)', async () => {
  const names = [...new Set(Object.values(KNOWN_BUILD_DEPENDS).flatMap((d) => d.packages))];
  const r = await run('apt-cache', ['show', '--no-all-versions', ...names], { check: false, timeoutMs: 120_000 });
  const found = new Set([...r.stdout.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
  assert.deepEqual(
    names.filter((n) => !found.has(n)),
    [],
    r.stderr,
  );
});
