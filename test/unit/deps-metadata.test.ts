/**
 * src/deps: whole metadata for a target (markers, extras, Requires-Python), the target archive (epochs, satisfiability), overrides, egg-info. Pure functions (plus the shipped data files).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadArchive } from '../../src/deps/archive.js';
import { requiresTxtToRequiresDist } from '../../src/deps/egg-info.js';
import { checkDependencies, debDependencies, debPythonRelations, dependencyOptions, rpmRequires } from '../../src/deps/index.js';
import { DEB_RELATION_RE, isRpmDependency } from '../../src/deps/options.js';
import { selectRequirements } from '../../src/deps/select.js';
import { Py2pkgError } from '../../src/errors.js';
import { markerExtras, parseRequirement } from '../../src/python/pep508.js';
import { checkRequiresPython } from '../../src/sdist/inspect.js';
import { profiles, type TargetProfile } from '../../src/targets/profiles.js';
import { noVectors, VECTORS } from '../support/vectors.js';
import { debian12, el9, el8, meta, opts } from '../support/deps-cases.js';

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
