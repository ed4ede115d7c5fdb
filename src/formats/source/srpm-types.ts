/**
 * What the SRPM builder (srpm.ts) takes: everything earlier stages learned, nothing it has to
 * find out itself. The caller (the `--source` pipeline) fills it from the verify, unpack,
 * inspect and build stages; every string from the sdist is hostile and is escaped or refused
 * by srpm-data.ts / srpm-spec.ts.
 */
import type { LicenseText } from '../packager.js';
import type { Signer } from '../../sign/signer-types.js';
import type { TargetProfile } from '../../targets/profiles.js';
import type { Provenance, PythonMetadata } from '../../types.js';

/** The upstream evidence that goes into the SRPM beside the sdist. */
export type SrpmEvidence =
  | {
      /** an OpenPGP detached signature: shipped as Source1 and checked by %gpgverify in %prep */
      kind: 'pgp';
      /** the signature file as verified (armored or binary) */
      signaturePath: string;
      /** the trusted-keys files the signature was checked against */
      keyFiles: string[];
      /** primary-key fingerprints (upper-case hex) to put in the keyring (Source2): the pinned signers */
      fingerprints: string[];
    }
  | {
      /** a PEP 740 attestation: no %gpgverify; the provenance object ships as a Source when given */
      kind: 'pep740';
      provenancePath?: string;
    }
  | { kind: 'none' };

export interface SrpmRequest {
  /** the verified metadata (the built wheel's merged over PKG-INFO) */
  metadata: PythonMetadata;
  /** the verified sdist: Source0, byte for byte */
  sdist: { path: string; filename: string; sha256: string };
  /** the top-level directory inside the sdist (`%autosetup -n`); `<name>-<version>` when absent */
  sdistTopDir?: string;
  evidence: SrpmEvidence;
  /** what the verify stage recorded (the index route left out): %changelog trust lines */
  provenance: Provenance;
  /** provenance.json and the CycloneDX SBOM, shipped as Sources and as %doc */
  provenanceJson: string;
  sbomJson: string;
  target: TargetProfile;
  /** signs the SRPM (rpmsign); unsigned when absent */
  signer?: Signer;
  outDir: string;
  /** a private, empty temp directory */
  workDir: string;
  /** the build produced extension modules: arch-specific, BuildRequires gcc */
  compiled: boolean;
  /** the sdist's license files (names relative to its top directory) */
  licenseTexts: LicenseText[];
  /** top-level documentation files of the sdist (README.rst, CHANGES.md, ...) for %doc */
  docFiles?: string[];
  /** the long description as plain text (src/description/) */
  description: string;
  /** the PEP 517 backend that built the wheel (recorded in the spec's header) */
  buildBackend?: string;
  /** top-level import names the wheel installs: %pyproject_save_files and the import check */
  importNames: string[];
  /** console scripts the wheel installs (in %{_bindir}) */
  consoleScripts: string[];
  /** RPM build dependencies beyond python3-devel (system -devel libraries), as RPM capabilities */
  extraBuildRequires?: string[];
  maintainer: string;
  sourceDateEpoch: number;
  toolVersion: string;
  /** Source0's URL (where spectool would fetch it), when the sdist came from an index; never with credentials */
  sourceUrl?: string;
}
