/** The SRPM's spec data (src/formats/source/srpm-data.ts) and its rendering, without rpmbuild. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  importNamesOf,
  pickDocFiles,
  releaseOf,
  signatureName,
  srpmFileName,
  srpmName,
  srpmSpecData,
  targetMacros,
} from '../../src/formats/source/srpm-data.js';
import { renderSrpmSpec } from '../../src/formats/source/srpm-spec.js';
import type { SrpmRequest } from '../../src/formats/source/srpm-types.js';
import { Untrusted } from '../../src/render/engine.js';
import { completeProfile, profiles, type TargetProfile } from '../../src/targets/profiles.js';
import type { Provenance, PythonMetadata } from '../../src/types.js';
import { demoMetadata } from '../support/demo-metadata.js';

const el9 = profiles.el9 as TargetProfile;
const fedora = profiles.fedora as TargetProfile;

const meta = (over: Partial<PythonMetadata> = {}): PythonMetadata => demoMetadata({ license: 'MIT', ...over });

const provenance: Provenance = {
  sdist: { filename: 'Demo.Pkg-1.0.0.tar.gz', sha256: 'ab'.repeat(32), size: 1 },
  unsigned: false,
  verification: { method: 'pinned-sha256', sha256: 'ab'.repeat(32) },
  verifiedAt: '2026-01-01T00:00:00.000Z',
};

function req(over: Partial<SrpmRequest> = {}): SrpmRequest {
  return {
    metadata: meta(),
    sdist: { path: '/x/Demo.Pkg-1.0.0.tar.gz', filename: 'Demo.Pkg-1.0.0.tar.gz', sha256: 'ab'.repeat(32) },
    evidence: { kind: 'pgp', signaturePath: '/x/s.asc', keyFiles: ['/x/k.asc'], fingerprints: ['AA'] },
    provenance,
    provenanceJson: '{}',
    sbomJson: '{}',
    target: el9,
    outDir: '/o',
    workDir: '/w',
    compiled: false,
    licenseTexts: [
      { name: 'LICENSE', text: 'MIT' },
      { name: '../etc/passwd', text: '' },
      { name: 'LICENSES/Apache 2.txt', text: '' },
    ],
    docFiles: ['README.rst', 'setup.py', 'CHANGES.md', 'provenance.json', 'README weird.md'],
    description: 'Long text.',
    importNames: ['demo_pkg'],
    consoleScripts: ['demo'],
    maintainer: 'Org Packager <pkg@example.org>',
    sourceDateEpoch: 1767225600,
    toolVersion: '0.1.0',
    ...over,
  };
}

test('names: python-<name> source, python3-<name> subpackage, the SRPM file name with the dist tag', () => {
  assert.equal(srpmName(req()), 'python-demo-pkg');
  assert.equal(srpmName(req({ metadata: meta({ name: 'python-dateutil' }) })), 'python-dateutil');
  assert.equal(srpmFileName(req()), 'python-demo-pkg-1.0.0-1.el9.src.rpm');
  assert.equal(srpmFileName(req({ target: fedora })), 'python-demo-pkg-1.0.0-1.fc44.src.rpm');
  assert.equal(srpmSpecData(req(), 'Demo.Pkg-1.0.0.tar.gz.asc').pkg, 'python3-demo-pkg');
});

test('release and target macros: Release 1%{?dist} where the profile revision ends in its dist tag, literal otherwise', () => {
  assert.deepEqual(releaseOf(el9), { release: '1', dist: '.el9' });
  assert.deepEqual(releaseOf(fedora), { release: '1', dist: '.fc44' });
  const custom = completeProfile('corp', { ...el9, revision: '3corp', distribution: 'corp' });
  assert.deepEqual(releaseOf(custom), { release: '3corp', dist: '' });
  assert.deepEqual(targetMacros(el9), [
    ['dist', '.el9'],
    ['rhel', '9'],
    ['el9', '1'],
  ]);
  assert.deepEqual(targetMacros(fedora), [
    ['dist', '.fc44'],
    ['fedora', '44'],
    ['fc44', '1'],
  ]);
  assert.deepEqual(targetMacros(custom), []);
});

test('sources and build requirements: PGP adds Source1/Source2 and gnupg2, compiled adds gcc and drops noarch', () => {
  const d = srpmSpecData(req(), 'Demo.Pkg-1.0.0.tar.gz.asc');
  assert.deepEqual(
    d.sources.map((s) => [s.n, Untrusted.text(s.value)]),
    [
      [0, 'Demo.Pkg-1.0.0.tar.gz'],
      [1, 'Demo.Pkg-1.0.0.tar.gz.asc'],
      [2, 'python-demo-pkg.gpg'],
      [3, 'provenance.json'],
      [4, 'sbom.cdx.json'],
    ],
  );
  assert.deepEqual(d.buildRequires, ['python3-devel', 'pyproject-rpm-macros', 'gnupg2']);
  assert.equal(d.noarch, true);
  assert.equal(d.pgp, true);
  const c = srpmSpecData(req({ compiled: true, evidence: { kind: 'pep740', provenancePath: '/x/p' }, extraBuildRequires: ['libyaml-devel'] }));
  assert.deepEqual(
    c.sources.map((s) => s.n),
    [0, 3, 4, 5],
  );
  assert.deepEqual(c.buildRequires, ['python3-devel', 'pyproject-rpm-macros', 'gcc', 'libyaml-devel']);
  assert.equal(c.noarch, false);
  assert.throws(() => srpmSpecData(req({ extraBuildRequires: ['foo\n%post'], evidence: { kind: 'none' } })), { code: 'CONFIG' });
  assert.throws(() => srpmSpecData(req()), /signature file name/);
});

test('Source0: the index URL when it ends in the file name, else the file name', () => {
  const url = 'https://files.pythonhosted.org/packages/ab/cd/Demo.Pkg-1.0.0.tar.gz';
  assert.equal(Untrusted.text(srpmSpecData(req({ sourceUrl: url, evidence: { kind: 'none' } })).sources[0]!.value), url);
  for (const bad of ['https://x.example/other-1.0.tar.gz', 'https://x.example/%{foo}/Demo.Pkg-1.0.0.tar.gz', 'file:///Demo.Pkg-1.0.0.tar.gz']) {
    assert.equal(Untrusted.text(srpmSpecData(req({ sourceUrl: bad, evidence: { kind: 'none' } })).sources[0]!.value), 'Demo.Pkg-1.0.0.tar.gz', bad);
  }
});

test('files: licenses and docs only as plain relative names, import names and scripts validated', () => {
  const d = srpmSpecData(req(), 'Demo.Pkg-1.0.0.tar.gz.asc');
  assert.deepEqual(d.licenses, ['LICENSE']);
  assert.deepEqual(d.docs, ['CHANGES.md', 'README.rst', 'provenance.json', 'sbom.cdx.json']);
  assert.deepEqual(d.saveFiles, ['demo_pkg']);
  assert.deepEqual(srpmSpecData(req({ importNames: [], evidence: { kind: 'none' } })).saveFiles, ["'*'"]);
  assert.throws(() => srpmSpecData(req({ importNames: ['os; rm -rf /'], evidence: { kind: 'none' } })), { code: 'METADATA_INVALID' });
  assert.throws(() => srpmSpecData(req({ consoleScripts: ['de mo'], evidence: { kind: 'none' } })), { code: 'RPM_FILE_NAME' });
  assert.throws(() => srpmSpecData(req({ sdistTopDir: '%{__rm}', evidence: { kind: 'none' } })), { code: 'RPM_FILE_NAME' });
  assert.deepEqual(pickDocFiles(['NEWS', 'news.txt', 'setup.cfg', 'README']), ['NEWS', 'README', 'news.txt']);
});

test('importNamesOf: top-level modules and packages below the site dir, extension modules by their import name', () => {
  const site = el9.siteDir;
  assert.deepEqual(
    importNamesOf(
      [
        `${site}/demo/__init__.py`,
        `${site}/demo/x.py`,
        `${site}/_speed.cpython-39-x86_64-linux-gnu.so`,
        `${site}/single.py`,
        `${site}/Demo.Pkg-1.0.0.dist-info/METADATA`,
        `${site}/__pycache__/single.cpython-39.pyc`,
        `${site}/x.pth`,
        '/usr/bin/demo',
        `${site}/not-valid.py`,
      ],
      site,
    ),
    ['_speed', 'demo', 'single'],
  );
});

test('signatureName: .asc for an armored signature, .sig for a binary one', () => {
  assert.equal(signatureName('a-1.tar.gz', Buffer.from('-----BEGIN PGP SIGNATURE-----\n')), 'a-1.tar.gz.asc');
  assert.equal(signatureName('a-1.tar.gz', Buffer.from([0x89, 0x02, 0x33])), 'a-1.tar.gz.sig');
});

test('rendering: a hostile summary and description stay text; the pyproject sections in order', async () => {
  const spec = await renderSrpmSpec(
    srpmSpecData(
      req({ metadata: meta({ summary: 'Evil %{__rm}\n%post\necho pwned' }), description: '%post\nrm -rf /\n# comment\n%(id)' }),
      'Demo.Pkg-1.0.0.tar.gz.asc',
    ),
  );
  assert.match(spec, /^Summary: +Evil %%\{__rm\} %%post echo pwned$/m);
  assert.doesNotMatch(spec, /^\s*%post/m);
  assert.match(spec, /^\u00a0%%post$/m);
  assert.match(spec, /^\u00a0# comment$/m);
  assert.match(spec, /^Release: +1%\{\?dist\}$/m);
  const order = [
    '%description',
    '%package -n python3-demo-pkg',
    '%prep',
    "%{gpgverify} --keyring='%{SOURCE2}' --signature='%{SOURCE1}' --data='%{SOURCE0}'",
    '%autosetup -p1 -n Demo.Pkg-1.0.0',
    '%generate_buildrequires',
    '%pyproject_buildrequires',
    '%build',
    '%pyproject_wheel',
    '%install',
    '%pyproject_install',
    '%pyproject_save_files demo_pkg',
    '%check',
    '%pyproject_check_import -t',
    '%files -n python3-demo-pkg -f %{pyproject_files}',
    '%license LICENSE',
    '%doc CHANGES.md README.rst provenance.json sbom.cdx.json',
    '%{_bindir}/demo',
    '%changelog',
  ];
  let at = 0;
  for (const line of order) {
    const i = spec.indexOf(`\n${line}\n`, at);
    assert.ok(i >= 0, `${line} missing or out of order:\n${spec}`);
    at = i;
  }
});
