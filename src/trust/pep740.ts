/**
 * PEP 740 verification: every attestation in a provenance object is turned into the Sigstore
 * bundle it stands for and verified offline by @sigstore/verify against a trusted root
 * (certificate chain to Fulcio, embedded SCT, Rekor inclusion promise and proof, DSSE
 * signature); then the in-toto statement must name this file and its sha256, and the
 * certificate's identity must be the publisher the policy pins (or, unpinned, the publisher
 * the index records for the release). Fail closed: one bad attestation refuses the file.
 *
 * @sigstore/* are loaded lazily (a PGP-only run does not pay for them).
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { projectRoot } from '../paths.js';
import { installedPackageVersion } from '../version.js';
import { readBounded } from './bounded-read.js';
import { attestationToBundle, checkSubject, parseProvenance, parseStatement, type Attestation } from './pep740-object.js';
import type { AttestationEvidence, Pep740Verification } from './pep740-types.js';
import { describePublisher, publisherFromCert, publisherMismatch, publisherRecord, type CertIdentity, type Publisher } from './publisher.js';

export type { AttestationEvidence, Pep740Verification };
import type { TrustMaterial } from '@sigstore/verify';

/** The Sigstore public-good instance's trusted root, shipped with py2pkg (see trust-roots/README.md). */
export function defaultTrustedRootPath(): string {
  return join(projectRoot(), 'trust-roots', 'sigstore-public-good.json');
}

export interface TrustedRoot {
  file: string;
  sha256: string;
  material: TrustMaterial;
}

const MAX_ROOT_BYTES = 1024 * 1024;

export async function loadTrustedRoot(path = defaultTrustedRootPath()): Promise<TrustedRoot> {
  const r = await readBounded(path, MAX_ROOT_BYTES);
  if (!r.ok) throw new Py2pkgError('TRUST_ROOT', `Sigstore trusted root ${path} does not exist, is not a file, or is larger than 1 MiB`);
  const [{ TrustedRoot: TR }, { toTrustMaterial }] = await Promise.all([import('@sigstore/protobuf-specs'), import('@sigstore/verify')]);
  let material: TrustMaterial;
  try {
    const json = JSON.parse(Buffer.from(r.bytes).toString('utf8')) as Record<string, unknown>;
    if (typeof json.mediaType !== 'string' || !json.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot'))
      throw new Error('no trusted-root mediaType');
    material = toTrustMaterial(TR.fromJSON(json));
    if (material.certificateAuthorities.length === 0 || material.tlogs.length === 0)
      throw new Error('it names no certificate authority or no transparency log');
  } catch (e) {
    throw new Py2pkgError('TRUST_ROOT', `${path} is not a Sigstore trusted root: ${singleLine((e as Error).message, 160)}`);
  }
  return { file: basename(path), sha256: createHash('sha256').update(r.bytes).digest('hex'), material };
}

// ---------------------------------------------------------------------------------------
// certificate claims (Fulcio OIDs, docs/oid-info.md in sigstore/fulcio)

const OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  issuerV2: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
} as const;

/** A DER UTF8String (the v2 Fulcio extensions); undefined when it is not one. */
export function derUtf8(der: Buffer): string | undefined {
  if (der.length < 2 || der[0] !== 0x0c) return undefined;
  let len = der[1] as number;
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || der.length < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] as number);
    off = 2 + n;
  }
  if (off + len !== der.length) return undefined;
  return der.subarray(off).toString('utf8');
}

type SigstoreCert = import('@sigstore/core').X509Certificate;

