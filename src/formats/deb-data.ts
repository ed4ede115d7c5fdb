/**
 * Pure functions from verified metadata to the values a .deb's control files need.
 * Golden tests render these without running dpkg.
 */
import { debDependencies, NO_DEPENDENCY_OPTIONS, type DependencyOptions } from '../deps/index.js';
import { debianBinaryName } from '../deps/names.js';
import { toDebianVersion } from '../python/distro-version.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { Provenance, PythonMetadata } from '../types.js';
import { untrusted, type Untrusted } from '../render/engine.js';
import { fallbackLine } from '../description/index.js';

/** Debian's name for the project where dh-python's map has one (PyYAML -> python3-yaml), else python3-<name>. */
export function debPackageName(meta: PythonMetadata): string {
  return debianBinaryName(meta.name);
}

export function debFullVersion(meta: PythonMetadata, target: TargetProfile): string {
  return `${toDebianVersion(meta.version)}-${target.revision}`;
}

/**
 * Depends: python3:any (bounded by Requires-Python), then each requirement that holds on the
 * target, under Debian's name for it with its version bounds (src/deps/debian.ts).
 */
export function debDepends(meta: PythonMetadata, target: TargetProfile, deps: DependencyOptions = NO_DEPENDENCY_OPTIONS): string[] {
  return debDependencies(meta, target, deps).depends;
}

/** Suggests: the requirements of extras not promoted with --with-extras. */
export function debSuggests(meta: PythonMetadata, target: TargetProfile, deps: DependencyOptions = NO_DEPENDENCY_OPTIONS): string[] {
  return debDependencies(meta, target, deps).suggests;
}

export interface ControlData {
  [key: string]: unknown;
  package: string;
  version: string;
  /** `all`, or the host's architecture for a package of extension modules */
  architecture: string;
  maintainer: Untrusted;
  installedSize: number;
  depends: string[];
  suggests: string[];
  homepage: Untrusted;
  summary: Untrusted;
  name: Untrusted;
  description: Untrusted;
}

export function homepageOf(meta: PythonMetadata): string {
  if (meta.homePage) return meta.homePage;
  const preferred = meta.projectUrls.find((u) => /^(homepage|home|source|source code|repository)$/i.test(u.label.trim()));
  return preferred?.url ?? meta.projectUrls[0]?.url ?? '';
}

/**
 * `description` is the long description as plain text (src/description/: parsed, chosen,
 * wrapped); the template escapes it for deb822.
 */
export function controlData(
  meta: PythonMetadata,
  target: TargetProfile,
  maintainer: string,
  installedSize: number,
  description: string,
  deps: DependencyOptions = NO_DEPENDENCY_OPTIONS,
): ControlData {
  const relations = debDependencies(meta, target, deps);
  return {
    package: debPackageName(meta),
    version: debFullVersion(meta, target),
    architecture: 'all',
    maintainer: untrusted(maintainer),
    installedSize,
    depends: relations.depends,
    suggests: relations.suggests,
    homepage: untrusted(homepageOf(meta)),
    summary: untrusted(meta.summary),
    name: untrusted(`Python 3 distribution ${meta.name}`),
    description: untrusted(description.trim() ? description : fallbackLine(meta)),
  };
}

export function trustLines(p: Provenance): string[] {
  if (p.unsigned || p.verification.method === 'none') {
    return [
      `UNSIGNED: converted with --allow-unsigned; no upstream signature was checked (${p.verification.method === 'none' ? p.verification.reason : 'unsigned'}).`,
    ];
  }
  const lines: string[] = [];
  for (const v of p.evidence ?? [p.verification]) {
    if (v.method === 'openpgp-detached-signature')
      lines.push(...v.signers.map((s) => `Upstream signature verified: key ${s.fingerprint} (${s.userIds[0] ?? 'no user id'}).`));
    else if (v.method === 'pep740-attestation') {
      const pub = Object.entries(v.publisher)
        .map(([k, val]) => `${k}=${val}`)
        .join(', ');
      const logs = v.attestations.map((a) => a.transparencyLog.logIndex).join(', ');
      lines.push(`Upstream PEP 740 attestation verified: Trusted Publisher ${pub}; Rekor log index ${logs}.`);
    } else if (v.method === 'pinned-sha256') lines.push(`sdist sha256 pinned as reviewed in the trust policy.`);
  }
  return lines;
}

export function changelogData(
  meta: PythonMetadata,
  target: TargetProfile,
  p: Provenance,
  maintainer: string,
  timestamp: number,
  toolVersion: string,
  deps: DependencyOptions = NO_DEPENDENCY_OPTIONS,
): Record<string, unknown> {
  return {
    package: debPackageName(meta),
    version: debFullVersion(meta, target),
    distribution: target.distribution,
    entries: [
      `Converted from the Python sdist ${p.sdist.filename} by py2pkg ${toolVersion}.`,
      `sdist sha256: ${p.sdist.sha256}`,
      ...trustLines(p),
      ...debDependencies(meta, target, deps).warnings.map((w) => `Dependencies: ${w}`),
    ].map(untrusted),
    maintainer: untrusted(maintainer),
    timestamp,
  };
}
