import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildIdDebugPath, parseBuildId } from '../../src/formats/deb-binary.js';
import { dbgsymControl } from '../../src/formats/deb-dbgsym.js';
import {
  buildDependsMessage,
  KNOWN_BUILD_DEPENDS,
  missingDebianPackages,
  parseInstalled,
  parseProjectTable,
  projectBuildDepends,
} from '../../src/python/build-depends.js';
import { loadConfig } from '../../src/settings.js';

test('[project.NAME] build-depends: PEP 503 names, config beats the defaults, an empty list turns them off', () => {
  const table = parseProjectTable({ PyYAML: { 'build-depends': ['libyaml-dev', 'libyaml-dev', 'pkg-config'] }, My_Project: { 'build-depends': [] } }, 'c.toml');
  assert.deepEqual([...table.keys()].sort(), ['my-project', 'pyyaml']);
  assert.deepEqual(projectBuildDepends('pyyaml', table), { packages: ['libyaml-dev', 'pkg-config'], from: 'config' });
  assert.deepEqual(projectBuildDepends('my.project', table), { packages: [], from: 'config' });
  // the defaults, matched however the sdist spells the name
  assert.deepEqual(projectBuildDepends('LXML'), { packages: ['libxml2-dev', 'libxslt1-dev'], from: 'default' });
  assert.deepEqual(projectBuildDepends('python_ldap').packages, ['libldap2-dev', 'libsasl2-dev']);
  assert.deepEqual(projectBuildDepends('PyYAML').packages, ['libyaml-dev']);
  assert.ok(projectBuildDepends('cryptography').note);
  assert.deepEqual(projectBuildDepends('rpc4django'), { packages: [], from: 'none' });
  // no inherited Object properties answer for a project named like one
  assert.deepEqual(projectBuildDepends('constructor'), { packages: [], from: 'none' });
  for (const [name, d] of Object.entries(KNOWN_BUILD_DEPENDS)) {
    assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${name} is PEP 503-normalised`);
    assert.ok(d.packages.length > 0 && d.packages.every((p) => /^[a-z0-9][a-z0-9+.-]+$/.test(p)), name);
  }
});

test('[project.NAME] refusals are CONFIG errors naming the key', () => {
  const bad = (v: unknown, re: RegExp) =>
    assert.throws(
      () => parseProjectTable(v, 'c.toml'),
      (e: any) => e.code === 'CONFIG' && re.test(e.message),
    );
  bad([], /project must be a table of tables/);
  bad({ x: 'libfoo' }, /project\.x must be a table/);
  bad({ x: { depends: [] } }, /project\.x: unknown key "depends" \(known: build-depends\)/);
  bad({ x: { 'build-depends': 'libfoo-dev' } }, /must be a list/);
  bad({ x: { 'build-depends': ['libfoo-dev; rm -rf /'] } }, /is not a Debian package name/);
  bad({ x: { 'build-depends': ['LibFoo'] } }, /is not a Debian package name/);
  bad({ '-x': {} }, /not a Python project name/);
  bad({ 'a.b': {}, A_B: {} }, /named twice/);
});

test('the config file: project is a known key; other unknown keys stay CONFIG errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-bd-'));
  try {
    const file = join(dir, 'config.toml');
    await writeFile(file, '[project.PyYAML]\nbuild-depends = ["libyaml-dev"]\n');
    const { config } = await loadConfig(file, {});
    assert.deepEqual(config.project?.get('pyyaml'), { packages: ['libyaml-dev'] });
    await writeFile(file, '[projects.PyYAML]\nbuild-depends = ["libyaml-dev"]\n');
    await assert.rejects(loadConfig(file, {}), (e: any) => e.code === 'CONFIG' && /unknown key "projects"/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("dpkg-query: installed names from its output, and against this machine's real database", async () => {
  assert.deepEqual([...parseInstalled('dpkg\tinstalled\nlibfoo-dev\tnot-installed\nlibc6:amd64\tinstalled\nx\tconfig-files\n')].sort(), ['dpkg', 'libc6']);
  // dpkg is installed wherever py2pkg runs; the made-up name is not
  assert.deepEqual(await missingDebianPackages(['dpkg', 'py2pkg-test-no-such-dev', 'dpkg']), ['py2pkg-test-no-such-dev']);
  assert.deepEqual(await missingDebianPackages([]), []);
  await assert.rejects(missingDebianPackages(['-x']), { code: 'USAGE' });
  assert.equal(
    buildDependsMessage('PyYAML', ['libyaml-dev', 'python3-dev'], 'default'),
    "the compiled build of PyYAML needs Debian packages that are not installed (py2pkg's defaults for PyYAML, override with [project.PyYAML] build-depends in the config file): apt-get install libyaml-dev python3-dev",
  );
});

test('build ids: readelf -n line, the .build-id path dh_strip uses', () => {
  const notes =
    '\nDisplaying notes found in: .note.gnu.build-id\n  Owner                Data size \tDescription\n  GNU                  0x00000014\tNT_GNU_BUILD_ID (unique build ID bitstring)\t    Build ID: 12b26a21b000d8a8b4c7fdaa42377b5b528578de\n';
  assert.equal(parseBuildId(notes), '12b26a21b000d8a8b4c7fdaa42377b5b528578de');
  assert.equal(parseBuildId('Displaying notes found in: .note.ABI-tag\n'), undefined);
  assert.equal(buildIdDebugPath('12b26a21b000d8a8b4c7fdaa42377b5b528578de'), 'usr/lib/debug/.build-id/12/b26a21b000d8a8b4c7fdaa42377b5b528578de.debug');
  assert.throws(() => buildIdDebugPath('../x'), { code: 'TOOL_FAILED' });
});

test("the -dbgsym control: debhelper 13's fields in dpkg-gencontrol's order", () => {
  // what dh_gencontrol wrote for a package built with debhelper 13.11.4 on Debian 12, with
  // Source named like the package (py2pkg's controls carry no Source field)
  assert.equal(
    dbgsymControl({
      package: 'python3-foo',
      version: '1.0-1',
      architecture: 'amd64',
      maintainer: 'T <t@example.org>',
      installedSizeKiB: 15,
      buildIds: ['ff00', '48b25735eac5d237306d55717690ab57aab04e40'],
    }),
    'Package: python3-foo-dbgsym\nSource: python3-foo\nVersion: 1.0-1\nAuto-Built-Package: debug-symbols\nArchitecture: amd64\nMaintainer: T <t@example.org>\nInstalled-Size: 15\nDepends: python3-foo (= 1.0-1)\nSection: debug\nPriority: optional\nDescription: debug symbols for python3-foo\nBuild-Ids: 48b25735eac5d237306d55717690ab57aab04e40 ff00\n',
  );
});