function certIdentity(cert: SigstoreCert): CertIdentity {
  const v2 = (oid: string) => {
    const ext = cert.extension(oid);
    return ext ? derUtf8(ext.value) : undefined;
  };
  const issuer = v2(OID.issuerV2) ?? cert.extension(OID.issuerV1)?.value.toString('utf8');
  const san = cert.extSubjectAltName;
  const subjectAlternativeName = san?.uri ? `URI:${san.uri}` : san?.rfc822Name ? `email:${san.rfc822Name}` : '';
  const id: CertIdentity = { subjectAlternativeName, issuer: issuer ?? '' };
  const opt: Array<[keyof CertIdentity, string]> = [
    ['sourceRepositoryUri', OID.sourceRepositoryUri],
    ['sourceRepositoryDigest', OID.sourceRepositoryDigest],
    ['sourceRepositoryRef', OID.sourceRepositoryRef],
    ['buildConfigUri', OID.buildConfigUri],
    ['buildSignerUri', OID.buildSignerUri],
    ['runInvocationUri', OID.runInvocationUri],
  ];
  for (const [k, oid] of opt) {
    const v = v2(oid);
    if (v !== undefined) id[k] = v;
  }
  return id;
}

// ---------------------------------------------------------------------------------------
// one attestation

/** What the Sigstore verification of one attestation gives: the signed statement and the certificate's claims. */
export interface VerifiedAttestation {
  statement: Buffer;
  certificate: CertIdentity & { sha256: string };
  transparencyLog: AttestationEvidence['transparencyLog'];
}

/**
 * The cryptography of one attestation, and nothing else: the bundle it stands for verifies
 * against the trusted root (chain, SCT, log inclusion, DSSE signature).
 */
