/**
 * src/deps: names, specifier -> relations, markers for the target, extras, Requires-Python,
 * archive epochs and satisfiability, overrides. Pure functions (plus the shipped data files).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadArchive } from '../../src/deps/archive.js';
import { relationStrings, translateSpecifierSet } from '../../src/deps/deb-relations.js';
import { requiresTxtToRequiresDist } from '../../src/deps/egg-info.js';
import {
  checkDependencies,
  debDependencies,
  debPythonRelations,
  dependencyOptions,
  NO_DEPENDENCY_OPTIONS,
  rpmRequires,
  type DependencyOptions,
} from '../../src/deps/index.js';
import { debianBinaryName, debianNameFor, fedoraNameFor, parseFedoraNames, parseNameMap, rpmDistName, safeName } from '../../src/deps/names.js';
import { rpmPackageName } from '../../src/formats/rpm-data.js';
import { debianPackageName } from '../../src/sdist/pkginfo.js';
import { DEB_RELATION_RE, isRpmDependency } from '../../src/deps/options.js';
import { rpmRequirement } from '../../src/deps/rpm-requires.js';
import { selectRequirements } from '../../src/deps/select.js';
import { Py2pkgError } from '../../src/errors.js';
import { parseSpecifierSet } from '../../src/python/pep440.js';
import { markerExtras, parseRequirement } from '../../src/python/pep508.js';
import { checkRequiresPython } from '../../src/sdist/inspect.js';
import { profiles, type TargetProfile } from '../../src/targets/profiles.js';
import type { PythonMetadata } from '../../src/types.js';
import { noVectors, VECTORS } from '../support/vectors.js';

const debian12 = profiles.debian12 as TargetProfile;
const el9 = profiles.el9 as TargetProfile;
const el8 = profiles.el8 as TargetProfile;

function meta(requiresDist: string[], extra: Partial<PythonMetadata> = {}): PythonMetadata {
  return {
    metadataVersion: '2.1',
    name: 'example',
    version: '1.0',
    summary: 'x',
    description: '',
    projectUrls: [],
    licenseFiles: [],
    classifiers: [],
    requiresDist,
    providesExtra: [],
    dynamic: [],
    ...extra,
  };
}

const opts = (o: Partial<DependencyOptions> = {}): DependencyOptions => ({ ...NO_DEPENDENCY_OPTIONS, ...o });
const deb = (spec: string, epoch = 0n): string[] => relationStrings('python3-x', translateSpecifierSet(parseSpecifierSet(spec), epoch).bounds);

// ---------------------------------------------------------------------------------------------
// names

test("Debian names: dh-python's map first, then the python3-<name> rule", () => {
  const cases: Array<[string, string]> = [
    ['PyYAML', 'python3-yaml'],
    ['pyyaml', 'python3-yaml'],
    ['beautifulsoup4', 'python3-bs4'],
    ['Pillow', 'python3-pil'],
    ['attrs', 'python3-attr'],
    ['python-dateutil', 'python3-dateutil'],
    ['python_dateutil', 'python3-dateutil'],
    ['jaraco.classes', 'python3-jaraco.classes'],
    ['Jaraco-Classes', 'python3-jaraco.classes'], // PEP 503 spelling of a dotted name still finds it
    ['zope-interface', 'python3-zope.interface'],
    ['setuptools', 'python3-pkg-resources'],
    ['Cython', 'cython3'],
    ['Django', 'python3-django'],
    ['PySocks', 'python3-socks'],
    ['charset_normalizer', 'python3-charset-normalizer'],
    ['not-in-debian-at-all', 'python3-not-in-debian-at-all'],
    ['python-frobnicate', 'python3-frobnicate'],
    ['Some.Dotted_Name', 'python3-some.dotted-name'],
  ];
  for (const [dist, pkg] of cases) assert.equal(debianNameFor(dist).package, pkg, dist);
  assert.equal(debianNameFor('argparse').fixedRelation, 'python3 (>= 3.2)');
  assert.equal(debianNameFor('not-in-debian-at-all').source, 'guess');
});

test("Debian names: every entry of dh-python's cpython3_fallback is found as the file says", { skip: noVectors }, () => {
  const text = readFileSync(`${VECTORS}debian-names/cpython3_fallback`, 'utf8');
  const first = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [name, ...rest] = line.split(' ');
    if (!first.has(safeName(name as string))) first.set(safeName(name as string), rest.join(' '));
  }
  let checked = 0;
  for (const [key, dep] of first) {
    const got = debianNameFor(key);
    assert.equal(got.fixedRelation ?? got.package, dep, key);
    checked++;
  }
  assert.ok(checked > 5100, `${checked}`);
  assert.equal(parseNameMap('simpy python3-simpy3\nsimpy python3-simpy\n').bySafeName.get('simpy'), 'python3-simpy3', 'first entry wins, as in dh-python');
});

test("a project's own Debian package: dh-python's name where Debian names it after its import name or a historical name", { skip: noVectors }, () => {
  // real entries of cpython3_fallback whose Debian package is not the generic python3-<name>
  const cases: Array<[string, string, string]> = [
    // [name as a user types it, the entry's left column, Debian's package]
    ['PyYAML', 'PyYAML', 'python3-yaml'], // import name yaml
    ['pytz', 'pytz', 'python3-tz'], // Debian's historical name python-tz
    ['beautifulsoup4', 'beautifulsoup4', 'python3-bs4'], // import name bs4
    ['attrs', 'attrs', 'python3-attr'], // import name attr
    ['PyJWT', 'PyJWT', 'python3-jwt'],
    ['GitPython', 'GitPython', 'python3-git'],
    ['dbus-python', 'dbus_python', 'python3-dbus'],
    ['Faker', 'Faker', 'python3-fake-factory'], // Faker's historical name fake-factory
    ['CherryPy', 'CherryPy', 'python3-cherrypy3'], // historical CherryPy 3 name
    ['CT3', 'CT3', 'python3-cheetah'], // historical: the Cheetah template engine
    ['Cython', 'Cython', 'cython3'], // an application-style name without python3-
  ];
  const fallback = readFileSync(`${VECTORS}debian-names/cpython3_fallback`, 'utf8').split('\n');
  for (const [name, entry, pkg] of cases) {
    assert.ok(fallback.includes(`${entry} ${pkg}`), `${entry} ${pkg} is a line of the real list`);
    assert.notEqual(debianPackageName(name), pkg, `${name}: the generic rule gives another name`);
    assert.equal(debianBinaryName(name), pkg, name);
  }
  // spelled otherwise by the user: looked up as dh-python does (safe_name), then by PEP 503 name
  assert.equal(debianBinaryName('pyyaml'), 'python3-yaml');
  assert.equal(debianBinaryName('Beautifulsoup4'), 'python3-bs4');
  assert.equal(debianBinaryName('dbus.python'), 'python3-dbus');
  // the map gives the same name as the rule, or has no entry: the rule
  assert.equal(debianBinaryName('six'), 'python3-six');
  assert.equal(debianBinaryName('rpc4django'), 'python3-rpc4django');
  assert.equal(debianBinaryName('python-slugify'), 'python3-slugify');
  // a package the map gives to several distributions is a bundle, not this project's own
  assert.ok(fallback.includes('types_requests python3-typeshed') && fallback.includes('azure_storage_blob python3-azure-storage'));
  assert.equal(debianBinaryName('types-requests'), 'python3-types-requests');
  assert.equal(debianBinaryName('azure-storage-blob'), 'python3-azure-storage-blob');
  // the one entry that is a relation, not a package
  assert.equal(debianBinaryName('argparse'), 'python3-argparse');
  assert.throws(() => debianBinaryName('-bad'), { code: 'METADATA_INVALID' });
  let differs = 0;
  for (const line of fallback.filter(Boolean)) {
    const name = line.slice(0, line.indexOf(' '));
    if (name.startsWith('_')) continue; // not a valid distribution name (`_pycbf`)
    if (debianBinaryName(name) !== debianPackageName(name)) differs++;
  }
  assert.ok(differs > 1200, `${differs} projects get Debian's own name instead of the rule's`);
});

test("a project's own RPM: Fedora's name where python-rpm-packaging's data shows one, else python3-<PEP 503 name>", { skip: noVectors }, () => {
  const yaml = readFileSync(`${VECTORS}debian-names/rpm-pythondistdeps/test-data.yaml`, 'utf8');
  // `--package-name python3-dns+DNSSEC:` followed by the dist-info/egg-info it was run on
  const seen = new Map<string, string>();
  for (const m of yaml.matchAll(
    /--package-name (python3-[A-Za-z0-9._-]+)\+[A-Za-z0-9_-]+:\n(?:\s+--[^\n]*\n)*\s+usr\/lib(?:64)?\/python3\.\d+\/site-packages\/([A-Za-z0-9_.]+)-[0-9][^/\n]*\.(?:dist|egg)-info:/g,
  )) {
    seen.set(m[2] as string, m[1] as string);
  }
  assert.ok(seen.size >= 4, `${seen.size} pairs`);
  const differing = [...seen].filter(([dist, pkg]) => rpmPackageName({ name: dist } as PythonMetadata, el9) === pkg || fedoraNameFor(dist) === pkg);
  assert.equal(differing.length, seen.size, 'every pair in the data is named as Fedora names it');
  const file = parseFedoraNames(readFileSync(new URL('../../../src/deps/data/fedora-names', import.meta.url), 'utf8'));
  const expected = [...seen].filter(([dist, pkg]) => `python3-${dist.toLowerCase().replace(/[-_.]+/g, '-')}` !== pkg);
  assert.deepEqual(
    [...file.entries()],
    expected.map(([d, p]) => [d.toLowerCase(), p]),
    'src/deps/data/fedora-names holds exactly the differing pairs',
  );
  assert.equal(rpmPackageName({ name: 'dnspython' } as PythonMetadata, el9), 'python3-dns');
  assert.equal(rpmPackageName({ name: 'DNSPython' } as PythonMetadata, el9), 'python3-dns');
  assert.equal(rpmPackageName({ name: 'zope.component' } as PythonMetadata, el9), 'python3-zope-component');
  assert.equal(rpmPackageName({ name: 'python-dateutil' } as PythonMetadata, el9), 'python3-dateutil');
  const alt = { ...el9, packagePrefix: 'python3.11-' };
  assert.equal(rpmPackageName({ name: 'dnspython' } as PythonMetadata, alt), 'python3.11-dns');
});

test('RPM names: python3dist(<PEP 503 name>), python3.Xdist for such profiles', () => {
  assert.equal(rpmDistName('Django'), 'python3dist(django)');
  assert.equal(rpmDistName('jaraco.classes'), 'python3dist(jaraco-classes)');
  assert.equal(rpmDistName('Foo__Bar'), 'python3dist(foo-bar)');
  assert.equal(rpmDistName('requests', { extra: 'SOCKS' }), 'python3dist(requests[socks])');
  assert.equal(rpmDistName('requests', { pythonVersion: '3.11' }), 'python3.11dist(requests)');
});

// ---------------------------------------------------------------------------------------------
// specifiers -> Debian relations

test("specifiers -> Debian relations (the issue's examples)", () => {
  assert.deepEqual(deb('>=1.9'), ['python3-x (>= 1.9)']);
  assert.deepEqual(deb('<2'), ['python3-x (<< 2~)']);
  assert.deepEqual(deb('~=1.4.2'), ['python3-x (>= 1.4.2)', 'python3-x (<< 1.5~)']);
  assert.deepEqual(deb('==1.4.*'), ['python3-x (>= 1.4~)', 'python3-x (<< 1.5~)']);
  assert.deepEqual(deb('==1.4'), ['python3-x (>= 1.4)', 'python3-x (<< 1.4.0.~)']);
  assert.deepEqual(deb('<=2.0'), ['python3-x (<< 2.0.0.~)']);
  assert.deepEqual(deb('>2.0'), ['python3-x (>> 2.0.0.~)']);
  assert.deepEqual(deb('>=2.0'), ['python3-x (>= 2)']);
  assert.deepEqual(deb('~=2.0'), ['python3-x (>= 2)', 'python3-x (<< 3~)']);
  assert.deepEqual(deb('<2.0rc1'), ['python3-x (<< 2.0~rc1)']);
  assert.deepEqual(deb('>=1.0.post2'), ['python3-x (>= 1.0+post2)']);
  assert.deepEqual(deb('==1!2.0'), ['python3-x (>= 1:2)', 'python3-x (<< 1:2.0.0.~)']);
  assert.deepEqual(deb(''), ['python3-x']);
  // != cannot be said in Depends: left out, with a note, every time
  const ne = translateSpecifierSet(parseSpecifierSet('>=1.0,!=1.5'), 0n);
  assert.deepEqual(relationStrings('python3-x', ne.bounds), ['python3-x (>= 1)']);
  assert.match(ne.notes.join(), /!=1\.5 left out/);
  assert.deepEqual(deb('!=1.*'), ['python3-x']);
});

test('Debian relations carry the archive epoch on every bound', () => {
  assert.deepEqual(deb('<4', 3n), ['python3-x (<< 3:4~)']);
  assert.deepEqual(deb('>=1.9', 3n), ['python3-x (>= 3:1.9)']);
  assert.deepEqual(deb('~=3.2', 3n), ['python3-x (>= 3:3.2)', 'python3-x (<< 3:4~)']);
});

test('each bound is spelled so that every spelling of the version Debian uses falls on the right side', async () => {
  const { satisfiesRelation } = await import('../../src/deps/debversion.js');
  const admits = (spec: string, version: string): boolean =>
    translateSpecifierSet(parseSpecifierSet(spec), 0n).bounds.every((b) => satisfiesRelation(version, b.op, b.version));
  // >=2.0: Debian's 2-1, 2.0-1, 2.0.0-1, repacks; not 1.9
  for (const v of ['2-1', '2.0-1', '2.0.0-1', '2.0+dfsg-1', '2.0.1-1']) assert.ok(admits('>=2.0', v), `>=2.0 admits ${v}`);
  for (const v of ['1.9-1', '2~rc1-1', '1.99-1']) assert.ok(!admits('>=2.0', v), `>=2.0 excludes ${v}`);
  // <2: nothing of 2.0 or its pre-releases in any spelling
  for (const v of ['2-1', '2.0-1', '2.0.0-1', '2.0~rc1-1', '2~rc1-1', '2.0.0~b1-1']) assert.ok(!admits('<2', v), `<2 excludes ${v}`);
  for (const v of ['1.9-1', '1.99.9-3', '1.9+dfsg-1']) assert.ok(admits('<2', v), `<2 admits ${v}`);
  // <=2.0 and ==2.0: every spelling of 2.0, repacks and revisions; not 2.0.1 or 2.1
  for (const spec of ['<=2.0', '==2.0']) {
    for (const v of ['2-1', '2.0-1', '2.0.0-1', '2.0+dfsg-1', '2.0.0+ds-2']) assert.ok(admits(spec, v), `${spec} admits ${v}`);
    for (const v of ['2.0.1-1', '2.1-1', '2.0.0.1-1']) assert.ok(!admits(spec, v), `${spec} excludes ${v}`);
  }
  // >2.0: not 2.0 in any spelling or repack
  for (const v of ['2-1', '2.0-1', '2.0.0-1', '2.0+dfsg-1']) assert.ok(!admits('>2.0', v), `>2.0 excludes ${v}`);
  for (const v of ['2.0.1-1', '2.1-1', '2.0.0.1-1']) assert.ok(admits('>2.0', v), `>2.0 admits ${v}`);
  // ~=1.4.2 and ==1.4.*
  assert.ok(admits('~=1.4.2', '1.4.9+dfsg-1') && !admits('~=1.4.2', '1.5.0-1') && !admits('~=1.4.2', '1.5~rc1-1') && !admits('~=1.4.2', '1.4.1-1'));
  assert.ok(
    admits('==1.4.*', '1.4-1') &&
      admits('==1.4.*', '1.4~rc1-1') &&
      admits('==1.4.*', '1.4.7-1') &&
      !admits('==1.4.*', '1.5-1') &&
      !admits('==1.4.*', '1.3.9-1'),
  );
  // the epoch case from REAL-WORLD.md: Django<4 on Debian 12's 3:3.2.25
  const django = translateSpecifierSet(parseSpecifierSet('<4'), 3n).bounds;
  assert.ok(django.every((b) => satisfiesRelation('3:3.2.25-0+deb12u7', b.op, b.version)));
  assert.ok(
    !translateSpecifierSet(parseSpecifierSet('<4'), 0n).bounds.every((b) => satisfiesRelation('3:3.2.25-0+deb12u7', b.op, b.version)),
    'without the epoch, <4 excludes 3:3.2',
  );
});

// ---------------------------------------------------------------------------------------------
// RPM

test("specifiers -> RPM requires: python-rpm-packaging's expected output for pyreq2rpm (every valid line)", { skip: noVectors }, () => {
  const dir = `${VECTORS}debian-names/rpm-pythondistdeps/`;
  const yaml = readFileSync(`${dir}test-data.yaml`, 'utf8');
  const start = yaml.indexOf('pyreq2rpm.tests-2020.04.07.024dab0-py3.9.egg-info:\n            provides: python3.9dist(pyreq2rpm-tests)');
  const block = yaml.slice(start, yaml.indexOf('python3.9dist(test-underscores) = 1', start));
  const expected = new Set(
    block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('python3.9dist(')),
  );
  expected.add('python3.9dist(test-underscores) = 1');
  let checked = 0;
  const skipped: string[] = [];
  for (const line of readFileSync(`${dir}pyreq2rpm.requires.txt`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())) {
    let req;
    try {
      req = parseRequirement(line);
    } catch {
      skipped.push(line); // wildcards with <, <=, >, >=, ~= are not PEP 440 (packaging refuses them)
      continue;
    }
    const got = rpmRequirement(`python3.9dist(${req.normalizedName})`, parseSpecifierSet(req.specifier));
    assert.ok(expected.has(got), `${line} -> ${got}`);
    checked++;
  }
  assert.ok(checked >= 75, `checked ${checked}`);
  assert.ok(
    skipped.every((l) => /[<>~]=?[0-9.]+\.\*|===.*\*/.test(l) || /\*$/.test(l)),
    skipped.join(' '),
  );
});

