/**
 * TEST-ONLY Sigstore instance, made in process (node:crypto + @peculiar/x509), for tests that
 * need PEP 740 attestations the real @sigstore/verify accepts without the network:
 *
 *  - a Fulcio-style CA: an ECDSA P-384 root and intermediate (same shape as Fulcio's), issuing
 *    10-minute ECDSA P-256 leaves with the SAN, the OIDC issuer (OID .1.1 raw and .1.8 DER) and
 *    the other Fulcio claims encoded as Fulcio writes them, and an embedded SCT from a test CT log;
 *  - a Rekor-v1-style log (test-sigstore-log.ts) that records dsse v0.0.1 entries with a SET
 *    and an inclusion proof under a signed checkpoint;
 *  - a trusted_root JSON naming the CA, the log and the CT log.
 *
 * Every key here is generated fresh per instance and is worthless outside the test that made it.
 * Never use any of this to sign anything real.
 */
import { KeyObject, sign, webcrypto } from 'node:crypto';
import './reflect-metadata.js'; // before @peculiar/x509
import * as x509 from '@peculiar/x509';
import {
  derOctetString,
  derUtf8String,
  firstChild,
  newLogKey,
  sctListExtension,
  TestRekor,
  type DsseEnvelopeJSON,
  type TransparencyEntry,
} from './test-sigstore-log.js';
import { inTotoStatement, INTOTO_PAYLOAD_TYPE, pae, PUBLISH_PREDICATE, type Attestation } from './test-sigstore-pep740.js';

export * from './test-sigstore-pep740.js';
export type { TransparencyEntry } from './test-sigstore-log.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const FULCIO = '1.3.6.1.4.1.57264.1';
/** Fulcio claims (docs/oid-info.md). The legacy GitHub ones (.2–.6) hold raw bytes; the rest a DER UTF8String. */
const CLAIM_OIDS = {
  githubWorkflowTrigger: 2,
  githubWorkflowSha: 3,
  githubWorkflowName: 4,
  githubWorkflowRepository: 5,
  githubWorkflowRef: 6,
  buildSignerUri: 9,
  buildSignerDigest: 10,
  runnerEnvironment: 11,
  sourceRepositoryUri: 12,
  sourceRepositoryDigest: 13,
  sourceRepositoryRef: 14,
  sourceRepositoryIdentifier: 15,
  sourceRepositoryOwnerUri: 16,
  sourceRepositoryOwnerIdentifier: 17,
  buildConfigUri: 18,
  buildConfigDigest: 19,
  buildTrigger: 20,
  runInvocationUri: 21,
  sourceRepositoryVisibilityAtSigning: 22,
} as const;
export type FulcioClaims = Partial<Record<keyof typeof CLAIM_OIDS, string>>;

/** Who the leaf names: SAN (a URI if it has "://", else an email), OIDC issuer, Fulcio claims. */
export interface LeafIdentity {
  san: string;
  issuer: string;
  extensions?: FulcioClaims;
  /** extra raw extensions appended as given (for malformed-certificate tests) */
  rawExtensions?: Array<{ oid: string; value: Uint8Array; critical?: boolean }>;
}

export interface Leaf {
  der: Buffer;
  privateKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

export interface ValidFor {
  start: Date;
  end?: Date;
}

export interface TrustedRootJSON {
  mediaType: string;
  tlogs: unknown[];
  certificateAuthorities: unknown[];
  ctlogs: unknown[];
  timestampAuthorities: unknown[];
}

export interface SignArgs {
  filename: string;
  sha256: string;
  predicateType?: string;
  predicate?: unknown;
  /** default: githubIdentity({ repository: 'py2pkg-test/example' }) */
  identity?: LeafIdentity;
  /** sign with this leaf instead of issuing one (e.g. a leaf from another instance's CA) */
  leaf?: Leaf;
  /** the leaf's notBefore (default: a minute ago) */
  at?: Date;
  /** the log's integratedTime (default: 5 s after the leaf's notBefore) */
  integratedTime?: Date;
  /** sign these statement bytes instead of the in-toto statement built from the other fields */
  statement?: Buffer;
}

export interface TestSigstore {
  readonly rootDer: Buffer;
  readonly intermediateDer: Buffer;
  readonly rekor: TestRekor;
  issueLeaf(identity: LeafIdentity, opts?: { notBefore?: Date; sct?: boolean }): Promise<Leaf>;
  /** Record a DSSE envelope signed by `leaf` in the test log. */
  logEnvelope(env: DsseEnvelopeJSON, leaf: Pick<Leaf, 'der' | 'notBefore'>, integratedTime?: Date): TransparencyEntry;
  signAttestation(args: SignArgs): Promise<Attestation>;
  trustedRoot(overrides?: { caValidFor?: ValidFor; tlogValidFor?: ValidFor; ctlogValidFor?: ValidFor }): TrustedRootJSON;
}

const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);
const ec = (namedCurve: 'P-256' | 'P-384'): Promise<CryptoKeyPair> => webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify']);
const serial = (): string => Buffer.from(webcrypto.getRandomValues(new Uint8Array(20))).toString('hex');
const SHA384 = { name: 'ECDSA', hash: 'SHA-384' };
const KU = x509.KeyUsageFlags;

