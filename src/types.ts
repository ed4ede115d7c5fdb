/** The typed values passed between pipeline stages (see ../shared/DESIGN.md, "The pipeline"). */
import type { Pep740Verification } from './trust/pep740-types.js';
import type { TargetProfile } from './targets/profiles.js';
import type { DependencyOptions } from './deps/options.js';

export type { Pep740Verification };

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
  /** the signing (sub)key's own fingerprint (a policy may pin a subkey; it resolves to the primary) */
  signingFingerprint?: string;
  userIds: string[];
  /** signature creation time, ISO 8601 */
  signedAt: string;
}

/** An upstream OpenPGP detached signature, checked against pinned keys. */
export interface PgpVerification {
  method: 'openpgp-detached-signature';
  tool: string;
  signatureFile: string;
  signatureSha256: string;
  /** the keyring file name(s), comma-separated */
  trustedKeysFile: string;
  trustedKeyFingerprints: string[];
  signers: SignerIdentity[];
}

/** A sha256 the organization reviewed and pinned in its trust policy. */
export interface PinnedDigestVerification {
  method: 'pinned-sha256';
  sha256: string;
}

export type Verification = PgpVerification | Pep740Verification | PinnedDigestVerification | { method: 'none'; reason: string };

/** Which rule of the trust policy admitted the sdist (src/trust/admit.ts). */
export interface TrustDecision {
  /** the rule, for people: `project rpc4django: publisher`, `default tofu (first use)` */
  rule: string;
  /** where the rule is written: the policy or config file, "built-in", or a flag */
  policy: string;
  /** the PEP 503 name the rule was looked up by */
  project: string;
  /** under tofu: what the trust store said and did */
  store?: { file: string; action: 'pinned-first-use' | 'matched' | 'extended'; firstSeen: string };
}

/** The verify stage's result: who vouched for the sdist and how we checked. */
export interface Provenance {
  sdist: { filename: string; sha256: string; size: number };
  unsigned: boolean;
  /** the evidence that admitted the sdist (the first, when several did) */
  verification: Verification;
  /** every piece of evidence that verified (with require = "all", each pinned kind) */
  evidence?: Verification[];
  trust?: TrustDecision;
  /** ISO 8601; clamped to SOURCE_DATE_EPOCH so packages stay reproducible */
  verifiedAt: string;
  /** by-name runs: where the sdist came from (src/source/); not written into the package */
  source?: ProvenanceSource;
  /** the templates the package was rendered with (src/render/templates.ts): sha256 over their names and contents */
  templates?: { digest: string; source: 'builtin' | 'dir' };
  /** what a rebuild needs (py2pkg verify --rebuild): written into the package by the pipeline */
  build?: BuildRecord;
}

/** The options a package was built with, recorded in its provenance.json. */
export interface BuildRecord {
  /** py2pkg's version */
  py2pkg: string;
  format: 'deb' | 'rpm';
  /** the whole target profile (a profile from a config file is rebuilt as it was) */
  target: TargetProfile;
  maintainer: string;
  /** --with-extras and the config's depends-map / extra-depends / drop-depends */
  dependencies: DependencyOptions;
  /** the templates' digest (src/render/templates.ts) and where they came from */
  templates: { digest: string; source: 'builtin' | 'dir' };
  sourceDateEpoch: number;
  /** SOURCE_DATE_EPOCH from the environment, or derived from the sdist (src/pipeline.ts) */
  sourceDateEpochFrom: 'environment' | 'sdist';
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
  /** where the PEP 740 provenance object came from; null or absent when none was fetched */
  provenanceUrl?: string | null;
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