test("RPM: Fedora's forms for ranges, !=, and the issue's example", () => {
  assert.equal(rpmRequirement('python3dist(django)', parseSpecifierSet('>=1.9')), 'python3dist(django) >= 1.9');
  assert.equal(rpmRequirement('python3dist(x)', parseSpecifierSet('~=1.4.2')), '(python3dist(x) >= 1.4.2 with python3dist(x) < 1.5)');
  assert.equal(rpmRequirement('python3dist(x)', parseSpecifierSet('>=1.4.2,<1.5')), '(python3dist(x) < 1.5 with python3dist(x) >= 1.4.2)');
  assert.equal(rpmRequirement('python3dist(x)', parseSpecifierSet('!=1.5')), '(python3dist(x) < 1.5 or python3dist(x) > 1.5)');
  assert.equal(rpmRequirement('python3dist(x)', parseSpecifierSet('==1!2.0')), 'python3dist(x) = 1:2');
  assert.equal(rpmRequirement('python3dist(x)', parseSpecifierSet('')), 'python3dist(x)');
  for (const r of [
    'python3dist(x) >= 1.4.2',
    '(python3dist(x) >= 1.4.2 with python3dist(x) < 1.5)',
    '((python3dist(b) < 2 or python3dist(b) > 2) with python3dist(b) >= 1.3)',
    'python(abi) = 3.9',
  ]) {
    assert.ok(isRpmDependency(r), r);
  }
  for (const r of ['python3dist(x) >= 1.4.2\nRequires: evil', '%{python3}', '(python3dist(x) >= 1', 'python3dist(x) >== 1', 'a and b', ''])
    assert.ok(!isRpmDependency(r), r);
});

