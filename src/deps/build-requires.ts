/**
 * The sdist's `[build-system] requires` -> the Debian source package's Build-Depends, with the
 * bounds upstream wrote, translated exactly as the binary packages' Depends are
 * (translateRequirement in debian.ts: deb-relations.ts for the bounds, the archive's epoch and
 * verdict, the user's depends-map / drop-depends). Markers are evaluated in the target's
 * environment (its Python), names come from BUILD_REQUIREMENT_PACKAGES and then dh-python's map.
 * What the target archive cannot satisfy:
 *   - a package it has only at excluded versions (`setuptools>=99` on Debian 12): unsatisfiable,
 *     the caller refuses with DEPENDS_UNSATISFIABLE before the build, as the binary path does;
 *   - a package it does not have (a PyPI-only build helper): left out, with a warning that names
 *     it and how to keep it (depends-map);
 * The backend's own package is always kept: without it nothing builds. `name[extra]` of a tool
 * whose extras the table knows (setuptools_scm[toml]) adds what the extra requires.
 * Pure apart from reading the shipped data files once.
 */
import { singleLine } from '../errors.js';
import { backendPackage, BUILD_REQUIREMENT_PACKAGES, type BuildSystem } from '../python/backends.js';
import { canonicalizeName, evaluateMarker, parseRequirement, type Requirement } from '../python/pep508.js';
import type { TargetProfile } from '../targets/profiles.js';
import { profileArchive, translateRequirement, type DependencyProblem } from './debian.js';
import { compareDebianVersions } from './debversion.js';
import { debianNameFor, type DebianName } from './names.js';
import type { DependencyOptions } from './options.js';

export interface DebBuildRequirements {
  /** Debian relations: the backend's package and each requirement's, bounds included, in order */
  relations: string[];
  /** requirements left out or changed: one line each, for the user */
  warnings: string[];
  /** requirements the archive has only at versions the relations exclude */
  unsatisfiable: DependencyProblem[];
}

/** The build table first (setuptools -> python3-setuptools), then dh-python's map. */
function buildNameOf(distName: string): DebianName {
  const fixed = BUILD_REQUIREMENT_PACKAGES[canonicalizeName(distName)];
  return fixed ? { package: fixed.package, source: 'guess' } : debianNameFor(distName);
}

const packageOf = (relation: string): string => relation.split(' ', 1)[0] as string;

const LOWER = /^(\S+) \(>= ([^)\s]+)\)$/;

/** A `pkg (>= v)` that another `pkg (>= w)`, w ≥ v, makes redundant (an extra's setuptools>=42 beside setuptools>=64). */
function weakerLowerBound(r: string, relations: readonly string[]): boolean {
  const m = LOWER.exec(r);
  if (!m) return false;
  return relations.some((o) => {
    const n = LOWER.exec(o);
    return o !== r && n !== null && n[1] === m[1] && compareDebianVersions(n[2]!, m[2]!) > 0;
  });
}

/**
 * Keep first-seen order by package; a bare name gives way to the same package with bounds, and
 * a lower bound to a higher one on the same package.
 */
function merge(relations: string[]): string[] {
  const versioned = new Set(relations.filter((r) => r.includes(' (')).map(packageOf));
  const out: string[] = [];
  for (const r of relations) {
    if (out.includes(r) || weakerLowerBound(r, relations)) continue;
    if (!r.includes(' (') && !r.includes(' | ') && versioned.has(packageOf(r))) {
      // the bounded relations of this package take the bare name's place
      for (const v of relations) if (packageOf(v) === packageOf(r) && v.includes(' (') && !out.includes(v) && !weakerLowerBound(v, relations)) out.push(v);
      continue;
    }
    out.push(r);
  }
  return out;
}

export function debBuildRequirements(bs: BuildSystem, profile: TargetProfile, opts: DependencyOptions): DebBuildRequirements {
  const archive = profileArchive(profile);
  const drop = new Set(opts.dropDepends);
  const warnings: string[] = [];
  const unsatisfiable: DependencyProblem[] = [];
  const backend = backendPackage(bs.backend);
  const relations: string[] = backend ? [backend] : [];
  if (backend && archive && !archive.packages.has(backend) && opts.provided?.[backend] === undefined) {
    warnings.push(`${backend} (the build backend ${bs.backend}): ${archive.id} has no such package; the build farm needs it from another repository`);
  }
  // a known extra's requirements (BUILD_REQUIREMENT_PACKAGES) are taken up right after their requirement
  const queue = [...bs.requires];
  for (let i = 0; i < queue.length; i++) {
    const line = queue[i]!;
    let req: Requirement;
    try {
      req = parseRequirement(line);
    } catch {
      warnings.push(`${JSON.stringify(line)} left out: not a PEP 508 requirement`);
      continue;
    }
    if (drop.has(req.normalizedName)) continue;
    try {
      if (req.marker !== undefined && !evaluateMarker(req.marker, { ...profile.markerEnvironment, extra: '' })) continue;
    } catch {
      warnings.push(`${JSON.stringify(line)} left out: its marker cannot be evaluated`);
      continue;
    }
    const table = BUILD_REQUIREMENT_PACKAGES[req.normalizedName];
    const adds = req.extras.map((x) => table?.extras?.[canonicalizeName(x)]);
    if (adds.some((a) => a !== undefined)) {
      queue.splice(i + 1, 0, ...adds.flatMap((a) => a ?? []));
      req = { ...req, extras: req.extras.filter((_, k) => adds[k] === undefined) };
    }
    const unversioned = table?.unversioned === true;
    const t = translateRequirement(unversioned ? { ...req, specifier: '' } : req, profile, table?.tool ? undefined : archive, opts, { nameOf: buildNameOf });
    warnings.push(...t.warnings);
    if (unversioned && req.specifier)
      warnings.push(`${req.name}${req.specifier}: its versions are not ${table.package}'s; Build-Depends on ${table.package} without bounds`);
    if (t.unmet?.missing && !(backend !== undefined && t.relations.every((r) => packageOf(r) === backend))) {
      warnings.push(
        `${line} left out of Build-Depends: ${t.unmet.reason}; if the build farm has it, keep it with [depends-map] ${req.normalizedName} = "${t.relations.join(', ')}"`,
      );
      continue;
    }
    if (t.unmet && !t.unmet.missing) unsatisfiable.push({ requirement: line, relations: t.relations, reason: t.unmet.reason, name: req.normalizedName });
    relations.push(...t.relations);
  }
  return { relations: merge(relations), warnings: warnings.map((w) => singleLine(w, 400)), unsatisfiable };
}
