/**
 * The test Sigstore instance (test/support/test-sigstore.ts) is only worth something if the real
 * @sigstore/verify accepts what it makes and refuses what it must: this checks both, and checks
 * the test-oracle attestation → bundle conversion on a real PyPI attestation against the
 * production trusted root. No mock of the verifier anywhere.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError, type Signer } from '@sigstore/verify';
import {
  attestationToBundle,
  createTestSigstore,
  githubIdentity,
  githubPublisher,
  gitlabIdentity,
  googleIdentity,
  provenanceObject,
  PUBLISH_PREDICATE,
  type Attestation,
  type TransparencyEntry,
} from '../support/test-sigstore.js';
import { noVectors, VECTORS } from '../support/vectors.js';

const PEP740 = `${VECTORS}pep740/`;
const FILE = 'example-1.0.tar.gz';
const DIGEST = 'ab'.repeat(32);
const FULCIO = '1.3.6.1.4.1.57264.1';

/** Verify as the product will: tlog 1, ctlog 1, tsa 0. Returns the signer or throws. */
function verify(att: Attestation, root: unknown): Signer {
  const material = toTrustMaterial(TrustedRoot.fromJSON(root));
  const entity = toSignedEntity(bundleFromJSON(attestationToBundle(att)));
  return new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 0 }).verify(entity);
}

function refusedWith(code: string | RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof VerificationError, `not a VerificationError: ${String(e)}`);
    assert.match(e.code, code instanceof RegExp ? code : new RegExp(`^${code}$`));
    return true;
  };
}

/** The value of Fulcio extension .1.<arc> as the verifier reports it (the last element's bytes). */
function oid(signer: Signer, arc: number): string | undefined {
  const hit = signer.identity?.oids?.find((o) => o.oid?.id.join('.') === `${FULCIO}.${arc}`);
  if (!hit) return undefined;
  const v = Buffer.from(hit.value);
  // .1.1–.1.6 hold the raw string; the others a DER UTF8String (short form length here).
  return (v[0] === 0x0c && v[1] === v.length - 2 ? v.subarray(2) : v).toString('utf8');
}

const production = (): unknown => JSON.parse(readFileSync(`${PEP740}trusted_root.production.json`, 'utf8'));
const realAttestation = (): Attestation => JSON.parse(readFileSync(`${PEP740}pypi_attestations-0.0.19.tar.gz.publish.attestation`, 'utf8')) as Attestation;

const sigstore = await createTestSigstore();
const identity = githubIdentity({ repository: 'owner/repo', workflow: 'release.yml', ref: 'refs/tags/v1.0' });

test('a test attestation verifies against the test root; the verifier reports SAN, issuer and claims', async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const signer = verify(att, sigstore.trustedRoot());
  assert.equal(signer.identity?.subjectAlternativeName, 'https://github.com/owner/repo/.github/workflows/release.yml@refs/tags/v1.0');
  assert.equal(signer.identity?.extensions?.issuer, 'https://token.actions.githubusercontent.com');
  // .1.1 is the raw string; .1.8 onwards are DER UTF8String (0x0c, length, bytes), as Fulcio writes them.
  assert.equal(oid(signer, 1), 'https://token.actions.githubusercontent.com');
  assert.equal(oid(signer, 12), 'https://github.com/owner/repo');
  assert.equal(oid(signer, 14), 'refs/tags/v1.0');
  assert.equal(oid(signer, 9), 'https://github.com/owner/repo/.github/workflows/release.yml@refs/tags/v1.0');
  const der = Buffer.from(att.verification_material.certificate, 'base64');
  const v2 = der.indexOf(Buffer.concat([Buffer.from('060a2b0601040183bf300108', 'hex')]));
  assert.ok(v2 > 0, 'issuer v2 extension present');
  assert.equal(der[v2 + 12], 0x04); // extnValue OCTET STRING ...
  assert.equal(der[v2 + 14], 0x0c); // ... around a UTF8String
  // The statement is the in-toto v1 statement PyPI expects.
  const statement = JSON.parse(Buffer.from(att.envelope.statement, 'base64').toString('utf8'));
  assert.deepEqual(statement, {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: FILE, digest: { sha256: DIGEST } }],
    predicateType: PUBLISH_PREDICATE,
    predicate: null,
  });
});