// ---------------------------------------------------------------------------------------------
// whole metadata

const RPC4DJANGO = meta(['defusedxml', 'Django>=1.9', 'docutils>=0.4; extra == "rest"'], { name: 'rpc4django', version: '0.6.3', providesExtra: ['reST'] });

test('rpc4django: Depends with bounds, the extra as Suggests; --with-extras promotes it (deb and rpm)', () => {
  const d = debDependencies(RPC4DJANGO, debian12, opts());
  assert.deepEqual(d.depends, ['python3:any', 'python3-defusedxml', 'python3-django (>= 3:1.9)']);
  assert.deepEqual(d.suggests, ['python3-docutils (>= 0.4)']);
  assert.deepEqual(d.unsatisfiable, []);
  assert.deepEqual(d.missing, []);
  const promoted = debDependencies(RPC4DJANGO, debian12, dependencyOptions({ withExtras: ['reST'] }, 'deb'));
  assert.deepEqual(promoted.depends, ['python3:any', 'python3-defusedxml', 'python3-django (>= 3:1.9)', 'python3-docutils (>= 0.4)']);
  assert.deepEqual(promoted.suggests, []);
  const r = rpmRequires(RPC4DJANGO, el9, opts());
  assert.deepEqual(r.requires, ['python3dist(defusedxml)', 'python3dist(django) >= 1.9']);
  assert.deepEqual(r.suggests, ['python3dist(docutils) >= 0.4']);
  assert.deepEqual(rpmRequires(RPC4DJANGO, el9, dependencyOptions({ withExtras: ['rest'] }, 'rpm')).requires, [
    'python3dist(defusedxml)',
    'python3dist(django) >= 1.9',
    'python3dist(docutils) >= 0.4',
  ]);
  assert.throws(
    () => debDependencies(RPC4DJANGO, debian12, dependencyOptions({ withExtras: ['nosuch'] }, 'deb')),
    (e: Py2pkgError) => e.code === 'USAGE' && /has no such extra \(it has: rest\)/.test(e.message),
  );
});

