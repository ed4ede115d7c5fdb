/**
 * Dependencies that a distro resolver gets right: the entry points the formats and the
 * pipeline call. See README.md "Dependencies" for the rules.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { debDependencies, profileArchive, type DependencyProblem } from './debian.js';
import { debianNameFor } from './names.js';
import { NO_DEPENDENCY_OPTIONS, type DependencyOptions } from './options.js';
import { rpmRequires } from './rpm.js';
import { debBuildRequirements } from './build-requires.js';
import type { BuildSystem } from '../python/backends.js';

export { debDependencies, debPythonRelations, profileArchive, type DebDependencies, type DependencyProblem } from './debian.js';
export { dependencyOptions, NO_DEPENDENCY_OPTIONS, type DependencyOptions } from './options.js';
export { rpmRequires, type RpmDependencies } from './rpm.js';

function overrideHint(problems: DependencyProblem[], format: 'deb' | 'rpm'): string {
  const p = problems[0] as DependencyProblem;
  const pkg = p.relations[0]?.split(' ', 1)[0] ?? '';
  const example = format === 'deb' ? `"${pkg}"` : `"python3dist(${p.name})"`;
  return `if the archive's version works, override per requirement in the config file: [depends-map] ${p.name} = ${example} (written as given), or drop-depends = ["${p.name}"]`;
}

/**
 * Compute the dependencies once before packaging: refuses (DEPENDS_UNSATISFIABLE) when the
 * target archive has a hard dependency only at versions the relations exclude, and returns the
 * warnings to show and record (clauses left out, packages the archive lacks).
 */
export function checkDependencies(
  meta: PythonMetadata,
  profile: TargetProfile,
  format: 'deb' | 'rpm',
  opts: DependencyOptions = NO_DEPENDENCY_OPTIONS,
): string[] {
  if (format === 'rpm') return rpmRequires(meta, profile, opts).warnings;
  const d = debDependencies(meta, profile, opts);
  if (d.unsatisfiable.length > 0) {
    const list = d.unsatisfiable.map((p) => `${p.requirement} -> ${p.relations.join(', ')}, but ${p.reason}`).join('; ');
    throw new Py2pkgError(
      'DEPENDS_UNSATISFIABLE',
      `${singleLine(meta.name, 60)} ${singleLine(meta.version, 30)}: ${profile.id} cannot satisfy ${d.unsatisfiable.length === 1 ? 'a requirement' : `${d.unsatisfiable.length} requirements`}: ${singleLine(list, 600)}`,
      { hint: overrideHint(d.unsatisfiable, format) },
    );
  }
  return d.warnings;
}

/**
 * A Debian source package's Build-Depends from the sdist's [build-system] requires, checked
 * before the build: refuses (DEPENDS_UNSATISFIABLE) when the target archive has a build
 * requirement only at versions its bounds exclude, as checkDependencies does for Depends.
 */
export function checkBuildRequirements(
  project: { name: string; version: string },
  bs: BuildSystem,
  profile: TargetProfile,
  opts: DependencyOptions = NO_DEPENDENCY_OPTIONS,
): { relations: string[]; warnings: string[] } {
  const b = debBuildRequirements(bs, profile, opts);
  if (b.unsatisfiable.length > 0) {
    const list = b.unsatisfiable.map((p) => `${p.requirement} -> ${p.relations.join(', ')}, but ${p.reason}`).join('; ');
    throw new Py2pkgError(
      'DEPENDS_UNSATISFIABLE',
      `${singleLine(project.name, 60)} ${singleLine(project.version, 30)}: ${profile.id} cannot satisfy ${b.unsatisfiable.length === 1 ? 'a build requirement' : `${b.unsatisfiable.length} build requirements`} ([build-system] requires): ${singleLine(list, 600)}`,
      { hint: overrideHint(b.unsatisfiable, 'deb') },
    );
  }
  return { relations: b.relations, warnings: b.warnings };
}

/**
 * Parse the name map and the target archive's data ahead of time (the pipeline calls this
 * while the sandboxed build runs and node is idle): ~20 ms it would otherwise add after.
 */
export function warmDependencyData(profile: TargetProfile, format: 'deb' | 'rpm'): void {
  if (format !== 'deb') return;
  profileArchive(profile);
  debianNameFor('py2pkg-warm-up');
}
