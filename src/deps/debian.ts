/**
 * Metadata -> Depends / Suggests for a Debian target, checked against the target archive.
 * Pure apart from reading the shipped data files (name map, archive versions) once.
 */
import { singleLine } from '../errors.js';
import { parseSpecifierSet, parseVersion, specifierContains } from '../python/pep440.js';
import type { Requirement } from '../python/pep508.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { archiveEpoch, loadArchive, type Archive } from './archive.js';
import { relationStrings, translateSpecifier, translateSpecifierSet, type DebBound } from './deb-relations.js';
import { satisfiesRelation } from './debversion.js';
import { debianNameFor, STDLIB_BACKPORTS, type DebianName } from './names.js';
import type { DependencyOptions } from './options.js';
import { selectRequirements, type SelectedRequirement } from './select.js';

export interface DependencyProblem {
  /** the Requires-Dist line */
  requirement: string;
  /** the relations py2pkg would write */
  relations: string[];
  /** why the target archive cannot satisfy them */
  reason: string;
  /** the PEP 503 name, for the override hint */
  name: string;
}

export interface DebDependencies {
  depends: string[];
  suggests: string[];
  /** clauses left out, names not in the archive, extras and URLs not expressed: one line each */
  warnings: string[];
  /** hard dependencies the archive has but at versions the relations exclude */
  unsatisfiable: DependencyProblem[];
  /** hard dependencies on packages the archive does not have */
  missing: DependencyProblem[];
}

/** The archive data a profile points at, if any (`archive` field of the profile). */
export function profileArchive(profile: TargetProfile): Archive | undefined {
  return profile.archive ? loadArchive(profile.archive) : undefined;
}

function pythonAtLeast(profile: TargetProfile, since: string): boolean {
  const have = parseVersion(profile.pythonVersion).release;
  const want = parseVersion(since).release;
  for (let i = 0; i < Math.max(have.length, want.length); i++) {
    const a = have[i] ?? 0n;
    const b = want[i] ?? 0n;
    if (a !== b) return a > b;
  }
  return true;
}

/**
 * Requires-Python as relations on python3:any, as dh_python3 writes X-Python3-Version
 * (`>=3.8` -> `python3:any (>= 3.8)`). A lower bound every Python 3 meets (`>=2.7`, `>=3`) and
 * `!=` clauses say nothing here and are left out; upper bounds stay (`<4` -> `(<< 4~)`).
 */
export function debPythonRelations(meta: PythonMetadata): string[] {
  if (!meta.requiresPython) return ['python3:any'];
  const out: string[] = [];
  for (const s of parseSpecifierSet(meta.requiresPython).specifiers) {
    if (s.operator === '!=' || !s.parsed) continue;
    const everyPython3 = specifierContains(s, '3.0', { prereleases: true });
    const bounds = translateSpecifier(s, 0n).bounds.filter((b) => !(everyPython3 && (b.op === '>=' || b.op === '>>')));
    out.push(...relationStrings('python3:any', bounds).filter((r) => r !== 'python3:any'));
  }
  return out.length > 0 ? [...new Set(out)] : ['python3:any'];
}

function unsatisfiedReason(archive: Archive, pkg: string, bounds: DebBound[]): { missing: boolean; reason: string } | undefined {
  const entry = archive.packages.get(pkg);
  if (!entry) return { missing: true, reason: `${archive.id} has no package ${pkg}` };
  if (bounds.length === 0) return undefined;
  if (entry.provider !== undefined && entry.version === '') {
    return { missing: false, reason: `${archive.id} has ${pkg} only as an unversioned Provides of ${entry.provider}` };
  }
  const failed = bounds.filter((b) => !satisfiesRelation(entry.version, b.op, b.version));
  if (failed.length === 0) return undefined;
  const what = entry.provider !== undefined ? `${pkg} ${entry.version} (provided by ${entry.provider})` : `${pkg} ${entry.version}`;
  return { missing: false, reason: `${archive.id} has ${what}` };
}

function describe(req: Requirement): string {
  return `${req.name}${req.specifier}`;
}

/** One requirement as Debian relations, and what the target archive says of them. */
export interface TranslatedRequirement {
  relations: string[];
  /** clauses left out or changed, extras and URLs not expressed: one line each */
  warnings: string[];
  /** set when the archive data cannot satisfy the relations: no such package, or no allowed version */
  unmet?: { missing: boolean; reason: string };
}

/** How a requirement's distribution name becomes a Debian package (runtime: dh-python's map). */
export type DebianNameOf = (distName: string) => DebianName;