test('markers are evaluated for the TARGET profile (its Python), not this machine', () => {
  const m = meta(['typing-extensions; python_version < "3.8"', 'pywin32; sys_platform == "win32"', 'tomli>=1.1; python_version < "3.11"', 'six']);
  assert.deepEqual(debDependencies(m, debian12, opts()).depends, ['python3:any', 'python3-six']);
  // EL 8's Python is 3.6: the backports apply there
  assert.deepEqual(rpmRequires(m, el8, opts()).requires, ['python3dist(six)', 'python3dist(tomli) >= 1.1', 'python3dist(typing-extensions)']);
  // Python 3.9 on EL 9: only tomli
  assert.deepEqual(rpmRequires(m, el9, opts()).requires, ['python3dist(six)', 'python3dist(tomli) >= 1.1']);
});

test('marker selection agrees with packaging for the vectors (target = Debian 12: Linux x86_64 CPython 3.11)', { skip: noVectors }, () => {
  const lines = readFileSync(`${VECTORS}requirements/requirements.tsv`, 'utf8').split('\n').filter(Boolean);
  const h = (lines[0] as string).split('\t');
  const col = (row: string[], n: string): string => row[h.indexOf(n)] as string;
  let checked = 0;
  for (const line of lines.slice(1)) {
    const row = line.split('\t');
    if (col(row, 'valid') !== 'true' || col(row, 'same_in_other_packaging') !== 'true' || col(row, 'url') !== '') continue;
    const marker = col(row, 'marker');
    if (/platform_release|platform_version/.test(marker)) continue; // the vectors fix a kernel; a target profile does not
    const evals = ['eval_extra_unset', 'eval_extra_socks', 'eval_extra_security', 'eval_extra_test'].map((c) => col(row, c));
    if (evals.some((e) => e.startsWith('error'))) continue;
    const input = col(row, 'input');
    const req = parseRequirement(input);
    if (req.normalizedName === 'example') continue;
    const named = req.marker ? markerExtras(req.marker) : [];
    if (!named.every((x) => ['socks', 'security', 'test'].includes(x))) continue;
    const sel = selectRequirements(meta([input]), debian12, opts()).selected;
    const want = evals[0] === 'true' ? 'depends' : evals.slice(1).includes('true') ? 'suggests' : 'none';
    assert.equal(sel[0]?.kind ?? 'none', want, input);
    checked++;
  }
  assert.ok(checked >= 150, `checked ${checked}`);
});

