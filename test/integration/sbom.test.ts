/**
 * The SBOM in real packages: a deb and an el9 rpm of the rpc4django fixture (PGP evidence,
 * TEST-ONLY upstream key), read back with dpkg-deb and rpm2cpio, validated against CycloneDX's
 * official 1.6 JSON schema (bundled with @cyclonedx/cyclonedx-library, checked with ajv), and
 * reproducible: a second conversion gives the same bytes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { validateSbom } from '../../src/sbom/cyclonedx.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, py2pkg, upstreamPub } from '../support/project.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-sbom-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function convert(format: 'deb' | 'rpm', out: string): Promise<string> {
  await mkdir(out, { recursive: true });
  const r = await py2pkg(
    [
      '--format',
      format,
      '--trusted-keys',
      upstreamPub,
      '--out',
      out,
      '--maintainer',
      TEST_MAINTAINER,
      '--config',
      '/dev/null',
      '--quiet',
      fixtureSdist('rpc4django'),
    ],
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout.trim();
}

function sbomOf(pkg: string): string {
  if (pkg.endsWith('.deb'))
    return execFileSync('tar', ['-xO', './usr/share/doc/python3-rpc4django/sbom.cdx.json'], {
      input: execFileSync('dpkg-deb', ['--fsys-tarfile', pkg]),
    }).toString();
  const cpio = execFileSync('rpm2cpio', [pkg]);
  return execFileSync('cpio', ['-i', '--to-stdout', '--quiet', './usr/share/doc/python3-rpc4django/sbom.cdx.json'], { input: cpio }).toString();
}

interface Sbom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: Array<{ name: string; version: string }> }; component: { purl: string } };
  components: Array<{ purl: string; hashes: Array<{ alg: string; content: string }>; properties: Array<{ name: string; value: string }> }>;
  dependencies: Array<{ ref: string; dependsOn?: string[] }>;
}

for (const format of ['deb', 'rpm'] as const) {
  test(`${format}: the SBOM is valid CycloneDX 1.6 and says what the provenance says`, async () => {
    const pkg = await convert(format, join(work, `${format}-1`));
    const text = sbomOf(pkg);
    assert.equal(await validateSbom(text), null, 'valid against the official JSON schema');
    const sbom = JSON.parse(text) as Sbom;
    assert.equal(sbom.specVersion, '1.6');
    assert.equal(sbom.metadata.timestamp, new Date(Number(TEST_EPOCH) * 1000).toISOString());
    assert.equal(
      sbom.metadata.component.purl,
      format === 'deb'
        ? 'pkg:deb/debian/python3-rpc4django@0.6.3-1?arch=all&distro=debian12'
        : 'pkg:rpm/el/python3-rpc4django@0.6.3-1.el9?arch=noarch&distro=el9',
    );
    const py = sbom.components.find((c) => c.purl === 'pkg:pypi/rpc4django@0.6.3');
    assert.ok(py, 'the Python distribution is a component');
    const sha = execFileSync('sha256sum', [fixtureSdist('rpc4django')])
      .toString()
      .split(' ')[0];
    assert.deepEqual(py.hashes, [{ alg: 'SHA-256', content: sha }]);
    const props = Object.fromEntries(py.properties.map((p) => [p.name, p.value]));
    assert.equal(props['py2pkg:evidence:0:method'], 'openpgp-detached-signature');
    assert.match(props['py2pkg:evidence:0:signer'] ?? '', /^[0-9A-F]{40} py2pkg upstream signer \(TEST-ONLY/);
    assert.equal(props['py2pkg:trust:rule'], 'default any: pgp');
    assert.equal(props['py2pkg:trust:policy'], 'built-in');
    const tools = Object.fromEntries(sbom.metadata.tools.components.map((t) => [t.name, t.version]));
    assert.equal(tools['py2pkg'], '0.1.0');
    assert.match(tools['openpgp.js'] ?? '', /^\d+\.\d+\.\d+$/);
    assert.deepEqual(sbom.dependencies.find((d) => d.ref === sbom.metadata.component.purl)?.dependsOn, ['pkg:pypi/rpc4django@0.6.3']);
    // reproducible: the same inputs, the same document
    const again = sbomOf(await convert(format, join(work, `${format}-2`)));
    assert.equal(again, text);
  });
}

test('an edited SBOM fails the schema check', async () => {
  const text = sbomOf(await convert('deb', join(work, 'deb-edit')));
  const doc = JSON.parse(text) as { components: Array<{ hashes: Array<{ alg: string }> }> };
  const first = doc.components[0]?.hashes[0];
  assert.ok(first);
  first.alg = 'SHA-257';
  assert.notEqual(await validateSbom(JSON.stringify(doc)), null);
});