/** Fulcio's identity for a GitHub Actions workflow run, with the claims GitHub tokens carry. */
export function githubIdentity(o: {
  repository: string;
  workflow?: string;
  ref?: string;
  sha?: string;
  trigger?: string;
  repositoryId?: string;
  ownerId?: string;
  runId?: string;
  visibility?: string;
}): LeafIdentity {
  const { repository, workflow = 'release.yml', ref = 'refs/tags/v1.0', sha = 'a'.repeat(40), trigger = 'release' } = o;
  const repo = `https://github.com/${repository}`;
  const signer = `${repo}/.github/workflows/${workflow}@${ref}`;
  return {
    san: signer,
    issuer: 'https://token.actions.githubusercontent.com',
    extensions: {
      githubWorkflowTrigger: trigger,
      githubWorkflowSha: sha,
      githubWorkflowName: 'Release',
      githubWorkflowRepository: repository,
      githubWorkflowRef: ref,
      buildSignerUri: signer,
      buildSignerDigest: sha,
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: repo,
      sourceRepositoryDigest: sha,
      sourceRepositoryRef: ref,
      sourceRepositoryIdentifier: o.repositoryId ?? '100001',
      sourceRepositoryOwnerUri: `https://github.com/${repository.split('/')[0]}`,
      sourceRepositoryOwnerIdentifier: o.ownerId ?? '200002',
      buildConfigUri: signer,
      buildConfigDigest: sha,
      buildTrigger: trigger,
      runInvocationUri: `${repo}/actions/runs/${o.runId ?? '300003'}/attempts/1`,
      sourceRepositoryVisibilityAtSigning: o.visibility ?? 'public',
    },
  };
}

/** Fulcio's identity for a GitLab CI job (SAN with the double slash GitLab's tokens produce). */
export function gitlabIdentity(o: { project: string; ciFile?: string; ref?: string; sha?: string }): LeafIdentity {
  const { project, ciFile = '.gitlab-ci.yml', ref = 'refs/heads/main', sha = 'b'.repeat(40) } = o;
  const repo = `https://gitlab.com/${project}`;
  const signer = `${repo}//${ciFile}@${ref}`;
  return {
    san: signer,
    issuer: 'https://gitlab.com',
    extensions: {
      buildSignerUri: signer,
      buildSignerDigest: sha,
      runnerEnvironment: 'gitlab-hosted',
      sourceRepositoryUri: repo,
      sourceRepositoryDigest: sha,
      sourceRepositoryRef: ref,
      sourceRepositoryIdentifier: '400004',
      sourceRepositoryOwnerUri: `https://gitlab.com/${project.split('/')[0]}`,
      sourceRepositoryOwnerIdentifier: '500005',
      buildConfigUri: signer,
      buildConfigDigest: sha,
      buildTrigger: 'push',
      runInvocationUri: `${repo}/-/jobs/600006`,
      sourceRepositoryVisibilityAtSigning: 'public',
    },
  };
}

/** Fulcio's identity for a Google service account (email SAN, no workflow claims). */
export function googleIdentity(email: string): LeafIdentity {
  return { san: email, issuer: 'https://accounts.google.com' };
}

/** The Fulcio extensions of `id`: issuer (.1.1 raw, .1.8 DER), claims in OID order, then raw extras. */
function fulcioExtensions(id: LeafIdentity): x509.Extension[] {
  const claims = Object.entries(id.extensions ?? {})
    .filter((e): e is [keyof typeof CLAIM_OIDS, string] => e[1] !== undefined)
    .map(([name, value]) => ({ arc: CLAIM_OIDS[name], value }));
  const all = [{ arc: 1, value: id.issuer }, { arc: 8, value: id.issuer }, ...claims].sort((a, b) => a.arc - b.arc);
  return [
    ...all.map(({ arc, value }) => new x509.Extension(`${FULCIO}.${arc}`, false, new Uint8Array(arc <= 6 ? Buffer.from(value) : derUtf8String(value)))),
    ...(id.rawExtensions ?? []).map((r) => new x509.Extension(r.oid, r.critical ?? false, new Uint8Array(r.value))),
  ];
}