test('Requires-Python becomes python3:any bounds (nothing for bounds every Python 3 meets); the target must satisfy it', () => {
  assert.deepEqual(debPythonRelations(meta([])), ['python3:any']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '>=3.8' })), ['python3:any (>= 3.8)']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '>=3.7,<4' })), ['python3:any (>= 3.7)', 'python3:any (<< 4~)']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '>=2.7, !=3.0.*, !=3.1.*' })), ['python3:any']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '~=3.9' })), ['python3:any (>= 3.9)', 'python3:any (<< 4~)']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '>=3' })), ['python3:any']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '>=3.0, <4' })), ['python3:any (<< 4~)']);
  assert.deepEqual(debPythonRelations(meta([], { requiresPython: '==3.*' })), ['python3:any (<< 4~)']);
  assert.throws(
    () => checkRequiresPython(meta([], { requiresPython: '>=3.12' }), debian12),
    (e: Py2pkgError) => e.code === 'REQUIRES_PYTHON' && e.exitStatus === 5,
  );
  assert.doesNotThrow(() => checkRequiresPython(meta([], { requiresPython: '>=3.12' }), profiles.debian13 as TargetProfile));
});

// ---------------------------------------------------------------------------------------------
// the target archive

test('archive data: Debian 12 epochs and versions, shipped per profile', () => {
  const a = loadArchive('debian12');
  assert.match(a.packages.get('python3-django')?.version ?? '', /^3:3\.2\./);
  assert.equal(a.packages.get('python3-charset-normalizer')?.version, '3.0.1-2');
  assert.ok(a.packages.size > 5000);
  assert.ok(a.source.some((l) => l.includes('bookworm')));
  assert.equal(debian12.archive, 'debian12');
});

