/**
 * Pure functions from verified metadata, a target profile and the staged file list to the
 * values an RPM spec needs. Golden tests render these without running rpmbuild; the RPM
 * packager (rpm.ts) renders exactly the same data.
 */
import { NO_DEPENDENCY_OPTIONS, rpmRequires, type DependencyOptions } from '../deps/index.js';
import { Py2pkgError, singleLine } from '../errors.js';
import { toRpmDistVersion, toRpmVersion } from '../python/distro-version.js';
import { fedoraNameFor } from '../deps/names.js';
import { canonicalizeName } from '../python/pep508.js';
import { untrusted, type Untrusted } from '../render/engine.js';
import { isSpecSafePath, MAX_RPM_DEPENDENCY, type SpecFileEntry } from '../render/rpmspec.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { Provenance, PythonMetadata } from '../types.js';
import { homepageOf, trustLines } from './deb-data.js';
import { fallbackLine } from '../description/index.js';
import { isSpdxExpression, projectLicense } from '../license/spdx.js';
import type { LicenseText } from './packager.js';

export { isSpdxExpression };

// ---------------------------------------------------------------------------------------------
// Name and version

/**
 * Fedora's name for the project where it differs (src/deps/data/fedora-names: dnspython ->
 * python3-dns, with the profile's prefix), else `python3-` + the PEP 503 name, a leading
 * `python-` dropped (Fedora's naming: `Acme.Widgets` -> `python3-acme-widgets`,
 * `python-dateutil` -> `python3-dateutil`).
 */
