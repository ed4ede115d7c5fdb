/**
 * TEST-ONLY. The PEP 740 shapes the test Sigstore instance (test-sigstore.ts) produces, in
 * PyPI's JSON form: the in-toto v1 statement, the DSSE pre-authentication encoding, the
 * attestation object, the Integrity API provenance object, and a test-oracle conversion of an
 * attestation into a Sigstore bundle v0.3 (the product has its own in src/trust/; this one is
 * here only so tests can check the product's against it and against real vectors).
 */
import type { TransparencyEntry } from './test-sigstore-log.js';

export const PUBLISH_PREDICATE = 'https://docs.pypi.org/attestations/publish/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A PEP 740 attestation object, exactly the JSON PyPI serves. */
export interface Attestation {
  version: 1;
  verification_material: {
    /** base64 of the leaf certificate's DER */
    certificate: string;
    transparency_entries: TransparencyEntry[];
  };
  envelope: {
    /** base64 of the in-toto statement bytes (the DSSE payload) */
    statement: string;
    /** base64 of the DER ECDSA signature over the DSSE PAE */
    signature: string;
  };
}

/** A Trusted Publisher as PyPI's provenance objects name it. */
export type Publisher =
  | { kind: 'GitHub'; repository: string; workflow: string; environment: string | null }
  | { kind: 'GitLab'; repository: string; workflow_filepath: string; environment: string | null }
  | { kind: 'Google'; email: string }
  | { kind: string; [claim: string]: unknown };

/** A PyPI Integrity API provenance object. */
export interface Provenance {
  version: 1;
  attestation_bundles: Array<{ publisher: Publisher; attestations: Attestation[] }>;
}

/** The Sigstore bundle v0.3 JSON (protobuf-JSON names), as @sigstore/bundle's bundleFromJSON reads it. */
export interface BundleJSON {
  mediaType: string;
  verificationMaterial: { certificate: { rawBytes: string }; tlogEntries: TransparencyEntry[] };
  dsseEnvelope: { payload: string; payloadType: string; signatures: Array<{ sig: string; keyid: string }> };
}

/**
 * The in-toto v1 statement bytes for one distribution file, keys in the order PyPI's
 * (pydantic) serialization writes them.
 */
export function inTotoStatement(filename: string, sha256: string, predicateType = PUBLISH_PREDICATE, predicate: unknown = null): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: filename, digest: { sha256 } }],
      predicateType,
      predicate,
    }),
  );
}

/** DSSE v1 pre-authentication encoding: the bytes the signature covers. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** A provenance object with one bundle per publisher, as /integrity/.../provenance serves it. */
export function provenanceObject(...bundles: Array<{ publisher: Publisher; attestations: Attestation[] }>): Provenance {
  return { version: 1, attestation_bundles: bundles };
}

/** A GitHub publisher object (PyPI's kind/repository/workflow/environment). */
export function githubPublisher(repository: string, workflow = 'release.yml', environment: string | null = null): Publisher {
  return { kind: 'GitHub', repository, workflow, environment };
}

/**
 * TEST ORACLE: a PEP 740 attestation as a Sigstore bundle v0.3 (certificate rawBytes, PyPI's
 * transparency entries unchanged — they already use protobuf-JSON names — and the DSSE envelope
 * with the in-toto payload type and one signature with an empty key id).
 */
export function attestationToBundle(att: Attestation): BundleJSON {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      certificate: { rawBytes: att.verification_material.certificate },
      tlogEntries: att.verification_material.transparency_entries,
    },
    dsseEnvelope: {
      payload: att.envelope.statement,
      payloadType: INTOTO_PAYLOAD_TYPE,
      signatures: [{ sig: att.envelope.signature, keyid: '' }],
    },
  };
}