const REQUESTS_2_28_1 = meta(
  [
    'charset-normalizer (<3,>=2)',
    'idna (<4,>=2.5)',
    'urllib3 (<1.27,>=1.21.1)',
    'certifi (>=2017.4.17)',
    "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'",
    "chardet (<6,>=3.0.2) ; extra == 'use_chardet_on_py3'",
  ],
  { name: 'requests', version: '2.28.1', providesExtra: ['socks', 'use_chardet_on_py3'], requiresPython: '>=3.7, <4' },
);

test('requests 2.28.1 on Debian 12: charset-normalizer<3 is reported as unsatisfiable; an override per requirement fixes it', () => {
  const d = debDependencies(REQUESTS_2_28_1, debian12, opts());
  assert.equal(d.unsatisfiable.length, 1);
  assert.deepEqual(d.unsatisfiable[0]?.relations, ['python3-charset-normalizer (>= 2)', 'python3-charset-normalizer (<< 3~)']);
  assert.match(d.unsatisfiable[0]?.reason ?? '', /debian12 has python3-charset-normalizer 3\.0\.1-2/);
  let err: Py2pkgError | undefined;
  try {
    checkDependencies(REQUESTS_2_28_1, debian12, 'deb', opts());
  } catch (e) {
    err = e as Py2pkgError;
  }
  assert.ok(err instanceof Py2pkgError);
  assert.equal(err.code, 'DEPENDS_UNSATISFIABLE');
  assert.equal(err.exitStatus, 5);
  assert.doesNotMatch(err.oneLine(), /\n/);
  assert.match(
    err.oneLine(),
    /requests 2\.28\.1: debian12 cannot satisfy a requirement: charset-normalizer \(<3,>=2\) -> python3-charset-normalizer \(>= 2\), python3-charset-normalizer \(<< 3~\), but debian12 has python3-charset-normalizer 3\.0\.1-2/,
  );
  assert.match(err.hint, /\[depends-map\] charset-normalizer = "python3-charset-normalizer"/);

  const mapped = dependencyOptions({ dependsMap: { charset_normalizer: 'python3-charset-normalizer (>= 2)' } }, 'deb');
  const fixed = debDependencies(REQUESTS_2_28_1, debian12, mapped);
  assert.deepEqual(fixed.unsatisfiable, []);
  assert.deepEqual(fixed.depends, [
    'python3:any (>= 3.7)',
    'python3:any (<< 4~)',
    'python3-certifi (>= 2017.4.17)',
    'python3-charset-normalizer (>= 2)',
    'python3-idna (>= 2.5)',
    'python3-idna (<< 4~)',
    'python3-urllib3 (>= 1.21.1)',
    'python3-urllib3 (<< 1.27~)',
  ]);
  assert.deepEqual(fixed.suggests, ['python3-chardet (>= 3.0.2)', 'python3-chardet (<< 6~)', 'python3-socks (>= 1.5.6)']);
  assert.ok(
    fixed.warnings.some((w) => /PySocks: !=1\.5\.7 left out/.test(w)),
    fixed.warnings.join('\n'),
  );
  assert.doesNotThrow(() => checkDependencies(REQUESTS_2_28_1, debian12, 'deb', mapped));
  const dropped = debDependencies(REQUESTS_2_28_1, debian12, dependencyOptions({ dropDepends: ['charset-normalizer'] }, 'deb'));
  assert.ok(!dropped.depends.some((r) => r.includes('charset')));
  assert.deepEqual(dropped.unsatisfiable, []);
  // the same metadata for RPM: nothing to check against, Fedora's forms
  assert.ok(rpmRequires(REQUESTS_2_28_1, el9, opts()).requires.includes('(python3dist(charset-normalizer) < 3 with python3dist(charset-normalizer) >= 2)'));
});

