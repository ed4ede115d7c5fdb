/**
 * Which Requires-Dist lines apply on the TARGET, and how: markers are evaluated in the target
 * profile's environment (its Python version, Linux, CPython), not the machine running py2pkg.
 *   - true without any extra            -> a hard dependency;
 *   - true only for some extras         -> a suggestion, or a hard dependency when one of
 *                                          those extras was asked for with --with-extras;
 *   - false for every extra             -> left out (e.g. `python_version < "3.8"` on 3.11).
 * Pure functions.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { canonicalizeName, evaluateMarker, markerExtras, parseRequirement, type MarkerEnvironment, type Requirement } from '../python/pep508.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import type { DependencyOptions } from './options.js';

export interface SelectedRequirement {
  /** the Requires-Dist line as written */
  line: string;
  req: Requirement;
  kind: 'depends' | 'suggests';
  /** the extras that bring it in (empty for an unconditional requirement) */
  extras: string[];
}

export interface Selection {
  selected: SelectedRequirement[];
  /** lines dropped by drop-depends (PEP 503 names) */
  dropped: string[];
  /** extras the project declares or names in markers (PEP 685 normalized) */
  knownExtras: string[];
}

/** The marker environment of a target profile (not of this machine). */
export function targetEnvironment(profile: TargetProfile): MarkerEnvironment {
  return profile.markerEnvironment;
}

function evaluate(req: Requirement, env: MarkerEnvironment, extra: string, line: string): boolean {
  if (!req.marker) return true;
  try {
    return evaluateMarker(req.marker, { ...env, extra });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Py2pkgError('METADATA_INVALID', `cannot evaluate the marker of Requires-Dist ${singleLine(JSON.stringify(line), 120)}: ${singleLine(why, 160)}`, {
      hint: `report it upstream; drop-depends = ["${req.normalizedName}"] in the config leaves the requirement out`,
    });
  }
}

export function selectRequirements(meta: PythonMetadata, profile: TargetProfile, opts: DependencyOptions): Selection {
  const env = targetEnvironment(profile);
  const self = canonicalizeName(meta.name);
  const parsed = meta.requiresDist.map((line) => ({ line, req: parseRequirement(line) }));
  const known = new Set(meta.providesExtra.map(canonicalizeName));
  for (const { req } of parsed) if (req.marker) for (const x of markerExtras(req.marker)) known.add(x);
  const knownExtras = [...known].sort();
  for (const x of opts.withExtras) {
    if (!known.has(x)) {
      throw new Py2pkgError(
        'USAGE',
        `--with-extras ${singleLine(x, 40)}: ${singleLine(meta.name, 60)} has no such extra (it has: ${knownExtras.join(', ') || 'none'})`,
      );
    }
  }
  const drop = new Set(opts.dropDepends);
  const selected: SelectedRequirement[] = [];
  const dropped: string[] = [];
  for (const { line, req } of parsed) {
    if (drop.has(req.normalizedName)) {
      dropped.push(line);
      continue;
    }
    if (req.normalizedName === self) continue; // `name[extra]` inside its own metadata: the extras are listed anyway
    if (evaluate(req, env, '', line)) {
      selected.push({ line, req, kind: 'depends', extras: [] });
      continue;
    }
    const extras = knownExtras.filter((x) => evaluate(req, env, x, line));
    if (extras.length === 0) continue;
    const kind = extras.some((x) => opts.withExtras.includes(x)) ? 'depends' : 'suggests';
    selected.push({ line, req, kind, extras });
  }
  return { selected, dropped, knownExtras };
}
