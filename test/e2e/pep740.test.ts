/**
 * PEP 740 end to end, with a Sigstore instance the test makes itself (test/support/test-sigstore.ts:
 * a TEST-ONLY Fulcio-style CA, CT log and Rekor-style log, and a trusted root naming them):
 * an index page links the provenance (PEP 691 `provenance`, then PEP 503 `data-provenance`) ->
 * py2pkg downloads the sdist and its provenance -> the real @sigstore/verify checks the
 * attestation against the test root -> the publisher pinned in the trust policy matches ->
 * the package is built, signed and published with its SBOM -> `py2pkg verify` shows the chain.
 * And the refusals through the same path: another publisher pinned, and a later release from
 * another publisher under trust on first use. No signature exists anywhere (as on PyPI today).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { validateSbom } from '../../src/sbom/cyclonedx.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { sha256, startIndexServer, type IndexServer, type ServedFile } from '../support/index-server.js';
import { fixtureSdist, keysDir, py2pkg } from '../support/project.js';
import { buildTgz } from '../support/tarbuilder.js';
import { createTestSigstore, githubIdentity, githubPublisher, provenanceObject, type TestSigstore } from '../support/test-sigstore.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const sdist = fixtureSdist('rpc4django');
const bytes = readFileSync(sdist);

let work: string;
let sig: TestSigstore;
let rootFile: string;
const servers: IndexServer[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-pep740-'));
  sig = await createTestSigstore({ name: 'py2pkg-e2e' });
  rootFile = join(work, 'trusted_root.TEST-ONLY.json');
  await writeFile(rootFile, JSON.stringify(sig.trustedRoot()));
});
after(async () => {
  for (const s of servers) await s.close();
  await rm(work, { recursive: true, force: true });
});

async function attested(filename: string, data: Buffer, repository: string): Promise<ServedFile> {
  const att = await sig.signAttestation({ filename, sha256: sha256(data), identity: githubIdentity({ repository, workflow: 'release.yml' }) });
  return {
    filename,
    bytes: data,
    gpgSig: false,
    provenance: JSON.stringify(provenanceObject({ publisher: githubPublisher(repository), attestations: [att] })),
  };
}

async function policyFile(name: string, body: string): Promise<string> {
  const file = join(work, name);
  await writeFile(file, `[trust]\ntrusted-root = "${rootFile}"\n${body}`);
  return file;
}

function run(args: string[], home: string) {
  return py2pkg(['--format', 'deb', '--maintainer', TEST_MAINTAINER, '--config', '/dev/null', ...args], {
    SOURCE_DATE_EPOCH: TEST_EPOCH,
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
    HOME: home,
  });
}

test('index -> provenance -> attestation verified against the test root -> signed repository with SBOM -> py2pkg verify', async () => {
  const server = await startIndexServer({ projects: [{ name: 'rpc4django', files: [await attested(basename(sdist), bytes, 'py2pkg-test/rpc4django')] }] });
  servers.push(server);
  const policy = await policyFile(
    'pinned.toml',
    'default = "none"\n[trust.project.rpc4django]\npublisher = { kind = "github", repository = "py2pkg-test/rpc4django", workflow = "release.yml" }\n',
  );
  const out = join(work, 'out-ok');
  const repo = join(work, 'repo');
  await mkdir(out, { recursive: true });
  const r = await run(
    ['--index-url', server.indexUrl, '--trust-policy', policy, '--out', out, '--sign-key', ORG_SEC, '--repo', repo, '--json', 'rpc4django'],
    work,
  );
  assert.equal(r.exitCode, 0, r.stderr);
  // the page linked the provenance (PEP 691 JSON) and py2pkg fetched it from the Integrity API path
  assert.ok(server.log.some((l) => l.url.startsWith('/integrity/rpc4django/0.6.3/rpc4django-0.6.3.tar.gz/provenance') && l.status === 200));
  assert.ok(!server.log.some((l) => l.url.endsWith('.asc')), 'gpg-sig false and no pinned signer: no signature probe');
  const res = JSON.parse(r.stdout) as {
    package: { path: string };
    provenance: {
      verification: { method: string; publisher: Record<string, string>; attestations: Array<{ transparencyLog: { logIndex: string } }> };
      trust: { rule: string };
    };
  };
  assert.equal(res.provenance.verification.method, 'pep740-attestation');
  assert.deepEqual(res.provenance.verification.publisher, { kind: 'github', repository: 'py2pkg-test/rpc4django', workflow: 'release.yml' });
  assert.equal(res.provenance.trust.rule, 'project rpc4django: publisher');
  const logIndex = res.provenance.verification.attestations[0]?.transparencyLog.logIndex;
  assert.match(logIndex ?? '', /^\d+$/);

  // the SBOM inside the package: valid CycloneDX, with the publisher and the log entry
  const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', res.package.path]);
  const sbomText = execFileSync('tar', ['-xO', './usr/share/doc/python3-rpc4django/sbom.cdx.json'], { input: tar }).toString();
  assert.equal(await validateSbom(sbomText), null);
  const sbom = JSON.parse(sbomText) as {
    components: Array<{ purl: string; properties: Array<{ name: string; value: string }>; externalReferences?: Array<{ url: string; type: string }> }>;
  };
  const py = sbom.components.find((c) => c.purl === 'pkg:pypi/rpc4django@0.6.3');
  assert.ok(py);
  const prop = (n: string) => py.properties.filter((x) => x.name === n).map((x) => x.value);
  assert.deepEqual(prop('py2pkg:evidence:0:publisher'), ['kind=github repository=py2pkg-test/rpc4django workflow=release.yml']);
  assert.deepEqual(prop('py2pkg:evidence:0:rekor-log-index'), [logIndex]);
  assert.deepEqual(prop('py2pkg:trust:rule'), ['project rpc4django: publisher']);
  assert.ok(py.externalReferences?.some((e) => e.type === 'vcs' && e.url === 'https://github.com/py2pkg-test/rpc4django'));

  // py2pkg verify: repository signature -> package -> provenance/SBOM -> attestation -> rule
  const v = await py2pkg(['verify', repo, '--key', ORG_PUB, '--trust-store', join(work, 'no-store.toml')]);
  assert.equal(v.exitCode, 0, v.stderr + v.stdout);
  assert.match(v.stdout, /ok +dists\/stable\/InRelease: good signature/);
  assert.match(v.stdout, /ok +sbom: sbom\.cdx\.json: CycloneDX 1\.6, valid against the official schema/);
  assert.match(
    v.stdout,
    new RegExp(
      `ok +upstream evidence: PEP 740 attestation by Trusted Publisher kind=github repository=py2pkg-test/rpc4django workflow=release\\.yml; Rekor log index ${logIndex}`,
    ),
  );
  assert.match(v.stdout, /ok +policy: project rpc4django: publisher \(pinned\.toml\)/);
  const vj = await py2pkg(['verify', repo, '--key', ORG_PUB, '--json', '--trust-store', join(work, 'no-store.toml')]);
  const chain = (JSON.parse(vj.stdout) as { packages: Array<{ chain: Array<{ link: string; status: string }> }> }).packages[0]?.chain ?? [];
  assert.deepEqual(
    chain.map((l) => `${l.link}:${l.status}`),
    ['provenance:ok', 'sbom:ok', 'upstream evidence:ok', 'policy:ok', 'trust store:ok'],
  );
});

test('another publisher pinned: PUBLISHER_MISMATCH through the whole pipeline, nothing written; the production root refuses the test attestation', async () => {
  const server = await startIndexServer({
    projects: [{ name: 'rpc4django', files: [await attested(basename(sdist), bytes, 'py2pkg-test/rpc4django')] }],
    mode: 'html',
  });
  servers.push(server);
  const out = join(work, 'out-refused');
  await mkdir(out, { recursive: true });
  const other = await policyFile(
    'other.toml',
    '[trust.project.rpc4django]\npublisher = { kind = "github", repository = "someone-else/rpc4django", workflow = "release.yml" }\n',
  );
  const r = await run(['--index-url', server.indexUrl, '--trust-policy', other, '--out', out, '--quiet', 'rpc4django'], work);
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(
    r.stderr,
    /^py2pkg: error\[PUBLISHER_MISMATCH\]: rpc4django-0\.6\.3\.tar\.gz was published by github:py2pkg-test\/rpc4django \(release\.yml\), not by the pinned github:someone-else\/rpc4django/,
  );
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  // the page was HTML: the data-provenance link was followed
  assert.ok(server.log.some((l) => l.url.startsWith('/integrity/') && l.status === 200));

  const prod = await run(['--index-url', server.indexUrl, '--trust-default', 'any', '--out', out, '--quiet', 'rpc4django'], join(work, 'home-prod'));
  assert.equal(prod.exitCode, 3, prod.stderr);
  assert.match(prod.stderr, /^py2pkg: error\[ATTESTATION_INVALID\]: .*sigstore-public-good\.json/);
  assert.deepEqual(await readdir(out), []);
});

test('trust on first use by publisher: a later release from another repository is TRUST_CHANGED', async () => {
  const mk = (version: string) =>
    buildTgz([
      { path: `tofu740-${version}/`, type: 'dir' },
      { path: `tofu740-${version}/PKG-INFO`, data: `Metadata-Version: 2.1\nName: tofu740\nVersion: ${version}\nSummary: PEP 740 continuity probe\n` },
      { path: `tofu740-${version}/setup.py`, data: `from setuptools import setup\nsetup(name="tofu740", version="${version}", py_modules=["tofu740"])\n` },
      { path: `tofu740-${version}/tofu740.py`, data: 'X = 1\n' },
    ]);
  const server = await startIndexServer({
    projects: [
      {
        name: 'tofu740',
        files: [await attested('tofu740-1.0.tar.gz', mk('1.0'), 'good-org/tofu740'), await attested('tofu740-1.1.tar.gz', mk('1.1'), 'evil-org/tofu740')],
      },
    ],
  });
  servers.push(server);
  const policy = await policyFile('tofu.toml', 'default = "tofu"\n');
  const store = join(work, 'tofu740-store.toml');
  const home = join(work, 'home-tofu');
  const out = join(work, 'out-tofu');
  await mkdir(out, { recursive: true });
  const first = await run(['--index-url', server.indexUrl, '--trust-policy', policy, '--trust-store', store, '--out', out, '--quiet', 'tofu740==1.0'], home);
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stderr, /FIRST USE of tofu740: pinned publisher github:good-org\/tofu740 \(release\.yml\)/);
  const second = await run(['--index-url', server.indexUrl, '--trust-policy', policy, '--trust-store', store, '--out', out, '--quiet', 'tofu740==1.1'], home);
  assert.equal(second.exitCode, 3, second.stderr);
  assert.match(
    second.stderr,
    /^py2pkg: error\[TRUST_CHANGED\]: tofu740 1\.1 comes from publisher github:evil-org\/tofu740 \(release\.yml\), but tofu740 was first admitted \(1\.0, .*\) from publisher github:good-org\/tofu740/,
  );
  assert.deepEqual(
    (await readdir(out)).filter((f) => f.includes('1.1')),
    [],
  );
});

test('a local sdist with <sdist>.provenance beside it, and with --provenance FILE elsewhere', async () => {
  const dir = join(work, 'local');
  await mkdir(join(dir, 'out'), { recursive: true });
  const file = join(dir, basename(sdist));
  await writeFile(file, bytes);
  const served = await attested(basename(sdist), bytes, 'py2pkg-test/rpc4django');
  await writeFile(`${file}.provenance`, served.provenance as string);
  const policy = await policyFile(
    'local.toml',
    'default = "none"\n[trust.project.rpc4django]\npublisher = { kind = "github", repository = "py2pkg-test/rpc4django", workflow = "release.yml" }\n',
  );
  const r = await run(['--trust-policy', policy, '--out', join(dir, 'out'), '--quiet', '--json', file], work);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(
    (JSON.parse(r.stdout) as { provenance: { verification: { provenanceFile: string } } }).provenance.verification.provenanceFile,
    'rpc4django-0.6.3.tar.gz.provenance',
  );

  // elsewhere, named by flag; and a provenance for other bytes is refused
  const elsewhere = join(work, 'elsewhere.json');
  await writeFile(elsewhere, (await attested(basename(sdist), Buffer.concat([bytes, Buffer.from('x')]), 'py2pkg-test/rpc4django')).provenance as string);
  const bad = await run(['--trust-policy', policy, '--out', join(dir, 'out'), '--quiet', '--provenance', elsewhere, file], work);
  assert.equal(bad.exitCode, 3, bad.stderr);
  assert.match(bad.stderr, /^py2pkg: error\[ATTESTATION_SUBJECT\]: attestation 1 of elsewhere\.json attests a file with sha256 /);
});
