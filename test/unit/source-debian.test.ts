/** The debian/ files of --source as pure functions (src/formats/source/debian-files.ts), and import names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildDepends,
  controlText,
  releasePattern,
  rulesText,
  sourceName,
  sourceVersion,
  upstreamVersion,
  watchText,
} from '../../src/formats/source/debian-files.js';
import type { SourceContext } from '../../src/formats/source/types.js';
import { debBuildRequirements } from '../../src/deps/build-requires.js';
import { NO_DEPENDENCY_OPTIONS } from '../../src/deps/index.js';
import { importNamesOf } from '../../src/formats/source/srpm-data.js';
import { getProfile } from '../../src/targets/profiles.js';
import { demoMetadata } from '../support/demo-metadata.js';

const debian12 = getProfile('debian12')!;

const meta = demoMetadata;

function ctx(over: Partial<SourceContext> = {}): SourceContext {
  return {
    metadata: meta(),
    sdist: { path: '/x/Demo.Pkg-1.0.0.tar.gz', filename: 'Demo.Pkg-1.0.0.tar.gz', sha256: '0'.repeat(64), size: 1 },
    provenance: {
      sdist: { filename: 'Demo.Pkg-1.0.0.tar.gz', sha256: '0'.repeat(64), size: 1 },
      unsigned: true,
      verification: { method: 'none', reason: 'test' },
      verifiedAt: '2026-01-01T00:00:00.000Z',
    },
    pinnedKeyFiles: [],
    target: debian12,
    maintainer: 'Ops <ops@example.org>',
    outDir: '/out',
    workDir: '/work',
    compiled: false,
    systemBuildDepends: { packages: ['libyaml-dev'], from: 'config' },
    licenseTexts: [],
    sourceNotices: [],
    description: 'Longer text.',
    buildSystem: {
      backend: 'setuptools.build_meta',
      requires: ['setuptools>=61', 'wheel', 'setuptools_scm[toml]>=6.2', 'tomli; python_version < "3.11"'],
      legacy: false,
    },
    importNames: ['demo'],
    sdistTopDir: 'Demo.Pkg-1.0.0',
    docFiles: [],
    scripts: [],
    sourceDateEpoch: 1767225600,
    toolVersion: '0.1.0',
    templates: undefined as unknown as SourceContext['templates'],
    progress: () => {},
    warn: () => {},
    ...over,
  };
}

test('names and versions: python-<name> source, upstream version without epoch, the target revision', () => {
  assert.equal(sourceName(meta()), 'python-demo.pkg');
  assert.equal(sourceName(meta({ name: 'PyYAML' })), 'python-yaml');
  assert.equal(upstreamVersion(meta({ version: '1!2.0rc1' })), '2.0~rc1');
  assert.equal(sourceVersion(meta({ version: '1!2.0rc1' }), debian12), '1:2.0~rc1-1');
});

test('Build-Depends: debhelper, dh-python, the pyproject plugin, python3-all, the backend and its requirements with their bounds', () => {
  // what the pipeline computes before the build (src/deps/build-requires.ts)
  const buildRequirements = debBuildRequirements(ctx().buildSystem, debian12, NO_DEPENDENCY_OPTIONS).relations;
  assert.deepEqual(buildDepends(ctx({ buildRequirements })), [
    'debhelper-compat (= 13)',
    'dh-sequence-python3',
    'dh-python',
    'pybuild-plugin-pyproject',
    'python3-all',
    'python3-setuptools (>= 61)',
    'python3-wheel',
    'python3-setuptools-scm (>= 6.2)',
  ]);
  // compiled: python3-all-dev and the -dev packages of [project.NAME] build-depends
  assert.deepEqual(buildDepends(ctx({ compiled: true, buildRequirements })).slice(4), [
    'python3-all-dev',
    'python3-setuptools (>= 61)',
    'python3-wheel',
    'python3-setuptools-scm (>= 6.2)',
    'libyaml-dev',
  ]);
  // without the pipeline's relations: the backend's package alone
  assert.deepEqual(buildDepends(ctx({ buildSystem: { backend: 'hatchling.build', requires: ['hatchling'], legacy: false } })).slice(5), ['python3-hatchling']);
  // a relation that is not one is never written
  assert.deepEqual(buildDepends(ctx({ buildRequirements: ['python3-x (>= 1)\nPackage: evil', 'python3-ok (>= 1)'] })).slice(5), ['python3-ok (>= 1)']);
});

test('control: hostile summary and description stay inside their fields', () => {
  const text = controlText(ctx({ metadata: meta({ summary: 'evil\nDepends: rootkit' }), description: 'line\nPackage: injected\n\nSource: x' }));
  const fieldLines = text
    .split('\n')
    .filter((l) => /^[A-Za-z-]+:/.test(l))
    .map((l) => l.split(':')[0]);
  assert.deepEqual(fieldLines, [
    'Source',
    'Section',
    'Priority',
    'Maintainer',
    'Build-Depends',
    'Standards-Version',
    'Rules-Requires-Root',
    'Testsuite',
    'Package',
    'Architecture',
    'Depends',
    'Description',
  ]);
  assert.match(text, /^Description: evil Depends: rootkit$/m);
  assert.match(text, /^ line Package: injected$/m);
  assert.match(controlText(ctx({ compiled: true })), /^Architecture: any\nDepends: \$\{python3:Depends\},\n \$\{misc:Depends\},\n \$\{shlibs:Depends\}$/m);
});

test('rules: dh with pybuild, PYBUILD_NAME the binary name', () => {
  const r = rulesText(ctx());
  assert.match(r, /^#!\/usr\/bin\/make -f$/m);
  assert.match(r, /^export PYBUILD_NAME=demo.pkg$/m);
  assert.match(r, /^%:\n\tdh \$@ --buildsystem=pybuild$/m);
});

test("watch: pgpsigurlmangle only with PGP evidence; the file name pattern from the sdist; another index's project page", () => {
  assert.deepEqual(releasePattern('Demo.Pkg-1.0.0.tar.gz', '1.0.0'), { prefix: 'Demo.Pkg', ext: '.tar.gz' });
  const pgp = watchText(ctx({ signaturePath: '/x/Demo.Pkg-1.0.0.tar.gz.asc' }), true);
  assert.match(pgp, /^version=4$/m);
  assert.match(pgp, /^opts="pgpsigurlmangle=s%\$%\.asc%, /m);
  assert.match(pgp, /^ {2}https:\/\/pypi\.debian\.net\/demo-pkg\/Demo\\\.Pkg-\(/m);
  assert.match(watchText(ctx({ signaturePath: '/x/Demo.Pkg-1.0.0.tar.gz.sig' }), true), /pgpsigurlmangle=s%\$%\.sig%/);
  assert.doesNotMatch(watchText(ctx(), false), /pgpsigurlmangle/);
  const other = watchText(ctx({ index: { url: 'https://pypi.internal/simple/', fileUrl: 'https://pypi.internal/f/Demo.Pkg-1.0.0.tar.gz' } }), false);
  assert.match(other, /^ {2}https:\/\/pypi\.internal\/simple\/demo-pkg\/ \.\*\/Demo\\\.Pkg-/m);
});

test('import names: top-level packages and modules under the site directory, not metadata or scripts', () => {
  const site = '/usr/lib/python3/dist-packages';
  assert.deepEqual(
    importNamesOf(
      [
        `${site}/cext/__init__.py`,
        `${site}/cext/_speed.cpython-311-x86_64-linux-gnu.so`,
        `${site}/_yamlish.cpython-311-x86_64-linux-gnu.so`,
        `${site}/six.py`,
        `${site}/six-1.0.dist-info/METADATA`,
        '/usr/bin/tool',
      ],
      site,
    ),
    ['_yamlish', 'cext', 'six'],
  );
});