export async function verifyAttestationSignature(a: Attestation, root: TrustedRoot, where: string): Promise<VerifiedAttestation> {
  const [{ bundleFromJSON }, { toSignedEntity, Verifier }, core] = await Promise.all([
    import('@sigstore/bundle'),
    import('@sigstore/verify'),
    import('@sigstore/core'),
  ]);
  let bundle;
  try {
    bundle = bundleFromJSON(attestationToBundle(a));
  } catch (e) {
    throw new Py2pkgError('PROVENANCE_MALFORMED', `${where}: not a Sigstore bundle: ${singleLine((e as Error).message, 160)}`);
  }
  try {
    const entity = toSignedEntity(bundle);
    // one inclusion-promise timestamp from the log, one SCT, one log entry: the public-good policy
    new Verifier(root.material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(entity);
  } catch (e) {
    const code = typeof (e as { code?: unknown }).code === 'string' ? `${(e as { code: string }).code}: ` : '';
    throw new Py2pkgError(
      'ATTESTATION_INVALID',
      `${where} does not verify against the Sigstore trusted root ${root.file}: ${singleLine(code + (e as Error).message, 200)}`,
      {
        detail: (e as Error).stack ?? String(e),
      },
    );
  }
  const der = Buffer.from(a.certificate, 'base64');
  const entry = bundle.verificationMaterial.tlogEntries[0];
  return {
    statement: Buffer.from(a.statement, 'base64'),
    certificate: { ...certIdentity(core.X509Certificate.parse(der)), sha256: createHash('sha256').update(der).digest('hex') },
    transparencyLog: {
      logIndex: String(entry?.logIndex ?? ''),
      integratedTime: new Date(Number(entry?.integratedTime ?? 0) * 1000).toISOString(),
      logId: entry?.logId ? Buffer.from(entry.logId.keyId).toString('base64') : '',
    },
  };
}

/** A Fulcio certificate's claims (for tests and `py2pkg trust` messages). */
export async function certificateIdentity(der: Buffer<ArrayBuffer>): Promise<CertIdentity> {
  const core = await import('@sigstore/core');
  return certIdentity(core.X509Certificate.parse(der));
}

async function verifyOne(a: Attestation, root: TrustedRoot, dist: { filename: string; sha256: string }, where: string): Promise<AttestationEvidence> {
  const v = await verifyAttestationSignature(a, root, where);
  const statement = parseStatement(v.statement, where);
  checkSubject(statement, dist, where);
  return { predicateType: statement.predicateType, subject: statement.subject, certificate: v.certificate, transparencyLog: v.transparencyLog };
}

// ---------------------------------------------------------------------------------------
// the provenance object

export interface VerifyProvenanceOptions {
  bytes: Uint8Array;
  /** its file name or URL, for messages and the record */
  name: string;
  sdist: { filename: string; sha256: string };
  root: TrustedRoot;
  /** the publishers the policy pins; undefined: the one the index records (or the certificate proves) */
  pinned: Publisher[] | undefined;
}

export async function verifyProvenance(o: VerifyProvenanceOptions): Promise<Pep740Verification> {
  const bundles = parseProvenance(o.bytes, o.name);
  const evidence: AttestationEvidence[] = [];
  let matched: Publisher | undefined;
  const seen: string[] = [];
  for (const b of bundles) {
    let proven: Publisher | undefined;
    for (const [i, a] of b.attestations.entries()) {
      const where = `attestation ${i + 1} of ${o.name}`;
      const ev = await verifyOne(a, o.root, o.sdist, where);
      evidence.push(ev);
      const p = publisherFromCert(ev.certificate);
      if (!p) {
        throw new Py2pkgError(
          'PUBLISHER_MISMATCH',
          `${where} is signed by ${singleLine(ev.certificate.subjectAlternativeName, 120)} (issuer ${singleLine(ev.certificate.issuer, 80)}), which is not a Trusted Publisher py2pkg knows (GitHub, GitLab, Google)`,
        );
      }
      // every attestation of a bundle comes from the bundle's publisher, and the index's record agrees
      if (b.publisher) {
        const why = publisherMismatch(b.publisher, ev.certificate);
        if (why)
          throw new Py2pkgError(
            'PUBLISHER_MISMATCH',
            `${where}: the index names publisher ${describePublisher(b.publisher)}, but the certificate disagrees: ${singleLine(why, 160)}`,
          );
      } else if (b.publisherKind) {
        throw new Py2pkgError('PUBLISHER_MISMATCH', `${o.name} names a publisher of kind ${b.publisherKind}, which py2pkg does not know`);
      }
      if (proven && publisherMismatch(proven, ev.certificate))
        throw new Py2pkgError('PUBLISHER_MISMATCH', `${o.name}: the attestations of one bundle come from different publishers`);
      proven ??= b.publisher?.kind === p.kind ? withEnvironment(p, b.publisher) : p;
    }
    if (!proven) continue;
    seen.push(describePublisher(proven));
    if (matched) continue;
    if (o.pinned === undefined) {
      matched = proven;
      continue;
    }
    // every attestation of the bundle came from `proven`: its last certificate stands for them
    const cert = evidence[evidence.length - 1]?.certificate;
    for (const pin of o.pinned) {
      if (!cert || publisherMismatch(pin, cert)) continue;
      const env = 'environment' in pin ? pin.environment : undefined;
      const indexEnv = proven.kind !== 'google' ? proven.environment : undefined;
      if (env !== undefined && env !== indexEnv) continue;
      matched = proven;
      break;
    }
  }
  if (!matched) {
    const pins = (o.pinned ?? []).map(describePublisher).join(' or ');
    throw new Py2pkgError(
      'PUBLISHER_MISMATCH',
      `${o.sdist.filename} was published by ${seen.join(', ') || 'an unknown publisher'}, not by the pinned ${pins}`,
      {
        hint: 'if the project really moved its release workflow, confirm it with upstream and change the publisher pinned in the trust policy',
      },
    );
  }
  return {
    method: 'pep740-attestation',
    tool: `@sigstore/verify ${installedPackageVersion('@sigstore/verify')}`,
    provenanceFile: o.name,
    provenanceSha256: createHash('sha256').update(o.bytes).digest('hex'),
    trustedRoot: { file: o.root.file, sha256: o.root.sha256 },
    publisher: publisherRecord(matched),
    attestations: evidence,
  };
}

function withEnvironment(p: Publisher, index: Publisher | undefined): Publisher {
  if (p.kind === 'google' || !index || index.kind === 'google' || !index.environment) return p;
  return { ...p, environment: index.environment };
}