test('the leaf is Fulcio-shaped: 10 minutes, P-256, code signing, critical SAN, issued by the test intermediate', async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const leaf = new X509Certificate(Buffer.from(att.verification_material.certificate, 'base64'));
  const inter = new X509Certificate(sigstore.intermediateDer);
  assert.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 600_000);
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.3']);
  assert.equal(leaf.subjectAltName, 'URI:https://github.com/owner/repo/.github/workflows/release.yml@refs/tags/v1.0');
  assert.ok(leaf.checkIssued(inter) && leaf.verify(inter.publicKey));
  assert.ok(new X509Certificate(sigstore.rootDer).ca && inter.ca && !leaf.ca);
});

test('GitLab and Google identities verify and report their SAN (URI with the double slash, email)', async () => {
  const gl = verify(
    await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity: gitlabIdentity({ project: 'group/proj' }) }),
    sigstore.trustedRoot(),
  );
  assert.equal(gl.identity?.subjectAlternativeName, 'https://gitlab.com/group/proj//.gitlab-ci.yml@refs/heads/main');
  assert.equal(gl.identity?.extensions?.issuer, 'https://gitlab.com');
  const gg = verify(
    await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity: googleIdentity('svc@proj.iam.gserviceaccount.com') }),
    sigstore.trustedRoot(),
  );
  assert.equal(gg.identity?.subjectAlternativeName, 'svc@proj.iam.gserviceaccount.com');
  assert.equal(gg.identity?.extensions?.issuer, 'https://accounts.google.com');
  assert.equal(oid(gg, 12), undefined);
});

test('many entries in one log: inclusion proofs with real audit paths verify', async () => {
  for (let i = 0; i < 6; i++) {
    const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
    const proof = att.verification_material.transparency_entries[0]?.inclusionProof;
    assert.ok(proof);
    verify(att, sigstore.trustedRoot());
    if (Number(proof.treeSize) > 1) assert.ok(proof.hashes.length > 0);
  }
});

test("the log's proofs are really checked: a proof hash, the checkpoint, the SET time", async () => {
  await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity }); // so the tree has > 1 leaf
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const entry = (a: Attestation) => a.verification_material.transparency_entries[0] as TransparencyEntry;
  assert.ok(entry(att).inclusionProof.hashes.length > 0);
  const badHash = structuredClone(att);
  entry(badHash).inclusionProof.hashes[0] = Buffer.alloc(32).toString('base64');
  assert.throws(() => verify(badHash, sigstore.trustedRoot()), refusedWith('TLOG_INCLUSION_PROOF_ERROR'));
  const badNote = structuredClone(att);
  const size = entry(att).inclusionProof.treeSize;
  entry(badNote).inclusionProof.checkpoint.envelope = entry(att).inclusionProof.checkpoint.envelope.replace(`\n${size}\n`, `\n${Number(size) + 1}\n`);
  assert.notEqual(entry(badNote).inclusionProof.checkpoint.envelope, entry(att).inclusionProof.checkpoint.envelope);
  assert.throws(() => verify(badNote, sigstore.trustedRoot()), refusedWith('TLOG_INCLUSION_PROOF_ERROR'));
  const badTime = structuredClone(att);
  entry(badTime).integratedTime = String(Number(entry(att).integratedTime) + 1);
  assert.throws(() => verify(badTime, sigstore.trustedRoot()), refusedWith('TLOG_INCLUSION_PROMISE_ERROR'));
});

test('without a SET: tsaThreshold 0 crashes @sigstore/verify 3.1.1 (TypeError); timestampThreshold 1 refuses cleanly', async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const noSet = structuredClone(att) as unknown as { verification_material: { transparency_entries: Array<Record<string, unknown>> } };
  delete noSet.verification_material.transparency_entries[0]?.inclusionPromise;
  const entity = toSignedEntity(bundleFromJSON(attestationToBundle(noSet as unknown as Attestation)));
  const material = toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot()));
  // tsaThreshold 0 sets timestampThreshold 0: no timestamp at all, then a TypeError on the empty chain.
  assert.throws(() => new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 0 }).verify(entity), TypeError);
  assert.throws(() => new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(entity), refusedWith('TIMESTAMP_ERROR'));
  // ...and timestampThreshold 1 still accepts the intact attestation (the SET's integratedTime is the timestamp).
  new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(toSignedEntity(bundleFromJSON(attestationToBundle(att))));
});

test('the test attestation is refused against the production root', { skip: noVectors }, async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  assert.throws(() => verify(att, production()), refusedWith('CERTIFICATE_ERROR'));
});

