import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isSpdxExpression,
  ownsDirectory,
  planFiles,
  rpmEVR,
  rpmFileName,
  rpmFullVersion,
  rpmLicense,
  rpmPackageName,
  rpmProvides,
  rpmDependencies,
  specData,
  type StagedEntry,
} from '../../src/formats/rpm-data.js';
import { completeProfile, profiles, type TargetProfile } from '../../src/targets/profiles.js';
import type { Provenance } from '../../src/types.js';
import { Untrusted } from '../../src/render/engine.js';
import { demoMetadata } from '../support/demo-metadata.js';

const el9 = profiles.el9 as TargetProfile;
const el8 = profiles.el8 as TargetProfile;
const fedora = profiles.fedora as TargetProfile;

const meta = demoMetadata;

const plain = (entries: ReturnType<typeof planFiles>) => entries.map((e) => `${e.directive}|${Untrusted.text(e.path)}`);

test('rpmPackageName: python3- + the PEP 503 name, a leading python- dropped, the profile prefix', () => {
  assert.equal(rpmPackageName(meta({ name: 'Acme.Widgets' }), el9), 'python3-acme-widgets');
  assert.equal(rpmPackageName(meta({ name: 'python-dateutil' }), el9), 'python3-dateutil');
  assert.equal(rpmPackageName(meta({ name: 'Zope_Interface' }), el9), 'python3-zope-interface');
  const alt = completeProfile('x', {
    ...el8,
    packagePrefix: 'python3.11-',
    pythonVersion: '3.11',
    pythonFullVersion: '3.11.0',
    siteDir: '/usr/lib/python3.11/site-packages',
    dependencyStyle: 'python3.Xdist',
  });
  assert.equal(rpmPackageName(meta({ name: 'requests' }), alt), 'python3.11-requests');
});

test('rpmEVR / rpmFileName: Fedora version scheme with the release as upstream wrote it, the profile release, epoch kept but not in the file name', () => {
  assert.deepEqual(rpmEVR(meta({ version: '1.0.0' }), el9), { version: '1.0.0', release: '1.el9' });
  assert.deepEqual(rpmEVR(meta({ version: '1.16.0' }), el9), { version: '1.16.0', release: '1.el9' });
  assert.deepEqual(rpmEVR(meta({ version: '2!1.0rc1' }), fedora), { epoch: 2, version: '1.0~rc1', release: '1.fc44' });
  assert.equal(rpmFullVersion(rpmEVR(meta({ version: '2!1.0rc1' }), el9)), '2:1.0~rc1-1.el9');
  assert.equal(rpmFullVersion(rpmEVR(meta({ version: '1.2.post3' }), el9)), '1.2^post3-1.el9');
  assert.equal(rpmFullVersion(rpmEVR(meta({ version: '1.2.dev4' }), el9)), '1.2~~dev4-1.el9');
  assert.equal(rpmFileName(meta({ name: 'Demo.Pkg', version: '2!1.0rc1' }), el9), 'python3-demo-pkg-1.0~rc1-1.el9.noarch.rpm');
  assert.throws(() => rpmEVR(meta({ version: '1.0+local' }), el9), { code: 'METADATA_INVALID' });
});

test('rpmProvides: python3dist and python3.Xdist with the version, or python3.Xdist only for an alternative stack', () => {
  assert.deepEqual(rpmProvides(meta({ name: 'Demo.Pkg', version: '1.10.0' }), el9), ['python3dist(demo-pkg) = 1.10', 'python3.9dist(demo-pkg) = 1.10']);
  assert.deepEqual(rpmProvides(meta({ version: '3!2.0' }), fedora), ['python3dist(demo-pkg) = 3:2', 'python3.14dist(demo-pkg) = 3:2']);
  const alt = completeProfile('x', {
    ...el8,
    pythonVersion: '3.11',
    pythonFullVersion: '3.11.0',
    siteDir: '/usr/lib/python3.11/site-packages',
    dependencyStyle: 'python3.Xdist',
  });
  assert.deepEqual(rpmProvides(meta(), alt), ['python3.11dist(demo-pkg) = 1']);
});

