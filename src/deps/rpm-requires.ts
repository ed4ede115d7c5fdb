/**
 * PEP 440 specifiers -> RPM dependencies on `python3dist(name)`, written as Fedora's generator
 * (python-rpm-packaging's pythondistdeps.py) writes them: versions in Fedora's scheme (trailing
 * zeros dropped, pre `~rc1`, dev `~~dev1`, post `^post1`, epoch `N:`), `~=` and `==X.*` as
 * rich ranges `(x >= V with x < U)`, `!=` as `(x < V or x > V)` (RPM can say it, so it is kept),
 * several clauses joined with `with` in sorted order. Pure functions.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { toRpmDistVersion } from '../python/distro-version.js';
import { formatVersion, type Specifier, type SpecifierSet, type Version } from '../python/pep440.js';

function rpmVersion(v: Version): string {
  const { local: _local, ...pub } = v;
  const r = toRpmDistVersion(formatVersion(pub));
  return r.epoch !== undefined ? `${r.epoch}:${r.version}` : r.version;
}

function bump(v: Version, drop: number): Version {
  const release = v.release.slice(0, v.release.length - drop);
  release[release.length - 1] = (release[release.length - 1] ?? 0n) + 1n;
  return { epoch: v.epoch, release };
}

/** One clause as Fedora writes it; `name` is the full `python3dist(x)` token. */
export function rpmClause(name: string, spec: Specifier): string {
  const v = spec.parsed;
  if (!v) {
    // === with a string that is not a version: RPM compares it as written
    if (!/^[A-Za-z0-9._+~^]+$/.test(spec.version))
      throw new Py2pkgError('METADATA_INVALID', `===${singleLine(spec.version, 60)} cannot be written as an RPM version`);
    return `${name} = ${spec.version}`;
  }
  switch (spec.operator) {
    case '==':
      if (spec.wildcard) return `(${name} >= ${rpmVersion(v)} with ${name} < ${rpmVersion(bump(v, 0))})`;
      return `${name} = ${rpmVersion(v)}`;
    case '===':
      return `${name} = ${rpmVersion(v)}`;
    case '!=':
      if (spec.wildcard) return `(${name} < ${rpmVersion(v)} or ${name} > ${rpmVersion(bump(v, 0))})`;
      return `(${name} < ${rpmVersion(v)} or ${name} > ${rpmVersion(v)})`;
    case '~=':
      return `(${name} >= ${rpmVersion(v)} with ${name} < ${rpmVersion(bump(v, 1))})`;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return `${name} ${spec.operator} ${rpmVersion(v)}`;
  }
}

/** A whole requirement: the bare name, one clause, or `(a with b ...)` over the sorted clauses. */
export function rpmRequirement(name: string, set: SpecifierSet): string {
  const clauses = [...new Set(set.specifiers.map((s) => rpmClause(name, s)))].sort();
  if (clauses.length === 0) return name;
  if (clauses.length === 1) return clauses[0] as string;
  return `(${clauses.join(' with ')})`;
}
