/** PEP 517/518 build-system detection and the Debian packages that provide the backends. */
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { METADATA_LIMITS, readBounded } from '../sdist/read-limits.js';

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

/** Build requirement dist name (PEP 503 normalized) -> Debian 12 package, where not python3-<name>. */
const REQUIREMENT_PACKAGES: Readonly<Record<string, string>> = {
  'flit-core': 'flit',
  'poetry-core': 'python3-poetry-core',
  'setuptools-scm': 'python3-setuptools-scm',
  'hatch-vcs': 'python3-hatch-vcs',
  'hatch-fancy-pypi-readme': 'python3-hatch-fancy-pypi-readme',
  editables: 'python3-editables',
};

export function backendPackage(backend: string): string | undefined {
  return BACKEND_PACKAGES[backend] ?? BACKEND_PACKAGES[backend.split(':')[0] ?? ''];
}

export function debianPackageForBuildRequirement(name: string): string {
  const norm = name.toLowerCase().replace(/[-_.]+/g, '-');
  return REQUIREMENT_PACKAGES[norm] ?? `python3-${norm}`;
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