test("Django<4 on Debian 12 is satisfiable because the bound carries the archive's epoch", () => {
  const d = debDependencies(meta(['Django<4,>=3.2']), debian12, opts());
  assert.deepEqual(d.depends, ['python3:any', 'python3-django (>= 3:3.2)', 'python3-django (<< 3:4~)']);
  assert.deepEqual(d.unsatisfiable, []);
  const too = debDependencies(meta(['Django>=4.2']), debian12, opts());
  assert.match(too.unsatisfiable[0]?.reason ?? '', /python3-django 3:3\.2\.25/);
});

test('a package the archive lacks is a warning (it may come from your own repository), not a refusal', () => {
  const d = debDependencies(meta(['editables>=0.3', 'six']), debian12, opts());
  assert.deepEqual(d.depends, ['python3:any', 'python3-editables (>= 0.3)', 'python3-six']);
  assert.equal(d.missing.length, 1);
  assert.ok(d.warnings.some((w) => /python3-editables \(>= 0\.3\).*debian12 has no package python3-editables/.test(w)));
  assert.doesNotThrow(() => checkDependencies(meta(['editables>=0.3']), debian12, 'deb', opts()));
});

test('overrides: depends-map (verbatim, "" leaves it out), extra-depends, drop-depends; values are checked', () => {
  const o = dependencyOptions(
    { dependsMap: { Django: 'python3-django (>= 3:3.2) | python3-django-lts', six: '' }, extraDepends: ['libjs-jquery'], dropDepends: ['Defused_XML'] },
    'deb',
  );
  const d = debDependencies(meta(['Django>=1.9', 'six', 'defused-xml']), debian12, o);
  assert.deepEqual(d.depends, ['python3:any', 'python3-django (>= 3:3.2) | python3-django-lts', 'libjs-jquery']);
  const bad =
    (raw: Parameters<typeof dependencyOptions>[0], format: 'deb' | 'rpm' = 'deb') =>
    () =>
      dependencyOptions(raw, format);
  assert.throws(bad({ dependsMap: { x: 'python3-x (>= 1)\nDescription: evil' } }), (e: Py2pkgError) => e.code === 'CONFIG');
  assert.throws(bad({ dependsMap: { x: 'python3-x (> 1)' } }), (e: Py2pkgError) => e.code === 'CONFIG');
  assert.throws(bad({ extraDepends: ['Not A Package'] }), (e: Py2pkgError) => e.code === 'CONFIG');
  assert.throws(bad({ dropDepends: ['bad name!'] }), (e: Py2pkgError) => e.code === 'CONFIG');
  assert.throws(bad({ dependsMap: { x: 'python3-x (>= 1)' } }, 'rpm'), (e: Py2pkgError) => e.code === 'CONFIG');
  assert.throws(bad({ withExtras: ['no extra!'] }), (e: Py2pkgError) => e.code === 'USAGE');
  assert.deepEqual(dependencyOptions({ withExtras: ['reST,Socks', 'x'] }, 'deb').withExtras, ['rest', 'socks', 'x']);
  const r = rpmRequires(
    meta(['Django>=1.9', 'six']),
    el9,
    dependencyOptions({ dependsMap: { django: '(python3dist(django) >= 3.2 with python3dist(django) < 5)' }, extraDepends: ['/usr/bin/git'] }, 'rpm'),
  );
  assert.deepEqual(r.requires, ['(python3dist(django) >= 3.2 with python3dist(django) < 5)', 'python3dist(six)', '/usr/bin/git']);
});

