/**
 * src/deps: Debian and RPM names, PEP 440 specifiers -> Debian relations and RPM requires. Pure functions (plus the shipped data files).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { relationStrings, translateSpecifierSet } from '../../src/deps/deb-relations.js';
import { debianBinaryName, debianNameFor, fedoraNameFor, parseFedoraNames, parseNameMap, rpmDistName, safeName } from '../../src/deps/names.js';
import { rpmPackageName } from '../../src/formats/rpm-data.js';
import { debianPackageName } from '../../src/sdist/pkginfo.js';
import { isRpmDependency } from '../../src/deps/options.js';
import { rpmRequirement } from '../../src/deps/rpm-requires.js';
import { parseSpecifierSet } from '../../src/python/pep440.js';
import { parseRequirement } from '../../src/python/pep508.js';
import type { PythonMetadata } from '../../src/types.js';
import { noVectors, VECTORS } from '../support/vectors.js';
import { el9, deb } from '../support/deps-cases.js';

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
