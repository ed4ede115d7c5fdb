/** The inspect stage: an unpacked source tree -> validated PythonMetadata and license texts. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import type { LicenseText } from '../formats/packager.js';
import { normalizeVersion, parseSpecifierSet, specifierContains } from '../python/pep440.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { sourceHeaderNotices } from './notices.js';
import { normalizeName, parseCoreMetadata } from './pkginfo.js';
import { METADATA_LIMITS, readBounded, readBoundedText } from './read-limits.js';

export interface SourceInfo {
  metadata: PythonMetadata;
  licenseTexts: LicenseText[];
  /** copyright notices of the source files' headers (src/sdist/notices.ts) */
  sourceNotices: string[];
  /** newest mtime in the unpacked tree (seconds): when the sdist was made */
  newestMtime: number;
}

const LICENSE_NAME = /^(LICEN[CS]E|COPYING|NOTICE|AUTHORS)([._-][A-Za-z0-9._-]*)?$/i;

/** Split an sdist file name into its name and version parts (the last '-' separates them). */
export function splitSdistFilename(filename: string): { name: string; version: string } | undefined {
  const stem = filename.replace(/\.(tar\.gz|tgz|tar\.bz2|tar|zip)$/i, '');
  const i = stem.lastIndexOf('-');
  if (i <= 0) return undefined;
  return { name: stem.slice(0, i), version: stem.slice(i + 1) };
}

export async function inspectSource(root: string, sdistFilename: string): Promise<SourceInfo> {
  // the size is checked before a byte is parsed (METADATA_TOO_LARGE)
  const text = await readBoundedText(join(root, 'PKG-INFO'), METADATA_LIMITS.coreMetadata, 'PKG-INFO');
  if (text === undefined) throw new Py2pkgError('ARCHIVE_LAYOUT', 'the sdist has no PKG-INFO in its top-level directory');
  const metadata = parseCoreMetadata(text);

  // the signature covers the bytes, not the file name: the name must agree with the contents
  const parts = splitSdistFilename(sdistFilename);
  if (!parts) throw new Py2pkgError('METADATA_MISMATCH', `the file name ${singleLine(sdistFilename, 80)} is not <name>-<version>.tar.gz`);
  let fileVersion: string;
  try {
    fileVersion = normalizeVersion(parts.version);
  } catch {
    throw new Py2pkgError('METADATA_MISMATCH', `the file name ${singleLine(sdistFilename, 80)} carries no valid version`);
  }
  if (normalizeName(parts.name) !== normalizeName(metadata.name) || fileVersion !== metadata.version) {
    throw new Py2pkgError(
      'METADATA_MISMATCH',
      `${singleLine(sdistFilename, 80)} contains ${singleLine(metadata.name, 60)} ${singleLine(metadata.version, 30)}, not what its file name says`,
    );
  }

  return {
    metadata,
    licenseTexts: await readLicenseTexts(root, metadata),
    sourceNotices: await sourceHeaderNotices(root),
    newestMtime: await newestMtime(root),
  };
}

async function newestMtime(root: string): Promise<number> {
  let newest = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      // files only: the unpack stage does not keep directory dates (they are "now")
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) newest = Math.max(newest, Math.floor((await stat(full)).mtimeMs / 1000));
    }
  };
  await walk(root);
  return newest;
}

async function readLicenseTexts(root: string, meta: PythonMetadata): Promise<LicenseText[]> {
  const names = new Set<string>();
  for (const f of meta.licenseFiles) if (!f.includes('..') && !f.startsWith('/')) names.add(f);
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isFile() && LICENSE_NAME.test(entry.name) && !/^AUTHORS/i.test(entry.name) && !/^NOTICE/i.test(entry.name)) names.add(entry.name);
  }
  const out: LicenseText[] = [];
  let total = 0;
  // bounded in number, each and together: License-File may name thousands of files
  for (const name of [...names].sort().slice(0, METADATA_LIMITS.licenseCount)) {
    try {
      const bytes = await readBounded(join(root, name), METADATA_LIMITS.licenseFile, name);
      if (bytes === undefined || total + bytes.length > METADATA_LIMITS.licenseTotal) continue;
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      if (text.trim()) {
        out.push({ name, text });
        total += bytes.length;
      }
    } catch {
      // missing, too large, not a file or not UTF-8: leave it out, the copyright file says so
    }
  }
  return out;
}