export function rpmPackageName(meta: PythonMetadata, target: TargetProfile): string {
  const known = fedoraNameFor(meta.name);
  if (known?.startsWith('python3-')) return `${target.packagePrefix}${known.slice('python3-'.length)}`;
  let s = canonicalizeName(meta.name);
  if (s.startsWith('python-') && s.length > 'python-'.length) s = s.slice('python-'.length);
  const name = `${target.packagePrefix}${s}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) throw new Py2pkgError('METADATA_INVALID', `${singleLine(meta.name, 80)} gives no valid RPM package name`);
  return name;
}

export interface RpmEVR {
  epoch?: number;
  version: string;
  release: string;
}

/** Version from PEP 440 in Fedora's way, the release as upstream wrote it (toRpmVersion); Release from the profile. */
export function rpmEVR(meta: PythonMetadata, target: TargetProfile): RpmEVR {
  const v = toRpmVersion(meta.version);
  return { ...v, release: target.revision };
}

/** `[E:]V-R`, as rpm -q and %changelog write it. */
export function rpmFullVersion(evr: RpmEVR): string {
  return `${evr.epoch !== undefined ? `${evr.epoch}:` : ''}${evr.version}-${evr.release}`;
}

/** rpmbuild's default file name (the epoch is not part of it). */
export function rpmFileName(meta: PythonMetadata, target: TargetProfile): string {
  const evr = rpmEVR(meta, target);
  return `${rpmPackageName(meta, target)}-${evr.version}-${evr.release}.noarch.rpm`;
}

/** `python3.9dist` for a profile's Python. */
const versionedDist = (target: TargetProfile) => `python${target.pythonVersion}dist`;

/**
 * What Fedora's dependency generator provides: `python3dist(name) = V` and
 * `python3.Xdist(name) = V`, V without trailing zeros as the generator writes it (six 1.16.0:
 * `python3dist(six) = 1.16`, while the package's Version is 1.16.0): requires are written the
 * same way (src/deps/rpm-requires.ts), so `= 1.16` and `< 1.16.1` compare like with like.
 */
export function rpmProvides(meta: PythonMetadata, target: TargetProfile): string[] {
  const d = toRpmDistVersion(meta.version);
  const v = `${d.epoch !== undefined ? `${d.epoch}:` : ''}${d.version}`;
  const name = canonicalizeName(meta.name);
  const kinds = target.dependencyStyle === 'python3dist' ? ['python3dist', versionedDist(target)] : [versionedDist(target)];
  return kinds.map((k) => `${k}(${name}) = ${v}`);
}

// ---------------------------------------------------------------------------------------------
// Dependency translation: the one place the RPM format turns Requires-Dist into RPM
// requirements. It is src/deps/ (issue 6): markers evaluated for the target's Python,
// python3dist()/python3.Xdist() names, versions and rich dependencies as Fedora's generator
// writes them, extras as Suggests, the user's overrides.

export interface RpmDependencies {
  /** dependencies for Requires: */
  requires: string[];
  /** dependencies for Suggests: (extras) */
  suggests: string[];
  /** what could not be expressed, for %changelog */
  warnings: string[];
}

export type RpmDependencyTranslator = (meta: PythonMetadata, target: TargetProfile, deps?: DependencyOptions) => RpmDependencies;

/** The translator the RPM format uses. */
export const rpmDependencies: RpmDependencyTranslator = (meta, target, deps = NO_DEPENDENCY_OPTIONS) => rpmRequires(meta, target, deps);

// ---------------------------------------------------------------------------------------------
// License

/**
 * The License: tag, SPDX (src/license/spdx.ts): License-Expression, else the License field
 * or the license classifiers mapped to SPDX (generic BSD refined by the license file), else
 * what the license files are, else `LicenseRef-Unknown` (rpm needs a value).
 */
export function rpmLicense(meta: PythonMetadata, texts: readonly LicenseText[] = []): string {
  return projectLicense(meta, texts);
}

// ---------------------------------------------------------------------------------------------
// File list

export interface StagedEntry {
  /** absolute path in the package */
  path: string;
  type: 'file' | 'dir';
}

/** /usr/share/<x> trees that other packages own too: never claimed as the package's own. */
const SHARED_SHARE_DIRS = new Set([
  'doc',
  'licenses',
  'man',
  'info',
  'locale',
  'icons',
  'pixmaps',
  'applications',
  'metainfo',
  'appdata',
  'mime',
  'bash-completion',
  'zsh',
  'fish',
  'dbus-1',
  'polkit-1',
  'systemd',
  'glib-2.0',
  'fonts',
  'sounds',
  'themes',
  'help',
]);

const LICENSE_FILE = /^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([._-][A-Za-z0-9._-]*)?$/i;

const under = (path: string, dir: string) => path.startsWith(`${dir}/`);

/** Directories the package owns: below the site dir, its doc and license dirs, its own /usr/share trees. */
export function ownsDirectory(path: string, target: TargetProfile, pkg: string): boolean {
  if (under(path, target.siteDir)) return true;
  for (const d of [`/usr/share/doc/${pkg}`, `/usr/share/licenses/${pkg}`]) if (path === d || under(path, d)) return true;
  const share = /^\/usr\/share\/([^/]+)/.exec(path);
  return share !== null && !SHARED_SHARE_DIRS.has(share[1] as string);
}

/** A license file the wheel put in its .dist-info (`licenses/…`, or LICENSE/COPYING/… at its top). */
export function isDistInfoLicense(path: string, distInfoDir: string | undefined): boolean {
  if (!distInfoDir || !under(path, distInfoDir)) return false;
  const rel = path.slice(distInfoDir.length + 1);
  return rel.startsWith('licenses/') || LICENSE_FILE.test(rel);
}

function directiveFor(entry: StagedEntry, target: TargetProfile, pkg: string, distInfoDir: string | undefined): string {
  if (entry.type === 'dir') return '%dir';
  if (under(entry.path, `/usr/share/doc/${pkg}`)) return '%doc';
  if (under(entry.path, `/usr/share/licenses/${pkg}`)) return '%license';
  if (isDistInfoLicense(entry.path, distInfoDir)) return '%license';
  if (under(entry.path, target.scriptsDir)) return '%attr(0755,root,root)';
  return '';
}

/**
 * The %files list from the staged tree, in path order:
 *  - every file, with %doc / %license / %attr(0755) where it belongs; every directory the
 *    package owns as %dir (not /usr, the site dir or /usr/bin, which the system owns);
 *  - the bytecode the target's Python writes on first import (`__pycache__/*.cpython-XY.pyc`
 *    and `.opt-1.pyc`) as %ghost, so rpm -e removes it although the package ships none
 *    (py2pkg cannot compile for the target's Python);
 *  - a name rpm cannot list literally (see isSpecSafePath) is covered by listing its nearest
 *    owned directory whole; when there is none, RPM_FILE_NAME.
 */
export function planFiles(staged: readonly StagedEntry[], target: TargetProfile, pkg: string, distInfoDir: string | undefined): SpecFileEntry[] {
  // directories listed whole because something below them has an unlistable name
  const whole = new Set<string>();
  for (const e of staged) {
    if (isSpecSafePath(e.path)) continue;
    let dir = e.path.slice(0, e.path.lastIndexOf('/'));
    while (dir && !(ownsDirectory(dir, target, pkg) && isSpecSafePath(dir))) dir = dir.slice(0, dir.lastIndexOf('/'));
    if (!dir)
      throw new Py2pkgError('RPM_FILE_NAME', `the package would install ${singleLine(JSON.stringify(e.path), 160)}, a name an RPM file list cannot hold`);
    whole.add(dir);
  }
  const covered = (p: string) => [...whole].some((d) => under(p, d));
  const wholeDirs = [...whole].filter((d) => !covered(d));

  const tag = target.pythonVersion.replace('.', '');
  const entries: Array<{ directive: string; path: string }> = [];
  const ghostDirs = new Set<string>();
  const stagedPaths = new Set(staged.map((e) => e.path));
  for (const e of staged) {
    if (covered(e.path)) continue;
    if (wholeDirs.includes(e.path)) {
      entries.push({ directive: '', path: e.path });
      continue;
    }
    if (e.type === 'dir' && !ownsDirectory(e.path, target, pkg)) continue;
    entries.push({ directive: directiveFor(e, target, pkg, distInfoDir), path: e.path });
    if (e.type === 'file' && under(e.path, target.siteDir) && e.path.endsWith('.py')) {
      const slash = e.path.lastIndexOf('/');
      const cache = `${e.path.slice(0, slash)}/__pycache__`;
      const stem = e.path.slice(slash + 1, -'.py'.length);
      if (!stagedPaths.has(cache)) ghostDirs.add(cache);
      for (const suffix of ['', '.opt-1']) entries.push({ directive: '%ghost', path: `${cache}/${stem}.cpython-${tag}${suffix}.pyc` });
    }
  }
  for (const d of ghostDirs) entries.push({ directive: '%ghost %dir', path: d });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return entries.map((e) => ({ directive: e.directive, path: untrusted(e.path) }));
}

// ---------------------------------------------------------------------------------------------
// The spec

export interface SpecData {
  [key: string]: unknown;
  name: string;
  epoch: string;
  version: string;
  release: string;
  evr: string;
  summary: Untrusted;
  summaryFallback: Untrusted;
  license: Untrusted;
  url: Untrusted;
  packager: Untrusted;
  provides: string[];
  requires: string[];
  suggests: string[];
  description: Untrusted;
  descriptionFallback: Untrusted;
  files: SpecFileEntry[];
  timestamp: number;
  changelog: Untrusted[];
}

export interface SpecInput {
  meta: PythonMetadata;
  target: TargetProfile;
  provenance: Provenance;
  maintainer: string;
  sourceDateEpoch: number;
  toolVersion: string;
  staged: readonly StagedEntry[];
  distInfoDir: string | undefined;
  /** --with-extras and the config's dependency overrides */
  dependencies?: DependencyOptions;
  /** the long description as plain text (src/description/); the fallback line when empty */
  description: string;
  /** the sdist's license files: they refine the License: tag (src/license/spdx.ts) */
  licenseTexts?: readonly LicenseText[];
}

export function specData(input: SpecInput): SpecData {
  const { meta, target } = input;
  const name = rpmPackageName(meta, target);
  const evr = rpmEVR(meta, target);
  const deps = rpmDependencies(meta, target, input.dependencies);
  const hasScripts = input.staged.some((e) => e.type === 'file' && under(e.path, target.scriptsDir));
  // a valid PEP 508 name or specifier set may still be longer than a spec line takes: the
  // metadata's fault, refused as such (not a template bug)
  const tooLong = [...deps.requires, ...deps.suggests].find((d) => d.length > MAX_RPM_DEPENDENCY);
  if (tooLong !== undefined)
    throw new Py2pkgError('METADATA_INVALID', `a requirement gives an RPM dependency longer than ${MAX_RPM_DEPENDENCY} characters: ${singleLine(tooLong, 80)}`);
  return {
    name,
    epoch: evr.epoch !== undefined ? String(evr.epoch) : '',
    version: evr.version,
    release: evr.release,
    evr: rpmFullVersion(evr),
    summary: untrusted(meta.summary),
    summaryFallback: untrusted(`Python 3 distribution ${meta.name}`),
    license: untrusted(rpmLicense(meta, input.licenseTexts)),
    url: untrusted(homepageOf(meta)),
    packager: untrusted(input.maintainer),
    provides: rpmProvides(meta, target),
    // python(abi) ties the package to the site directory's Python, as Fedora's generator does
    requires: [`python(abi) = ${target.pythonVersion}`, ...(hasScripts ? ['/usr/bin/python3'] : []), ...deps.requires],
    suggests: deps.suggests,
    description: untrusted(input.description),
    descriptionFallback: untrusted(fallbackLine(meta)),
    files: planFiles(input.staged, target, name, input.distInfoDir),
    timestamp: input.sourceDateEpoch,
    changelog: [
      `Converted from the Python sdist ${input.provenance.sdist.filename} by py2pkg ${input.toolVersion} for ${target.id}.`,
      `sdist sha256: ${input.provenance.sdist.sha256}`,
      ...trustLines(input.provenance),
      ...deps.warnings.map((w) => `Dependencies: ${w}`),
    ].map(untrusted),
  };
}
