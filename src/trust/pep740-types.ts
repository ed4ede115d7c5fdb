/** What a verified PEP 740 provenance object is recorded as (in provenance.json and the SBOM). */
import type { CertIdentity } from './publisher.js';

export interface AttestationEvidence {
  predicateType: string;
  subject: { name: string; sha256: string };
  certificate: CertIdentity & { sha256: string };
  transparencyLog: { logIndex: string; integratedTime: string; logId: string };
}

export interface Pep740Verification {
  method: 'pep740-attestation';
  tool: string;
  /** where the provenance object came from: its file name, or its URL for by-name runs */
  provenanceFile: string;
  provenanceSha256: string;
  trustedRoot: { file: string; sha256: string };
  /** the Trusted Publisher the certificates prove (PyPI's field names) */
  publisher: Record<string, string>;
  attestations: AttestationEvidence[];
}
