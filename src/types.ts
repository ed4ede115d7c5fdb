/** The typed values passed between pipeline stages (see ../shared/DESIGN.md, "The pipeline"). */

/** What the user handed us: a local sdist file (resolve/fetch come in a later issue). */
export interface LocalSdist {
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

export interface SignerIdentity {
  /** primary key fingerprint, upper-case hex */
  fingerprint: string;
  /** signing (sub)key id that made the signature, upper-case hex */
  keyId: string;
  userIds: string[];
  /** signature creation time, ISO 8601 */
  signedAt: string;
}

/** The verify stage's result: who vouched for the sdist and how we checked. */
export interface Provenance {
  sdist: { filename: string; sha256: string; size: number };
  unsigned: boolean;
  verification:
    | {
        method: 'openpgp-detached-signature';
        tool: string;
        signatureFile: string;
        signatureSha256: string;
        trustedKeysFile: string;
        trustedKeyFingerprints: string[];
        signers: SignerIdentity[];
      }
    | { method: 'none'; reason: string };
  /** ISO 8601; clamped to SOURCE_DATE_EPOCH so packages stay reproducible */
  verifiedAt: string;
  /** by-name runs: where the sdist came from (src/source/); not written into the package */
  source?: ProvenanceSource;
  /** the templates the package was rendered with (src/render/templates.ts): sha256 over their names and contents */
  templates?: { digest: string; source: 'builtin' | 'dir' };
}

/** The index route of a by-name run. URLs carry no credentials. */
export interface ProvenanceSource {
  /** the requirement as given */
  requirement: string;
  /** the index or find-links location that listed the file */
  index: string;
  /** the file's URL */
  url: string;
  /** the sha256 the index published and the download was checked against; null when it gave none */
  indexSha256: string | null;
  /** where the signature came from; null when none was fetched */
  signatureUrl: string | null;
  /** PEP 592: the reason, when a yanked release was taken because the requirement pins it */
  yanked?: string;
}

/** Metadata of a Python distribution (core metadata 1.0 - 2.4). Every string is hostile data. */
export interface PythonMetadata {
  metadataVersion: string;
  name: string;
  version: string;
  summary: string;
  description: string;
  descriptionContentType?: string;
  homePage?: string;
  projectUrls: Array<{ label: string; url: string }>;
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  maintainerEmail?: string;
  license?: string;
  licenseExpression?: string;
  licenseFiles: string[];
  classifiers: string[];
  keywords?: string;
  requiresDist: string[];
  requiresPython?: string;
  providesExtra: string[];
  dynamic: string[];
}