test('rpmDependencies: markers evaluated for the TARGET Python, extras as Suggests, names per the profile style', () => {
  const cap = (d: string) => d.replace(/^\(+/, '').split(' ')[0];
  const m = meta({
    requiresDist: [
      'six (>=1.5)',
      'importlib-resources>=1.0 ; python_version < "3.7"',
      'pywin32; sys_platform == "win32"',
      'requests[socks]>=2.0; extra == "net"',
      'Django_Thing; python_version >= "3.8" and extra == "web"',
    ],
  });
  const on9 = rpmDependencies(m, el9);
  assert.deepEqual(on9.requires.map(cap), ['python3dist(six)']);
  assert.deepEqual(on9.suggests.map(cap).sort(), ['python3dist(django-thing)', 'python3dist(requests)']);
  // el8 has Python 3.6: the backport's marker holds there, the 3.8+ extra's does not
  const on8 = rpmDependencies(m, el8);
  assert.deepEqual(on8.requires.map(cap).sort(), ['python3dist(importlib-resources)', 'python3dist(six)']);
  assert.deepEqual(on8.suggests.map(cap), ['python3dist(requests)']);
  const alt = completeProfile('x', {
    ...el8,
    pythonVersion: '3.11',
    pythonFullVersion: '3.11.0',
    siteDir: '/usr/lib/python3.11/site-packages',
    dependencyStyle: 'python3.Xdist',
  });
  assert.deepEqual(rpmDependencies(meta({ requiresDist: ['six'] }), alt).requires, ['python3.11dist(six)']);
});

test('rpmLicense: SPDX License-Expression, else classifier or License field mapped to SPDX, else as written', () => {
  assert.equal(rpmLicense(meta({ licenseExpression: 'MIT OR (Apache-2.0 WITH LLVM-exception)' })), 'MIT OR (Apache-2.0 WITH LLVM-exception)');
  assert.equal(rpmLicense(meta({ licenseExpression: 'not an % expression', classifiers: ['License :: OSI Approved :: MIT License'] })), 'MIT');
  assert.equal(rpmLicense(meta({ classifiers: ['License :: OSI Approved :: Apache Software License'] })), 'Apache-2.0');
  assert.equal(rpmLicense(meta({ classifiers: ['License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)'] })), 'GPL-2.0-or-later');
  assert.equal(rpmLicense(meta({ license: 'BSD' })), 'BSD-3-Clause');
  assert.equal(rpmLicense(meta({ license: 'Custom Corp License 1' })), 'Custom Corp License 1');
  assert.equal(rpmLicense(meta({ license: 'Line one\nline two of a full text' })), 'LicenseRef-Unknown');
  assert.equal(rpmLicense(meta()), 'LicenseRef-Unknown');
  assert.ok(isSpdxExpression('(MIT OR BSD-2-Clause) AND LicenseRef-Foo'));
  for (const bad of ['MIT OR', '(MIT', 'MIT)', 'AND MIT', '%{x}', '']) assert.ok(!isSpdxExpression(bad), bad);
});

const SITE = el9.siteDir;
const staged: StagedEntry[] = [
  { path: '/usr', type: 'dir' },
  { path: '/usr/bin', type: 'dir' },
  { path: '/usr/bin/demo', type: 'file' },
  { path: '/usr/lib', type: 'dir' },
  { path: '/usr/lib/python3.9', type: 'dir' },
  { path: SITE, type: 'dir' },
  { path: `${SITE}/demo`, type: 'dir' },
  { path: `${SITE}/demo/__init__.py`, type: 'file' },
  { path: `${SITE}/demo/data.txt`, type: 'file' },
  { path: `${SITE}/demo-1.0.dist-info`, type: 'dir' },
  { path: `${SITE}/demo-1.0.dist-info/LICENSE.txt`, type: 'file' },
  { path: `${SITE}/demo-1.0.dist-info/METADATA`, type: 'file' },
  { path: '/usr/share', type: 'dir' },
  { path: '/usr/share/doc', type: 'dir' },
  { path: '/usr/share/doc/python3-demo', type: 'dir' },
  { path: '/usr/share/doc/python3-demo/provenance.json', type: 'file' },
  { path: '/usr/share/man', type: 'dir' },
  { path: '/usr/share/man/man1', type: 'dir' },
  { path: '/usr/share/man/man1/demo.1', type: 'file' },
  { path: '/usr/share/demo-data', type: 'dir' },
  { path: '/usr/share/demo-data/x.json', type: 'file' },
];

test('ownsDirectory: below the site dir, its doc/license dirs and its own /usr/share trees only', () => {
  assert.ok(ownsDirectory(`${SITE}/demo`, el9, 'python3-demo'));
  assert.ok(ownsDirectory('/usr/share/doc/python3-demo', el9, 'python3-demo'));
  assert.ok(ownsDirectory('/usr/share/demo-data', el9, 'python3-demo'));
  for (const shared of [SITE, '/usr/lib/python3.9', '/usr/bin', '/usr/share', '/usr/share/doc', '/usr/share/man/man1', '/usr/share/doc/python3-other', '/usr'])
    assert.ok(!ownsDirectory(shared, el9, 'python3-demo'), shared);
});

test('planFiles: files with their directives, owned dirs, %ghost bytecode for the target Python, in path order', () => {
  assert.deepEqual(plain(planFiles(staged, el9, 'python3-demo', `${SITE}/demo-1.0.dist-info`)), [
    '%attr(0755,root,root)|/usr/bin/demo',
    `%dir|${SITE}/demo`,
    `%dir|${SITE}/demo-1.0.dist-info`,
    `%license|${SITE}/demo-1.0.dist-info/LICENSE.txt`,
    `|${SITE}/demo-1.0.dist-info/METADATA`,
    `|${SITE}/demo/__init__.py`,
    `%ghost %dir|${SITE}/demo/__pycache__`,
    `%ghost|${SITE}/demo/__pycache__/__init__.cpython-39.opt-1.pyc`,
    `%ghost|${SITE}/demo/__pycache__/__init__.cpython-39.pyc`,
    `|${SITE}/demo/data.txt`,
    '%dir|/usr/share/demo-data',
    '|/usr/share/demo-data/x.json',
    '%dir|/usr/share/doc/python3-demo',
    '%doc|/usr/share/doc/python3-demo/provenance.json',
    '|/usr/share/man/man1/demo.1',
  ]);
});

test('planFiles: an unlistable name makes its nearest owned directory listed whole; none owned -> RPM_FILE_NAME', () => {
  const extra: StagedEntry[] = [
    { path: `${SITE}/demo/tpl`, type: 'dir' },
    { path: `${SITE}/demo/tpl/sub`, type: 'dir' },
    { path: `${SITE}/demo/tpl/sub/[x].html`, type: 'file' },
    { path: `${SITE}/demo/tpl/a.py`, type: 'file' },
    { path: `${SITE}/demo/tpl/q"uote.txt`, type: 'file' },
  ];
  const withGlob = [...staged, ...extra].sort((a, b) => (a.path < b.path ? -1 : 1));
  const out = plain(planFiles(withGlob, el9, 'python3-demo', undefined));
  assert.ok(out.includes(`|${SITE}/demo/tpl`), out.join('\n'));
  assert.ok(!out.some((l) => l.includes(`${SITE}/demo/tpl/`)), 'nothing below a directory listed whole');
  assert.ok(out.includes(`|${SITE}/demo/__init__.py`));
  assert.throws(() => planFiles([...staged, { path: '/usr/bin/demo*', type: 'file' }], el9, 'python3-demo', undefined), { code: 'RPM_FILE_NAME' });
});

test('specData: python(abi) pins the target Python, /usr/bin/python3 only with scripts, provenance in %changelog', () => {
  const provenance: Provenance = {
    sdist: { filename: 'Demo.Pkg-1.0.0.tar.gz', sha256: 'b'.repeat(64), size: 1 },
    unsigned: true,
    verification: { method: 'none', reason: 'test' },
    verifiedAt: '2026-01-01T00:00:00.000Z',
  };
  const base = {
    meta: meta(),
    target: el9,
    provenance,
    maintainer: 'T <t@example.org>',
    sourceDateEpoch: 1767225600,
    toolVersion: '9.9',
    distInfoDir: undefined,
    description: 'Demo text.',
  };
  const withScript = specData({ ...base, staged });
  assert.deepEqual(withScript.requires.slice(0, 2), ['python(abi) = 3.9', '/usr/bin/python3']);
  const noScript = specData({ ...base, staged: staged.filter((e) => !e.path.startsWith('/usr/bin/')) });
  assert.deepEqual(noScript.requires, ['python(abi) = 3.9']);
  assert.equal(withScript.evr, '1.0.0-1.el9');
  assert.equal(withScript.name, 'python3-demo-pkg');
  assert.match(withScript.changelog.map((c) => Untrusted.text(c)).join('\n'), /Demo\.Pkg-1\.0\.0\.tar\.gz by py2pkg 9\.9 for el9[\s\S]*UNSIGNED/);
});