/**
 * One PEP 508 requirement -> Debian relations on `profile`: the user's depends-map first, then
 * standard-library backports, the package name (`nameOf`), the specifier's bounds
 * (deb-relations.ts, with the archive's epoch) and the archive's verdict. Binary Depends and
 * the source package's Build-Depends (build-requires.ts) both translate requirements with it.
 * `hard`: a backport left out is worth a warning. `archive` undefined: no epoch, no verdict.
 */
export function translateRequirement(
  req: Requirement,
  profile: TargetProfile,
  archive: Archive | undefined,
  opts: DependencyOptions,
  { hard = true, nameOf = debianNameFor }: { hard?: boolean; nameOf?: DebianNameOf } = {},
): TranslatedRequirement {
  const warnings: string[] = [];
  const override = opts.dependsMap[req.normalizedName];
  if (override !== undefined) return { relations: override === '' ? [] : override.split(/,\s*/), warnings };
  const since = STDLIB_BACKPORTS[req.normalizedName];
  if (since !== undefined && pythonAtLeast(profile, since)) {
    if (hard) warnings.push(`${describe(req)} left out: the standard library of Python ${profile.pythonVersion} provides it`);
    return { relations: [], warnings };
  }
  const name = nameOf(req.name);
  if (name.fixedRelation !== undefined) return { relations: [name.fixedRelation], warnings };
  const epoch = archiveEpoch(archive, name.package);
  const t = req.specifier ? translateSpecifierSet(parseSpecifierSet(req.specifier), epoch) : { bounds: [], notes: [] };
  for (const n of t.notes) warnings.push(`${req.name}: ${n}`);
  if (req.url !== undefined) warnings.push(`${req.name} @ URL: the URL is not expressed; depends on ${name.package} from the archive`);
  if (req.extras.length > 0) warnings.push(`${req.name}[${req.extras.join(',')}]: the extras' own requirements are not expressed, only ${name.package}`);
  const relations = relationStrings(name.package, t.bounds);
  // a package a --recursive plan converts alongside is not judged by the archive data
  const unmet = archive && opts.provided?.[name.package] === undefined ? unsatisfiedReason(archive, name.package, t.bounds) : undefined;
  return { relations, warnings, ...(unmet ? { unmet } : {}) };
}

/** Depends and Suggests of the .deb for this metadata on this target. */
export function debDependencies(meta: PythonMetadata, profile: TargetProfile, opts: DependencyOptions): DebDependencies {
  const archive = profileArchive(profile);
  const { selected } = selectRequirements(meta, profile, opts);
  const warnings: string[] = [];
  const unsatisfiable: DependencyProblem[] = [];
  const missing: DependencyProblem[] = [];
  const depends: string[] = [];
  const suggests: string[] = [];

  const translate = (sel: SelectedRequirement): string[] => {
    const { req, line } = sel;
    const hard = sel.kind === 'depends';
    const t = translateRequirement(req, profile, archive, opts, { hard });
    warnings.push(...t.warnings);
    if (t.unmet) {
      const problem: DependencyProblem = { requirement: line, relations: t.relations, reason: t.unmet.reason, name: req.normalizedName };
      if (!hard) warnings.push(`suggested ${t.relations.join(', ')} (${line}): ${t.unmet.reason}`);
      else if (t.unmet.missing) missing.push(problem);
      else unsatisfiable.push(problem);
    }
    return t.relations;
  };

  for (const sel of selected) (sel.kind === 'depends' ? depends : suggests).push(...translate(sel));
  for (const m of missing) {
    warnings.push(`${m.relations.join(', ')} (for ${m.requirement}): ${m.reason}; it must come from another repository (convert it with py2pkg too)`);
  }
  const all = [...debPythonRelations(meta), ...tidy(depends), ...opts.extraDepends];
  const hardPackages = new Set(all.map(packageOf));
  return {
    depends: [...new Set(all)],
    suggests: tidy(suggests).filter((r) => !hardPackages.has(packageOf(r))),
    warnings: warnings.map((w) => singleLine(w, 400)),
    unsatisfiable,
    missing,
  };
}

const packageOf = (relation: string): string => relation.split(' ', 1)[0] as string;

/** Sorted by package (bounds keep their order), duplicates and bare names shadowed by versioned ones removed. */
function tidy(relations: string[]): string[] {
  const unique = [...new Set(relations)];
  const versioned = new Set(unique.filter((r) => r.includes(' (')).map(packageOf));
  const kept = unique.filter((r) => r.includes(' (') || r.includes(' | ') || !versioned.has(packageOf(r)));
  return kept
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (packageOf(a.r) < packageOf(b.r) ? -1 : packageOf(a.r) > packageOf(b.r) ? 1 : a.i - b.i))
    .map((x) => x.r);
}