test('stdlib backports, URLs, extras of a dependency and self-references', () => {
  const d = debDependencies(
    meta(['dataclasses', 'enum34', 'requests[socks]>=2', 'pip @ https://example.org/pip.tar.gz', 'example[extra]; extra == "all"'], {
      providesExtra: ['all', 'extra'],
    }),
    debian12,
    opts(),
  );
  assert.deepEqual(d.depends, ['python3:any', 'python3-pip', 'python3-requests (>= 2)']);
  assert.deepEqual(d.suggests, []);
  assert.ok(d.warnings.some((w) => /dataclasses left out: the standard library/.test(w)));
  assert.ok(d.warnings.some((w) => /requests\[socks\]: the extras' own requirements are not expressed/.test(w)));
  assert.ok(d.warnings.some((w) => /pip @ URL/.test(w)));
});

test("every relation written for the vectors' requirements is a valid Debian relation / RPM dependency", { skip: noVectors }, () => {
  const lines = readFileSync(`${VECTORS}requirements/requirements.tsv`, 'utf8').split('\n').slice(1).filter(Boolean);
  let n = 0;
  for (const line of lines) {
    const [input, valid] = line.split('\t');
    if (valid !== 'true') continue;
    try {
      parseRequirement(input as string);
    } catch {
      continue;
    }
    const m = meta([input as string], { providesExtra: ['socks', 'security', 'test'] });
    let d;
    try {
      d = debDependencies(m, debian12, opts());
    } catch (e) {
      assert.equal((e as Py2pkgError).code, 'METADATA_INVALID', input); // a marker packaging cannot evaluate either
      continue;
    }
    for (const r of [...d.depends, ...d.suggests]) assert.match(r, DEB_RELATION_RE, `${input} -> ${r}`);
    for (const r of [...rpmRequires(m, el9, opts()).requires]) assert.ok(isRpmDependency(r), `${input} -> ${r}`);
    n++;
  }
  assert.ok(n > 250, `${n}`);
});

test('egg-info requires.txt -> Requires-Dist lines', () => {
  assert.deepEqual(
    requiresTxtToRequiresDist(
      'six>=1.5\n\n[:python_version < "3.8"]\nimportlib-metadata\n\n[socks]\nPySocks!=1.5.7,>=1.5.6\n\n[test:sys_platform == "win32"]\npywin32\n',
    ),
    [
      'six>=1.5',
      'importlib-metadata; python_version < "3.8"',
      'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
      'pywin32; (sys_platform == "win32") and extra == "test"',
    ],
  );
  for (const l of requiresTxtToRequiresDist('[test:sys_platform == "win32"]\npywin32\n')) assert.doesNotThrow(() => parseRequirement(l));
});
