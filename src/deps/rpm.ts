/**
 * Metadata -> Requires / Suggests for an RPM target, as Fedora's generator writes them:
 * `python3dist(<PEP 503 name>)` (or
 * `python3.Xdist(...)`, per the profile's dependencyStyle) with the
 * specifier translated (rich dependencies for ranges), extras as Suggests unless promoted with
 * --with-extras. Pure functions.
 */
import { singleLine } from '../errors.js';
import { parseSpecifierSet } from '../python/pep440.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { rpmDistName, STDLIB_BACKPORTS } from './names.js';
import type { DependencyOptions } from './options.js';
import { rpmRequirement } from './rpm-requires.js';
import { selectRequirements, type SelectedRequirement } from './select.js';

export interface RpmDependencies {
  requires: string[];
  suggests: string[];
  warnings: string[];
}

export function rpmRequires(meta: PythonMetadata, profile: TargetProfile, opts: DependencyOptions): RpmDependencies {
  const { selected } = selectRequirements(meta, profile, opts);
  const warnings: string[] = [];
  const distName = (n: string): string => rpmDistName(n, profile.dependencyStyle === 'python3.Xdist' ? { pythonVersion: profile.pythonVersion } : {});
  const translate = (sel: SelectedRequirement): string[] => {
    const { req } = sel;
    const override = opts.dependsMap[req.normalizedName];
    if (override !== undefined) return override === '' ? [] : override.split(/,\s*/);
    if (STDLIB_BACKPORTS[req.normalizedName] !== undefined) {
      if (sel.kind === 'depends') warnings.push(`${req.name}${req.specifier} left out: the standard library of Python ${profile.pythonVersion} provides it`);
      return [];
    }
    if (req.url !== undefined) warnings.push(`${req.name} @ URL: the URL is not expressed; requires ${distName(req.name)}`);
    if (req.extras.length > 0)
      warnings.push(`${req.name}[${req.extras.join(',')}]: the extras' own requirements are not expressed, only ${distName(req.name)}`);
    return [rpmRequirement(distName(req.name), parseSpecifierSet(req.specifier))];
  };
  const requires: string[] = [];
  const suggests: string[] = [];
  for (const sel of selected) (sel.kind === 'depends' ? requires : suggests).push(...translate(sel));
  // python(abi) = X.Y is the spec's own (src/formats/rpm-data.ts): it pins the target's Python,
  // which says more than any Requires-Python bound the target satisfies (checked at inspect)
  const hard = [...[...new Set(requires)].sort(), ...opts.extraDepends];
  return {
    requires: [...new Set(hard)],
    suggests: [...new Set(suggests)].filter((s) => !hard.includes(s)).sort(),
    warnings: warnings.map((w) => singleLine(w, 400)),
  };
}
