/**
 * [build-system] requires -> Build-Depends of a Debian source package (src/deps/build-requires.ts):
 * upstream's bounds translated as Depends are, markers for the target's Python, extras, names
 * Debian 12 lacks left out with a warning, bounds it cannot meet refused (DEPENDS_UNSATISFIABLE).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debBuildRequirements } from '../../src/deps/build-requires.js';
import { checkBuildRequirements, NO_DEPENDENCY_OPTIONS, type DependencyOptions } from '../../src/deps/index.js';
import { Py2pkgError } from '../../src/errors.js';
import type { BuildSystem } from '../../src/python/backends.js';
import { getProfile } from '../../src/targets/profiles.js';

const debian12 = getProfile('debian12')!;
const jammy = getProfile('ubuntu22.04')!;
const bs = (requires: string[], backend = 'setuptools.build_meta'): BuildSystem => ({ backend, requires, legacy: false });
const opts = (over: Partial<DependencyOptions> = {}): DependencyOptions => ({ ...NO_DEPENDENCY_OPTIONS, ...over });
const map = (requires: string[], backend?: string, o: DependencyOptions = NO_DEPENDENCY_OPTIONS, profile = debian12) =>
  debBuildRequirements(bs(requires, backend), profile, o);

test("bounds: lower and upper bounds as Depends writes them; the bounded relation takes the backend's bare name's place", () => {
  const r = map(['setuptools>=61.0', 'wheel>=0.37,<1', 'Cython>=0.29.21,<3', 'numpy>=1.20']);
  assert.deepEqual(r.relations, [
    'python3-setuptools (>= 61)',
    'python3-wheel (>= 0.37)',
    'python3-wheel (<< 1~)',
    'cython3 (>= 0.29.21)',
    'cython3 (<< 3~)',
    'python3-numpy (>= 1:1.20)', // the archive's epoch, as for Depends
  ]);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.unsatisfiable, []);
  // flit_core's requirement names the backend's package (flit on Debian 12)
  assert.deepEqual(map(['flit_core >=3.2,<4'], 'flit_core.buildapi').relations, ['flit (>= 3.2)', 'flit (<< 4~)']);
  // ~= and == as Depends writes them
  assert.deepEqual(map(['hatchling~=1.8', 'hatch-vcs==0.3.0'], 'hatchling.build').relations, [
    'python3-hatchling (>= 1.8)',
    'python3-hatchling (<< 2~)',
    'python3-hatch-vcs (>= 0.3)',
    'python3-hatch-vcs (<< 0.3.0.~)',
  ]);
  // no requirement: the backend alone; a legacy project: setuptools and wheel
  assert.deepEqual(map([], 'poetry.core.masonry.api').relations, ['python3-poetry-core']);
  assert.deepEqual(map(['setuptools', 'wheel'], 'setuptools.build_meta:__legacy__').relations, ['python3-setuptools', 'python3-wheel']);
});

test('!= cannot be a Debian relation: left out with a warning that says which', () => {
  const r = map(['setuptools>=61,!=63.0']);
  assert.deepEqual(r.relations, ['python3-setuptools (>= 61)']);
  assert.deepEqual(r.warnings, ['setuptools: !=63.0 left out: Debian relations cannot exclude a version']);
});

test("markers are evaluated for the target's Python, not this machine's", () => {
  const reqs = [
    'setuptools>=61',
    'tomli>=1.1; python_version < "3.11"',
    'pywin32; sys_platform == "win32"',
    'cython; platform_python_implementation == "CPython"',
  ];
  assert.deepEqual(map(reqs).relations, ['python3-setuptools (>= 61)', 'cython3']);
  // Ubuntu 22.04: Python 3.10, tomli applies (no archive data: no epoch, no verdict)
  assert.deepEqual(map(reqs, undefined, NO_DEPENDENCY_OPTIONS, jammy).relations, ['python3-setuptools (>= 61)', 'python3-tomli (>= 1.1)', 'cython3']);
});

test("extras a build tool's metadata defines are expanded for the target (setuptools_scm[toml]); unknown ones warn", () => {
  // setuptools-scm 7.1.0's METADATA (Debian 12): toml adds setuptools>=42; 8.x: tomli below Python 3.11
  const r = map(['setuptools>=64', 'setuptools_scm[toml]>=6.2']);
  assert.deepEqual(r.relations, ['python3-setuptools (>= 64)', 'python3-setuptools-scm (>= 6.2)']);
  assert.deepEqual(r.warnings, []);
  // the weaker setuptools bound the extra adds gives way to the stronger one, in either order
  // (the backend's package first: the bounded relation takes its bare name's place)
  assert.deepEqual(map(['setuptools_scm[toml]>=6.2', 'setuptools>=64']).relations, ['python3-setuptools (>= 64)', 'python3-setuptools-scm (>= 6.2)']);
  // Python 3.10 (Ubuntu 22.04): the extra needs tomli there
  assert.deepEqual(map(['setuptools', 'setuptools-scm[toml]'], undefined, NO_DEPENDENCY_OPTIONS, jammy).relations, [
    'python3-setuptools (>= 42)',
    'python3-setuptools-scm',
    'python3-tomli (>= 1)',
  ]);
  // an extra the table does not know: the package, and the warning
  const u = map(['setuptools', 'setuptools_scm[rich]']);
  assert.deepEqual(u.relations, ['python3-setuptools', 'python3-setuptools-scm']);
  assert.deepEqual(u.warnings, ["setuptools_scm[rich]: the extras' own requirements are not expressed, only python3-setuptools-scm"]);
  // known and unknown together: only the unknown one is named
  assert.deepEqual(map(['setuptools', 'setuptools_scm[toml,rich]']).warnings, [
    "setuptools_scm[rich]: the extras' own requirements are not expressed, only python3-setuptools-scm",
  ]);
});

test("names: build table first (setuptools is python3-setuptools, not the runtime python3-pkg-resources), dh-python's map, tools, PyPI-only helpers", () => {
  const r = map(['setuptools', 'cmake>=3.18', 'ninja', 'oldest-supported-numpy', 'pybind11>=2.10']);
  assert.deepEqual(r.relations, ['python3-setuptools', 'cmake (>= 3.18)', 'ninja-build', 'python3-numpy', 'python3-pybind11 (>= 2.10)']);
  assert.deepEqual(map(['oldest-supported-numpy>=2022.8']).warnings, [
    "oldest-supported-numpy>=2022.8: its versions are not python3-numpy's; Build-Depends on python3-numpy without bounds",
  ]);
});

test('a name Debian 12 does not have is left out, with a warning naming it and how to keep it', () => {
  const r = map(['setuptools>=61', 'setuptools-git-versioning>=1.13,<2']);
  assert.deepEqual(r.relations, ['python3-setuptools (>= 61)']);
  assert.equal(r.warnings.length, 1);
  assert.equal(
    r.warnings[0],
    'setuptools-git-versioning>=1.13,<2 left out of Build-Depends: debian12 has no package python3-setuptools-git-versioning; if the build farm has it, keep it with [depends-map] setuptools-git-versioning = "python3-setuptools-git-versioning (>= 1.13), python3-setuptools-git-versioning (<< 2~)"',
  );
  // the backend's own package is kept (nothing builds without it), with a warning
  const pdm = map(['pdm-backend'], 'pdm.backend');
  assert.deepEqual(pdm.relations, ['python3-pdm-backend']);
  assert.match(pdm.warnings[0]!, /^python3-pdm-backend \(the build backend pdm\.backend\): debian12 has no such package/);
  // a package a --recursive plan converts alongside is not judged by the archive data
  assert.deepEqual(map(['setuptools-git-versioning>=1.13'], undefined, opts({ provided: { 'python3-setuptools-git-versioning': '1.13.5' } })).relations, [
    'python3-setuptools',
    'python3-setuptools-git-versioning (>= 1.13)',
  ]);
});

test('a bound Debian 12 cannot meet is unsatisfiable: DEPENDS_UNSATISFIABLE (exit 5) before the build, with the override', () => {
  const r = map(['setuptools>=99', 'wheel']);
  assert.deepEqual(
    r.unsatisfiable.map((p) => [p.requirement, p.relations, p.reason]),
    [['setuptools>=99', ['python3-setuptools (>= 99)'], 'debian12 has python3-setuptools 66.1.1-1+deb12u2']],
  );
  assert.throws(
    () => checkBuildRequirements({ name: 'demo', version: '1.0' }, bs(['setuptools>=99', 'wheel', 'Cython>=3.0']), debian12, NO_DEPENDENCY_OPTIONS),
    (e: unknown) => {
      assert.ok(e instanceof Py2pkgError);
      assert.equal(e.code, 'DEPENDS_UNSATISFIABLE');
      assert.equal(e.exitStatus, 5);
      assert.equal(
        e.message,
        'demo 1.0: debian12 cannot satisfy 2 build requirements ([build-system] requires): setuptools>=99 -> python3-setuptools (>= 99), but debian12 has python3-setuptools 66.1.1-1+deb12u2; Cython>=3.0 -> cython3 (>= 3), but debian12 has cython3 0.29.32-2+b1',
      );
      assert.match(e.hint, /\[depends-map\] setuptools = "python3-setuptools"/);
      return true;
    },
  );
});

test('depends-map and drop-depends apply to build requirements too (written as given, not judged)', () => {
  const o = opts({ dependsMap: { setuptools: 'python3-setuptools (>= 99)' }, dropDepends: ['wheel'] });
  const r = checkBuildRequirements({ name: 'demo', version: '1.0' }, bs(['setuptools>=99', 'wheel>=0.40']), debian12, o);
  assert.deepEqual(r.relations, ['python3-setuptools (>= 99)']);
  assert.deepEqual(map(['setuptools-scm>=8'], undefined, opts({ dependsMap: { 'setuptools-scm': '' } })).relations, ['python3-setuptools']);
});

test('a requirement that is not PEP 508 is left out with a warning, never written', () => {
  const r = map(['setuptools', 'evil (>= 1)\nBuild-Depends: rootkit', '']);
  assert.deepEqual(r.relations, ['python3-setuptools']);
  assert.equal(r.warnings.length, 2);
  for (const w of r.warnings) assert.match(w, /left out: not a PEP 508 requirement$/);
  assert.ok(r.warnings.every((w) => !w.includes('\n')));
});
