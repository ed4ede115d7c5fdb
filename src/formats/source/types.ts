/**
 * What a source-package builder (--source) is handed and what it gives back. One context for
 * every format: the Debian builder (debian.ts) and the SRPM builder (route-rpm.ts) read the same
 * verified facts; neither looks at another stage's files except the sdist and the work dir.
 */
import type { BuildSystem } from '../../python/backends.js';
import type { ProjectBuildDepends } from '../../python/build-depends.js';
import type { SignerInfo } from '../../sign/signer-types.js';
import type { TargetProfile } from '../../targets/profiles.js';
import type { Provenance, PythonMetadata } from '../../types.js';
import type { LicenseText } from '../packager.js';
import type { TemplateSet } from '../../render/templates.js';

/** A pinned upstream key file (armored or binary) the verify stage read. */
export interface PinnedKeyFile {
  path: string;
}

export interface SourceContext {
  /** PKG-INFO merged with the built wheel's METADATA (hostile strings: escape where they land) */
  metadata: PythonMetadata;
  /** the verified upstream sdist, byte for byte what upstream published */
  sdist: { path: string; filename: string; sha256: string; size: number };
  /** the detached upstream signature that verified it (when the evidence is PGP) */
  signaturePath?: string;
  /** the verify stage's result, as it goes into the package (no index route, no store answer) */
  provenance: Provenance;
  /** key files holding the pinned upstream keys (--trusted-keys + the policy's keys for the project) */
  pinnedKeyFiles: string[];
  target: TargetProfile;
  /** the organization's key (checked, not opened): the builder opens it to sign; absent: unsigned */
  signer?: SignerInfo;
  maintainer: string;
  /** --out (exists; outputs appear there by atomic rename) */
  outDir: string;
  /** a private directory the builder may use */
  workDir: string;
  /** the sandboxed build produced extension modules (decided by what the build produced) */
  compiled: boolean;
  /** the system -dev packages a compiled build needs (src/python/build-depends.ts) */
  systemBuildDepends: ProjectBuildDepends & { from: 'config' | 'default' | 'none' };
  /** the sdist's license files, and copyright notices from source headers */
  licenseTexts: LicenseText[];
  sourceNotices: string[];
  /** the long description as plain text (src/description/) */
  description: string;
  /** PEP 517 backend and its requirements (src/python/backends.ts) */
  buildSystem: BuildSystem;
  /** deb: the backend's package and [build-system] requires as Debian relations with their bounds (src/deps/build-requires.ts) */
  buildRequirements?: string[];
  /** top-level importable names the built wheel installs (packages and modules) */
  importNames: string[];
  /** the sdist's top-level directory (SRPM: %autosetup -n) and the files in it (%doc candidates) */
  sdistTopDir: string;
  docFiles: string[];
  /** console scripts the wheel installs into /usr/bin */
  scripts: string[];
  sourceDateEpoch: number;
  toolVersion: string;
  /** the built-in or --templates set (the Debian changelog and copyright are rendered with it) */
  templates: TemplateSet;
  /** by-name runs: where the sdist was listed (for the watch file) */
  index?: { url: string; fileUrl: string };
  progress: (message: string) => void;
  warn: (message: string) => void;
}

export interface SourceFile {
  /** absolute path in --out */
  path: string;
  /** the role: dsc, orig, orig-signature, debian-tarball, buildinfo, changes, srpm */
  role: string;
  sha256: string;
}

export interface SourceOutput {
  format: 'deb' | 'rpm';
  /** the source package's name (python-foo) and full version (1.0-1) */
  sourceName: string;
  version: string;
  /** the main file: the .dsc or the .src.rpm */
  path: string;
  files: SourceFile[];
  /** fingerprint of the organization's key that signed it, when it did */
  signedBy?: string;
}
