/**
 * PEP 740 verification against real attestations (read from ../shared/vectors/pep740/, not
 * copied: upstream pypi-attestations test assets and sigstore-python's trusted roots), verified
 * offline by the real @sigstore/verify. Every refusal is made by editing a real object.
 * Like the other vector tests (test/support/vectors.ts), they skip with the path when
 * ../shared/vectors is not beside the repository.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPy2pkgError } from '../../src/errors.js';
import {
  certificateIdentity,
  loadTrustedRoot,
  verifyAttestationSignature,
  verifyProvenance,
  defaultTrustedRootPath,
  type TrustedRoot,
} from '../../src/trust/pep740.js';
import { parseProvenance } from '../../src/trust/pep740-object.js';
import { publisherFromCert, publisherMismatch, type Publisher } from '../../src/trust/publisher.js';
import { repoRoot } from '../support/project.js';
import { noVectors } from '../support/vectors.js';

const V = join(repoRoot, '..', 'shared', 'vectors', 'pep740');
const read = (f: string) => readFileSync(join(V, f));

const PYPI_ATT = { filename: 'pypi_attestations-0.0.19.tar.gz', sha256: '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3' };
const MODELS = { filename: 'pypi_attestation_models-0.0.4a2.tar.gz', sha256: 'c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef' };
const GITLAB = { filename: 'gitlab_oidc_project-0.0.3.tar.gz', sha256: 'c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8' };

const GH: Publisher = { kind: 'github', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' };

let prod: TrustedRoot;
let staging: TrustedRoot;
async function roots() {
  prod ??= await loadTrustedRoot(join(V, 'trusted_root.production.json'));
  staging ??= await loadTrustedRoot(join(V, 'trusted_root.staging.json'));
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isPy2pkgError(e)) return e.code;
    throw e;
  }
  return 'OK';
}

const sdistCases: Array<[string, { filename: string; sha256: string }, Publisher]> = [
  ['pypi_attestations-0.0.19.tar.gz.provenance', PYPI_ATT, GH],
  ['pypi_attestations-0.0.19.tar.gz.publish.attestation', PYPI_ATT, GH],
  ['pypi_attestations-0.0.19.tar.gz.slsa.attestation', PYPI_ATT, GH],
  [
    'pypi_attestation_models-0.0.4a2.tar.gz.attestation',
    MODELS,
    { kind: 'github', repository: 'trailofbits/pypi-attestation-models', workflow: 'release.yml' },
  ],
  [
    'gitlab_oidc_project-0.0.3.tar.gz.publish.attestation',
    GITLAB,
    { kind: 'gitlab', repository: 'facutuesca/gitlab-oidc-project', workflowFilepath: '.gitlab-ci.yml' },
  ],
];

for (const [file, dist, publisher] of sdistCases) {
  test(`${file}: verifies against the production root with its publisher pinned, and not against staging`, { skip: noVectors }, async () => {
    await roots();
    const v = await verifyProvenance({ bytes: read(file), name: file, sdist: dist, root: prod, pinned: [publisher] });
    assert.equal(v.method, 'pep740-attestation');
    assert.match(v.tool, /^@sigstore\/verify 3\.1\./);
    assert.equal(v.publisher.kind, publisher.kind);
    assert.equal(v.publisher.repository, publisher.kind === 'google' ? undefined : publisher.repository);
    assert.equal(v.attestations[0]?.subject.sha256, dist.sha256);
    assert.equal(v.attestations[0]?.transparencyLog.logId, 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=');
    assert.equal(await code(verifyProvenance({ bytes: read(file), name: file, sdist: dist, root: staging, pinned: [publisher] })), 'ATTESTATION_INVALID');
  });
}

test('the shipped public-good root is the production root and verifies the real vectors', { skip: noVectors }, async () => {
  const shipped = await loadTrustedRoot(defaultTrustedRootPath());
  await roots();
  assert.equal(shipped.sha256, prod.sha256);
  const v = await verifyProvenance({ bytes: read('pypi_attestations-0.0.19.tar.gz.provenance'), name: 'p', sdist: PYPI_ATT, root: shipped, pinned: undefined });
  assert.deepEqual(v.publisher, { kind: 'github', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' });
  assert.equal(v.attestations[0]?.transparencyLog.logIndex, '153454663');
  assert.equal(v.attestations[0]?.transparencyLog.integratedTime, '2024-12-04T23:14:01.000Z');
});

test('staging attestations (rfc8785, spt3g) verify against the staging root only', { skip: noVectors }, async () => {
  await roots();
  for (const f of [
    'rfc8785-0.1.2-py3-none-any.whl.publish.attestation',
    'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation',
  ]) {
    const [b] = parseProvenance(read(f), f);
    const att = b?.attestations[0];
    assert.ok(att);
    const v = await verifyAttestationSignature(att, staging, f);
    assert.equal(v.certificate.subjectAlternativeName, 'email:william@yossarian.net');
    assert.equal(v.certificate.issuer, 'https://github.com/login/oauth');
    // a person's e-mail is not a Trusted Publisher
    assert.equal(publisherFromCert(v.certificate), undefined);
    assert.equal(await code(verifyAttestationSignature(att, prod, f)), 'ATTESTATION_INVALID');
  }
});

test('another repository or another workflow pinned: PUBLISHER_MISMATCH', { skip: noVectors }, async () => {
  await roots();
  const f = 'pypi_attestations-0.0.19.tar.gz.publish.attestation';
  for (const pin of [
    { ...GH, repository: 'evil/pypi-attestations' },
    { ...GH, workflow: 'other.yml' },
    { kind: 'gitlab', repository: 'trailofbits/pypi-attestations', workflowFilepath: '.gitlab-ci.yml' } as Publisher,
    { kind: 'google', email: 'someone@example.org' } as Publisher,
  ]) {
    assert.equal(
      await code(verifyProvenance({ bytes: read(f), name: f, sdist: PYPI_ATT, root: prod, pinned: [pin] })),
      'PUBLISHER_MISMATCH',
      JSON.stringify(pin),
    );
  }
  // the GitLab one with GitHub's identity pinned
  const g = 'gitlab_oidc_project-0.0.3.tar.gz.publish.attestation';
  assert.equal(
    await code(
      verifyProvenance({
        bytes: read(g),
        name: g,
        sdist: GITLAB,
        root: prod,
        pinned: [{ kind: 'gitlab', repository: 'facutuesca/gitlab-oidc-project', workflowFilepath: 'release.yml' }],
      }),
    ),
    'PUBLISHER_MISMATCH',
  );
});

test('an environment pinned must be the one the index records', { skip: noVectors }, async () => {
  await roots();
  const f = 'pypi_attestations-0.0.19.tar.gz.provenance';
  // the index records environment: null for this release
  assert.equal(
    await code(verifyProvenance({ bytes: read(f), name: f, sdist: PYPI_ATT, root: prod, pinned: [{ ...GH, environment: 'pypi' }] })),
    'PUBLISHER_MISMATCH',
  );
});

test('a different sha256 or another file name: ATTESTATION_SUBJECT', { skip: noVectors }, async () => {
  await roots();
  const f = 'pypi_attestations-0.0.19.tar.gz.publish.attestation';
  const other = { ...PYPI_ATT, sha256: `${'0'.repeat(63)}1` };
  assert.equal(await code(verifyProvenance({ bytes: read(f), name: f, sdist: other, root: prod, pinned: [GH] })), 'ATTESTATION_SUBJECT');
  assert.equal(
    await code(verifyProvenance({ bytes: read(f), name: f, sdist: { ...PYPI_ATT, filename: 'pypi_attestations-0.0.20.tar.gz' }, root: prod, pinned: [GH] })),
    'ATTESTATION_SUBJECT',
  );
  // spelling differences that name the same distribution are the same subject
  const v = await verifyProvenance({ bytes: read(f), name: f, sdist: { ...PYPI_ATT, filename: 'pypi-attestations-0.0.19.tar.gz' }, root: prod, pinned: [GH] });
  assert.equal(v.attestations[0]?.subject.name, 'pypi_attestations-0.0.19.tar.gz');
});

test('a swapped certificate and an edited DSSE payload: ATTESTATION_INVALID', { skip: noVectors }, async () => {
  await roots();
  const f = 'pypi_attestations-0.0.19.tar.gz.publish.attestation';
  const publish = JSON.parse(read(f).toString('utf8')) as { verification_material: { certificate: string }; envelope: { statement: string } };
  const slsa = JSON.parse(read('pypi_attestations-0.0.19.tar.gz.slsa.attestation').toString('utf8')) as { verification_material: { certificate: string } };
  const swapped = structuredClone(publish);
  swapped.verification_material.certificate = slsa.verification_material.certificate;
  assert.equal(
    await code(verifyProvenance({ bytes: Buffer.from(JSON.stringify(swapped)), name: 'swapped', sdist: PYPI_ATT, root: prod, pinned: [GH] })),
    'ATTESTATION_INVALID',
  );

  const edited = structuredClone(publish);
  const statement = Buffer.from(edited.envelope.statement, 'base64').toString('utf8').replace(PYPI_ATT.sha256, 'f'.repeat(64));
  edited.envelope.statement = Buffer.from(statement).toString('base64');
  assert.equal(
    await code(
      verifyProvenance({
        bytes: Buffer.from(JSON.stringify(edited)),
        name: 'edited',
        sdist: { ...PYPI_ATT, sha256: 'f'.repeat(64) },
        root: prod,
        pinned: [GH],
      }),
    ),
    'ATTESTATION_INVALID',
  );
});

test('an index publisher record that the certificate contradicts: PUBLISHER_MISMATCH', { skip: noVectors }, async () => {
  await roots();
  const doc = JSON.parse(read('pypi_attestations-0.0.19.tar.gz.provenance').toString('utf8')) as {
    attestation_bundles: Array<{ publisher: Record<string, unknown> }>;
  };
  const b = doc.attestation_bundles[0];
  assert.ok(b);
  b.publisher.repository = 'evil/pypi-attestations';
  assert.equal(
    await code(verifyProvenance({ bytes: Buffer.from(JSON.stringify(doc)), name: 'lying', sdist: PYPI_ATT, root: prod, pinned: undefined })),
    'PUBLISHER_MISMATCH',
  );
  b.publisher.kind = 'Bitbucket';
  assert.equal(
    await code(verifyProvenance({ bytes: Buffer.from(JSON.stringify(doc)), name: 'unknown-kind', sdist: PYPI_ATT, root: prod, pinned: undefined })),
    'PUBLISHER_MISMATCH',
  );
});

test('malformed provenance objects: PROVENANCE_MALFORMED, never an exception', { skip: noVectors }, async () => {
  await roots();
  const bad = [
    '',
    'null',
    '[]',
    '{"version":2,"attestation_bundles":[]}',
    '{"version":1,"attestation_bundles":[{"publisher":{},"attestations":[]}]}',
    '{"version":1,"verification_material":{},"envelope":{}}',
    '{"version":1,"verification_material":{"certificate":"!!","transparency_entries":[{}]},"envelope":{"statement":"e30=","signature":"e30="}}',
    '\u0000{',
  ];
  for (const text of bad) {
    assert.equal(
      await code(verifyProvenance({ bytes: Buffer.from(text), name: 'bad', sdist: PYPI_ATT, root: prod, pinned: undefined })),
      'PROVENANCE_MALFORMED',
      text,
    );
  }
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.equal(
    await code(verifyProvenance({ bytes: Buffer.from(deep), name: 'deep', sdist: PYPI_ATT, root: prod, pinned: undefined })),
    'PROVENANCE_MALFORMED',
  );
});

test('bare Fulcio certificates: a Google service account, and a GitHub one without Source Repository Ref', { skip: noVectors }, async () => {
  const pem = (f: string) =>
    Buffer.from(
      read(f)
        .toString('utf8')
        .replace(/[\s\S]*?-----BEGIN CERTIFICATE-----|-----END CERTIFICATE-----[\s\S]*/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
  const google = await certificateIdentity(pem('200170367.pem'));
  assert.deepEqual(publisherFromCert(google), { kind: 'google', email: '919436158236-compute@developer.gserviceaccount.com' });
  assert.equal(publisherMismatch({ kind: 'google', email: '919436158236-compute@developer.gserviceaccount.com' }, google), null);
  assert.notEqual(publisherMismatch({ kind: 'google', email: 'other@developer.gserviceaccount.com' }, google), null);

  const noRef = await certificateIdentity(pem('no-source-repository-ref-extension.pem'));
  assert.equal(noRef.sourceRepositoryRef, undefined);
  assert.equal(noRef.sourceRepositoryUri, 'https://github.com/SWIFTSIM/swiftgalaxy');
  // matched through the Source Repository Digest, as pypi-attestations does
  assert.equal(publisherMismatch({ kind: 'github', repository: 'SWIFTSIM/swiftgalaxy', workflow: 'python-publish.yml' }, noRef), null);
  assert.notEqual(publisherMismatch({ kind: 'github', repository: 'SWIFTSIM/swiftgalaxy', workflow: 'release.yml' }, noRef), null);
});

test('a trusted root that is not one: TRUST_ROOT', { skip: noVectors }, async () => {
  assert.equal(await code(loadTrustedRoot(join(V, 'pypi_attestations-0.0.19.tar.gz.provenance'))), 'TRUST_ROOT');
  assert.equal(await code(loadTrustedRoot(join(V, 'no-such-root.json'))), 'TRUST_ROOT');
});