test('an edited DSSE payload is refused', async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const statement = JSON.parse(Buffer.from(att.envelope.statement, 'base64').toString('utf8'));
  statement.subject[0].digest.sha256 = 'cd'.repeat(32);
  const edited = structuredClone(att);
  edited.envelope.statement = Buffer.from(JSON.stringify(statement)).toString('base64');
  assert.throws(() => verify(edited, sigstore.trustedRoot()), refusedWith('TLOG_BODY_ERROR'));
  // Even with the log entry made for the edited payload, the signature does not cover it.
  const relogged = structuredClone(edited);
  relogged.verification_material.transparency_entries = [
    sigstore.logEnvelope(
      { payload: edited.envelope.statement, payloadType: 'application/vnd.in-toto+json', signatures: [{ keyid: '', sig: att.envelope.signature }] },
      { der: Buffer.from(att.verification_material.certificate, 'base64'), notBefore: new Date(Date.now() - 60_000) },
    ),
  ];
  assert.throws(() => verify(relogged, sigstore.trustedRoot()), refusedWith('SIGNATURE_ERROR'));
});

test('a leaf from another CA is refused (chain), even logged in the trusted log', async () => {
  const other = await createTestSigstore({ name: 'other-test' });
  const leaf = await other.issueLeaf(identity);
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, leaf });
  assert.throws(() => verify(att, sigstore.trustedRoot()), refusedWith('CERTIFICATE_ERROR'));
  // And it verifies against the other instance's CA only when the log is trusted there: it is not.
  assert.throws(() => verify(att, other.trustedRoot()), VerificationError);
});

test("a log entry outside the log key's validity, or after the leaf expired, is refused", async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const integrated = new Date(Number(att.verification_material.transparency_entries[0]?.integratedTime) * 1000);
  const ended = sigstore.trustedRoot({ tlogValidFor: { start: new Date(0), end: new Date(integrated.getTime() - 1000) } });
  assert.throws(() => verify(att, ended), refusedWith('TLOG_INCLUSION_PROMISE_ERROR'));
  const notYet = sigstore.trustedRoot({ tlogValidFor: { start: new Date(integrated.getTime() + 1000) } });
  assert.throws(() => verify(att, notYet), refusedWith('TLOG_INCLUSION_PROMISE_ERROR'));
  // Logged 11 minutes after issuance: the 10-minute leaf had expired.
  const at = new Date(Date.now() - 3_600_000);
  const late = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity, at, integratedTime: new Date(at.getTime() + 660_000) });
  assert.throws(() => verify(late, sigstore.trustedRoot()), refusedWith('CERTIFICATE_ERROR'));
});

test('a leaf without an SCT is refused at ctlogThreshold 1; a CT log outside its validity too', async () => {
  const leaf = await sigstore.issueLeaf(identity, { sct: false });
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, leaf });
  assert.throws(() => verify(att, sigstore.trustedRoot()), refusedWith('CERTIFICATE_ERROR'));
  const good = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const ctEnded = sigstore.trustedRoot({ ctlogValidFor: { start: new Date(0), end: new Date(Date.now() - 7_200_000) } });
  assert.throws(() => verify(good, ctEnded), refusedWith('CERTIFICATE_ERROR'));
});

test("the provenance wrapper has PyPI's Integrity API shape", async () => {
  const att = await sigstore.signAttestation({ filename: FILE, sha256: DIGEST, identity });
  const prov = provenanceObject({ publisher: githubPublisher('owner/repo'), attestations: [att] });
  assert.deepEqual(Object.keys(prov), ['version', 'attestation_bundles']);
  assert.deepEqual(prov.attestation_bundles[0]?.publisher, { kind: 'GitHub', repository: 'owner/repo', workflow: 'release.yml', environment: null });
  if (!noVectors) {
    const real = JSON.parse(readFileSync(`${PEP740}pypi_attestations-0.0.19.tar.gz.provenance`, 'utf8'));
    assert.deepEqual(Object.keys(real).sort(), Object.keys(prov).sort());
    assert.deepEqual(Object.keys(real.attestation_bundles[0].publisher).sort(), Object.keys(prov.attestation_bundles[0]?.publisher ?? {}).sort());
    assert.deepEqual(shape(real.attestation_bundles[0].attestations[0]), shape(att));
  }
});

/** The key structure of a JSON value (keys and value types, not values). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}

test('the conversion verifies a real PyPI attestation against the production root, and not against the test root', { skip: noVectors }, () => {
  const signer = verify(realAttestation(), production());
  assert.equal(signer.identity?.subjectAlternativeName, 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19');
  assert.equal(signer.identity?.extensions?.issuer, 'https://token.actions.githubusercontent.com');
  assert.equal(oid(signer, 12), 'https://github.com/trailofbits/pypi-attestations');
  assert.throws(() => verify(realAttestation(), sigstore.trustedRoot()), refusedWith('CERTIFICATE_ERROR'));
});
