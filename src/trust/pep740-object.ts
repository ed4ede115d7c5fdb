/**
 * PEP 740 objects read from bytes (hostile: they come from the index or beside a download):
 * the provenance object, its attestation bundles and attestations, the Sigstore bundle each
 * attestation becomes, and the in-toto statement it signs. Pure: no I/O, no cryptography
 * (src/trust/pep740.ts verifies).
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { canonicalizeName } from '../python/pep508.js';
import { splitSdistFilename } from '../source/filenames.js';
import { tryParseVersion, formatVersion } from '../python/pep440.js';
import { publisherFromIndex, type Publisher } from './publisher.js';

/** A provenance object is a few KiB per attestation; anything near this is not one. */
export const MAX_PROVENANCE_BYTES = 4 * 1024 * 1024;
export const MAX_ATTESTATIONS = 32;

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** The predicate types PyPI accepts (pypi-attestations' AttestationType). */
export const KNOWN_PREDICATES = ['https://docs.pypi.org/attestations/publish/v1', 'https://slsa.dev/provenance/v1'] as const;

export interface Attestation {
  certificate: string; // base64 DER
  transparencyEntries: Record<string, unknown>[];
  statement: string; // base64
  signature: string; // base64
}

export interface AttestationBundle {
  /** the index's record of the publisher; undefined when absent or of an unknown kind */
  publisher: Publisher | undefined;
  /** the kind as the index spelled it, for messages */
  publisherKind: string | undefined;
  attestations: Attestation[];
}

export interface Statement {
  predicateType: string;
  subject: { name: string; sha256: string };
}

function malformed(where: string, why: string): Py2pkgError {
  return new Py2pkgError('PROVENANCE_MALFORMED', `${where}: ${singleLine(why, 200)}`);
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function b64(v: unknown, where: string, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PROVENANCE_BYTES || !B64.test(v.replace(/\s+/g, '')))
    throw malformed(where, `${what} is not base64`);
  return v.replace(/\s+/g, '');
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseAttestation(raw: unknown, where: string): Attestation {
  const a = obj(raw);
  if (!a) throw malformed(where, 'an attestation is not an object');
  if (a.version !== 1) throw malformed(where, `attestation version ${JSON.stringify(a.version)} is not 1`);
  const vm = obj(a.verification_material);
  const env = obj(a.envelope);
  if (!vm || !env) throw malformed(where, 'an attestation lacks verification_material or envelope');
  const entries = vm.transparency_entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 8 || !entries.every((e) => obj(e))) {
    throw malformed(where, 'transparency_entries must be a list of 1 to 8 log entries');
  }
  return {
    certificate: b64(vm.certificate, where, 'the certificate'),
    transparencyEntries: entries as Record<string, unknown>[],
    statement: b64(env.statement, where, 'the statement'),
    signature: b64(env.signature, where, 'the signature'),
  };
}

/**
 * A PyPI provenance object (`{version: 1, attestation_bundles: [...]}`), or a bare PEP 740
 * attestation (a `.attestation` file), which then has no publisher record.
 */
export function parseProvenance(bytes: Uint8Array, where: string): AttestationBundle[] {
  if (bytes.length > MAX_PROVENANCE_BYTES) throw malformed(where, `larger than ${MAX_PROVENANCE_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw malformed(where, `not JSON: ${(e as Error).message}`);
  }
  const top = obj(doc);
  if (!top) throw malformed(where, 'not a JSON object');
  if ('verification_material' in top) return [{ publisher: undefined, publisherKind: undefined, attestations: [parseAttestation(top, where)] }];
  if (top.version !== 1) throw malformed(where, `provenance version ${JSON.stringify(top.version)} is not 1`);
  const bundles = top.attestation_bundles;
  if (!Array.isArray(bundles) || bundles.length === 0) throw malformed(where, 'attestation_bundles must be a non-empty list');
  const out: AttestationBundle[] = [];
  let count = 0;
  for (const rawBundle of bundles) {
    const b = obj(rawBundle);
    if (!b || !Array.isArray(b.attestations) || b.attestations.length === 0) throw malformed(where, 'an attestation bundle has no attestations');
    count += b.attestations.length;
    if (count > MAX_ATTESTATIONS) throw malformed(where, `more than ${MAX_ATTESTATIONS} attestations`);
    const kind = obj(b.publisher)?.kind;
    out.push({
      publisher: publisherFromIndex(b.publisher),
      publisherKind: typeof kind === 'string' ? singleLine(kind, 40) : undefined,
      attestations: b.attestations.map((a) => parseAttestation(a, where)),
    });
  }
  return out;
}

/**
 * The Sigstore bundle (v0.3, DSSE) an attestation stands for, as pypi-attestations builds it:
 * the certificate, the first transparency log entry, the statement as the DSSE payload.
 */
export function attestationToBundle(a: Attestation): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: a.certificate },
      tlogEntries: [a.transparencyEntries[0]],
    },
    dsseEnvelope: {
      payload: a.statement,
      payloadType: DSSE_PAYLOAD_TYPE,
      signatures: [{ sig: a.signature, keyid: '' }],
    },
  };
}

/**
 * A distribution file name in pypi-attestations' "ultranormalized" form: the name
 * canonicalized with `_`, the version normalized (PEP 440). Sdists only (py2pkg never takes
 * a wheel); undefined when the name does not parse.
 */
export function ultranormalizeSdistName(filename: string): string | undefined {
  const split = splitSdistFilename(filename);
  if (!split || (split.ext !== 'tar.gz' && split.ext !== 'zip')) return undefined;
  const version = tryParseVersion(split.version);
  if (!version) return undefined;
  return `${canonicalizeName(split.name).replace(/-/g, '_')}-${formatVersion(version)}.${split.ext}`;
}

/** The in-toto statement the DSSE envelope carries; the checks that need no key. */
export function parseStatement(payload: Buffer, where: string): Statement {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Py2pkgError('ATTESTATION_STATEMENT', `${where}: the signed statement is not JSON`);
  }
  const s = obj(doc);
  if (!s || s._type !== IN_TOTO_STATEMENT_V1) throw new Py2pkgError('ATTESTATION_STATEMENT', `${where}: the signed payload is not an in-toto v1 statement`);
  const subjects = s.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1)
    throw new Py2pkgError('ATTESTATION_STATEMENT', `${where}: the statement must name exactly one subject`);
  const sub = obj(subjects[0]);
  const name = sub?.name;
  const sha256 = obj(sub?.digest)?.sha256;
  if (typeof name !== 'string' || typeof sha256 !== 'string')
    throw new Py2pkgError('ATTESTATION_STATEMENT', `${where}: the subject has no name or no sha256 digest`);
  const predicateType = s.predicateType;
  if (typeof predicateType !== 'string' || !(KNOWN_PREDICATES as readonly string[]).includes(predicateType)) {
    throw new Py2pkgError('ATTESTATION_STATEMENT', `${where}: unknown attestation type ${JSON.stringify(singleLine(String(predicateType), 80))}`);
  }
  return { predicateType, subject: { name, sha256: sha256.toLowerCase() } };
}

/** The subject must be this file: the same (ultranormalized) name and the sha256 of the bytes py2pkg holds. */
export function checkSubject(st: Statement, dist: { filename: string; sha256: string }, where: string): void {
  const want = ultranormalizeSdistName(dist.filename);
  const got = ultranormalizeSdistName(st.subject.name);
  if (!want || got !== want) {
    throw new Py2pkgError('ATTESTATION_SUBJECT', `${where} attests ${JSON.stringify(singleLine(st.subject.name, 100))}, not ${dist.filename}`);
  }
  if (st.subject.sha256 !== dist.sha256.toLowerCase()) {
    throw new Py2pkgError(
      'ATTESTATION_SUBJECT',
      `${where} attests a file with sha256 ${singleLine(st.subject.sha256, 70)}, but ${dist.filename} has sha256 ${dist.sha256.toLowerCase()}`,
    );
  }
}