export async function createTestSigstore(opts: { name?: string; validFrom?: Date } = {}): Promise<TestSigstore> {
  const name = opts.name ?? 'py2pkg-test';
  const validFrom = seconds(opts.validFrom ?? new Date(Date.now() - 86_400_000));
  const caUntil = new Date(validFrom.getTime() + 10 * 365 * 86_400_000);
  const rootKeys = await ec('P-384');
  const interKeys = await ec('P-384');
  const rootName = `O=${name}, CN=${name}-fulcio-root`;
  const interName = `O=${name}, CN=${name}-fulcio-intermediate`;
  const root = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: rootName,
    issuer: rootName,
    notBefore: validFrom,
    notAfter: caUntil,
    publicKey: rootKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SHA384,
    extensions: [
      new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
      new x509.BasicConstraintsExtension(true, 1, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const inter = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: interName,
    issuer: rootName,
    notBefore: validFrom,
    notAfter: caUntil,
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SHA384,
    extensions: [
      new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.BasicConstraintsExtension(true, 0, true),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const ct = newLogKey();
  const rekor = new TestRekor(`rekor.${name}.invalid`);
  const interSpki = Buffer.from(inter.publicKey.rawData);

  async function issueLeaf(identity: LeafIdentity, o: { notBefore?: Date; sct?: boolean } = {}): Promise<Leaf> {
    const keys = await ec('P-256');
    const notBefore = seconds(o.notBefore ?? new Date(Date.now() - 60_000));
    const notAfter = new Date(notBefore.getTime() + 600_000);
    const san = identity.san.includes('://') ? { type: 'url' as const, value: identity.san } : { type: 'email' as const, value: identity.san };
    const base = [
      new x509.KeyUsagesExtension(KU.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(interKeys.publicKey),
      new x509.SubjectAlternativeNameExtension([san], true),
      ...fulcioExtensions(identity),
    ];
    // Same serial, names, times and key each time, so the TBS differs only by the SCT extension.
    const fields = {
      serialNumber: serial(),
      issuer: inter.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: interKeys.privateKey,
      signingAlgorithm: SHA384,
    };
    let cert = await x509.X509CertificateGenerator.create({ ...fields, extensions: base });
    if (o.sct !== false) {
      // RFC 6962 §3.2: the SCT signs the TBS without the SCT extension, under the issuer's key hash.
      const tbs = firstChild(new Uint8Array(cert.rawData));
      const sctList = sctListExtension(ct, interSpki, tbs, new Date(notBefore.getTime() + 1000));
      cert = await x509.X509CertificateGenerator.create({
        ...fields,
        extensions: [...base, new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, new Uint8Array(sctList))],
      });
    }
    return { der: Buffer.from(cert.rawData), privateKey: KeyObject.from(keys.privateKey), notBefore, notAfter };
  }

  function logEnvelope(env: DsseEnvelopeJSON, leaf: Pick<Leaf, 'der' | 'notBefore'>, integratedTime?: Date): TransparencyEntry {
    return rekor.logDsse(env, leaf.der, integratedTime ?? new Date(leaf.notBefore.getTime() + 5000));
  }

  async function signAttestation(a: SignArgs): Promise<Attestation> {
    const leaf = a.leaf ?? (await issueLeaf(a.identity ?? githubIdentity({ repository: 'py2pkg-test/example' }), a.at ? { notBefore: a.at } : {}));
    const statement = a.statement ?? inTotoStatement(a.filename, a.sha256, a.predicateType ?? PUBLISH_PREDICATE, a.predicate ?? null);
    const sig = sign('sha256', pae(INTOTO_PAYLOAD_TYPE, statement), leaf.privateKey);
    const env = { payload: statement.toString('base64'), payloadType: INTOTO_PAYLOAD_TYPE, signatures: [{ keyid: '', sig: sig.toString('base64') }] };
    return {
      version: 1,
      verification_material: {
        certificate: leaf.der.toString('base64'),
        transparency_entries: [logEnvelope(env, leaf, a.integratedTime)],
      },
      envelope: { statement: env.payload, signature: sig.toString('base64') },
    };
  }

  const validFor = (v: ValidFor) => ({ start: v.start.toISOString(), ...(v.end ? { end: v.end.toISOString() } : {}) });
  const logJSON = (baseUrl: string, key: { spki: Buffer; logId: Buffer }, v: ValidFor) => ({
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: key.spki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: validFor(v) },
    logId: { keyId: key.logId.toString('base64') },
  });

  function trustedRoot(o: { caValidFor?: ValidFor; tlogValidFor?: ValidFor; ctlogValidFor?: ValidFor } = {}): TrustedRootJSON {
    const dflt = { start: validFrom };
    return {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [logJSON(rekor.baseUrl, rekor.key, o.tlogValidFor ?? dflt)],
      certificateAuthorities: [
        {
          subject: { organization: name, commonName: `${name}-fulcio-root` },
          uri: `https://fulcio.${name}.invalid`,
          certChain: { certificates: [inter, root].map((c) => ({ rawBytes: Buffer.from(c.rawData).toString('base64') })) },
          validFor: validFor(o.caValidFor ?? dflt),
        },
      ],
      ctlogs: [logJSON(`https://ctfe.${name}.invalid/test`, ct, o.ctlogValidFor ?? dflt)],
      timestampAuthorities: [],
    };
  }

  return {
    rootDer: Buffer.from(root.rawData),
    intermediateDer: Buffer.from(inter.rawData),
    rekor,
    issueLeaf,
    logEnvelope,
    signAttestation,
    trustedRoot,
  };
}

export { derOctetString, derUtf8String };
