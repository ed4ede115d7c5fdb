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
import type { LicenseText } from './packager.js';

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

export function controlData(meta: PythonMetadata, target: TargetProfile, maintainer: string, installedSize: number, deps: DependencyOptions = NO_DEPENDENCY_OPTIONS): ControlData {
  const relations = debDependencies(meta, target, deps);
  const description = meta.description.trim()
    ? meta.description
    : `${meta.summary}\n\nThis package provides the Python 3 distribution ${meta.name}.`;
  return {
    package: debPackageName(meta),
    version: debFullVersion(meta, target),
    maintainer: untrusted(maintainer),
    installedSize,
    depends: relations.depends,
    suggests: relations.suggests,
    homepage: untrusted(homepageOf(meta)),
    summary: untrusted(meta.summary),
    name: untrusted(`Python 3 distribution ${meta.name}`),
    description: untrusted(description),
  };
}

export function trustLines(p: Provenance): string[] {
  if (p.unsigned || p.verification.method === 'none') {
    return [`UNSIGNED: converted with --allow-unsigned; no upstream signature was checked (${p.verification.method === 'none' ? p.verification.reason : 'unsigned'}).`];
  }
  return p.verification.signers.map((s) => `Upstream signature verified: key ${s.fingerprint} (${s.userIds[0] ?? 'no user id'}).`);
}

export function changelogData(meta: PythonMetadata, target: TargetProfile, p: Provenance, maintainer: string, timestamp: number, toolVersion: string, deps: DependencyOptions = NO_DEPENDENCY_OPTIONS): Record<string, unknown> {
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

/** Map common license names and trove classifiers to Debian's short names (DEP-5). */
export function licenseName(meta: PythonMetadata): string {
  if (meta.licenseExpression) return meta.licenseExpression.replace(/\bMIT\b/g, 'Expat');
  const fromClassifier = meta.classifiers
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '');
  const table: Array<[RegExp, string]> = [
    [/^MIT( License)?$/i, 'Expat'],
    [/^BSD( License)?$/i, 'BSD-3-clause'],
    [/^BSD[- ]3/i, 'BSD-3-clause'],
    [/^BSD[- ]2/i, 'BSD-2-clause'],
    [/^Apache Software License$|^Apache[- ]?2(\.0)?$|^Apache License,? Version 2\.0$/i, 'Apache-2.0'],
    [/^GNU General Public License v2/i, 'GPL-2'],
    [/^GNU General Public License v3/i, 'GPL-3'],
    [/^GNU Lesser General Public License v3/i, 'LGPL-3'],
    [/^Mozilla Public License 2\.0/i, 'MPL-2.0'],
    [/^ISC License/i, 'ISC'],
    [/^Python Software Foundation License$/i, 'PSF-2.0'],
  ];
  const candidates = [meta.license ?? '', ...fromClassifier].map((s) => s.trim()).filter((s) => s && s.length < 80 && !s.includes('\n'));
  for (const c of candidates) for (const [re, name] of table) if (re.test(c)) return name;
  const first = candidates[0];
  return first ? first.replace(/[^A-Za-z0-9.+-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown' : 'unknown';
}

export function copyrightData(meta: PythonMetadata, p: Provenance, licenseTexts: LicenseText[]): Record<string, unknown> {
  const holder = [meta.author, meta.maintainer].filter((s): s is string => Boolean(s && s.trim()))[0] ?? `the ${meta.name} authors`;
  const contact = meta.authorEmail ?? meta.maintainerEmail ?? '';
  const text = licenseTexts.map((l) => l.text.trim()).join('\n\n');
  return {
    package: debPackageName(meta),
    upstreamName: untrusted(meta.name),
    upstreamContact: untrusted(contact),
    source: untrusted(homepageOf(meta)),
    sdistFilename: untrusted(p.sdist.filename),
    sdistSha256: p.sdist.sha256,
    copyright: untrusted(holder),
    licenseName: untrusted(licenseName(meta)),
    licenseText: untrusted(text),
  };
}