/**
 * The wheel's METADATA is what gets installed; PKG-INFO is what was signed. They must name
 * the same project and version. Requires-Dist comes from the wheel: setuptools writes
 * PKG-INFO without it (see shared/REAL-WORLD.md).
 */
export function mergeWheelMetadata(sdist: PythonMetadata, wheelText: string): PythonMetadata {
  const wheel = parseCoreMetadata(wheelText);
  if (normalizeName(wheel.name) !== normalizeName(sdist.name) || wheel.version !== sdist.version) {
    throw new Py2pkgError(
      'METADATA_MISMATCH',
      `the built wheel is ${singleLine(wheel.name, 60)} ${singleLine(wheel.version, 30)} but the sdist is ${singleLine(sdist.name, 60)} ${singleLine(sdist.version, 30)}`,
    );
  }
  return {
    ...sdist,
    requiresDist: wheel.requiresDist,
    providesExtra: wheel.providesExtra.length > 0 ? wheel.providesExtra : sdist.providesExtra,
    requiresPython: sdist.requiresPython ?? wheel.requiresPython,
  };
}

const EXTENSION_MARKERS = /\bext_modules\b|\bExtension\s*\(|\bext-modules\b|\bcythonize\s*\(/;
const COMPILED_BACKENDS = /build-backend\s*=\s*["'](maturin|mesonpy|scikit_build_core\.build|setuptools_rust)/;

/**
 * An early hint only: whether the build files mention compiled extensions. The decision is
 * the build's (src/python/build.ts: the wheel's tag, Root-Is-Purelib and its .so files) —
 * many projects declare an extension that is built only on request (optional C or mypyc
 * speed-ups with a pure fallback) and yield a pure wheel.
 */
export async function declaredCompiledExtensions(root: string): Promise<string | undefined> {
  for (const name of ['setup.py', 'setup.cfg', 'pyproject.toml']) {
    const limit = name === 'setup.py' ? METADATA_LIMITS.setupPy : name === 'setup.cfg' ? METADATA_LIMITS.setupCfg : METADATA_LIMITS.pyprojectToml;
    const bytes = await readBounded(join(root, name), limit, name);
    if (bytes === undefined) continue;
    const text = bytes.toString('utf8');
    const hit =
      (name === 'pyproject.toml' ? COMPILED_BACKENDS : EXTENSION_MARKERS).exec(text) ?? (name === 'pyproject.toml' ? EXTENSION_MARKERS.exec(text) : null);
    if (hit) return `${name} mentions compiled extensions (${singleLine(hit[0], 40)}); the build decides whether the package is pure Python`;
  }
  return undefined;
}

/** Refuse a project whose Requires-Python the target's Python does not satisfy. */
export function checkRequiresPython(meta: PythonMetadata, target: TargetProfile): void {
  if (!meta.requiresPython) return;
  let ok: boolean;
  try {
    ok = specifierContains(parseSpecifierSet(meta.requiresPython), target.pythonFullVersion, { prereleases: true });
  } catch {
    throw new Py2pkgError('METADATA_INVALID', `Requires-Python is not a valid specifier: ${singleLine(meta.requiresPython, 80)}`);
  }
  if (!ok) {
    throw new Py2pkgError(
      'REQUIRES_PYTHON',
      `${singleLine(meta.name, 60)} requires Python ${singleLine(meta.requiresPython, 60)}, but ${target.id} has Python ${target.pythonFullVersion}`,
    );
  }
}
