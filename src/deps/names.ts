/**
 * A requirement's distribution name -> the target's package name.
 *   Debian: dh-python's own map (src/deps/data/cpython3_fallback, generated from the Debian
 *   archive: PyYAML -> python3-yaml, beautifulsoup4 -> python3-bs4), looked up as dh-python
 *   does (safe_name) and then by the PEP 503 name; otherwise dh-python's guess
 *   `python3-<name>` (sensible_pname).
 *   RPM: `python3dist(<PEP 503 name>)`, the virtual provide Fedora's generator writes.
 * And a converted project's own binary package name, so that it replaces (or is found by) the
 * distribution's package of the same project:
 *   Debian: dh-python's map first (PyYAML -> python3-yaml, pytz -> python3-tz), when it gives the
 *   project a package of its own; otherwise `python3-<name>`.
 *   RPM: Fedora's name where it is not `python3-` + the PEP 503 name (src/deps/data/fedora-names:
 *   dnspython -> python3-dns); otherwise that rule.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalizeName } from '../python/pep508.js';
import { debianPackageName } from '../sdist/pkginfo.js';
import { depsDataDir } from './archive.js';

export interface DebianName {
  /** the package to depend on */
  package: string;
  /** a relation the map gives verbatim (`argparse python3 (>= 3.2)`): used as written */
  fixedRelation?: string;
  source: 'dh-python' | 'guess';
}

interface NameMap {
  bySafeName: Map<string, string>;
  byCanonical: Map<string, string>;
  /** how many distinct distributions (by safe_name) the map sends to each dependency */
  shared: Map<string, number>;
}

let map: NameMap | undefined;

/** dh-python's safe_name: runs of anything but letters, digits and dots -> `_`, lower case. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9.]+/g, '_').toLowerCase();
}

/** Parse cpython3_fallback text (`<dist name> <dependency>` per line); first entry wins, as in dh-python. */
export function parseNameMap(text: string): NameMap {
  const bySafeName = new Map<string, string>();
  const byCanonical = new Map<string, string>();
  const shared = new Map<string, number>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const sp = t.indexOf(' ');
    if (sp < 0) continue;
    const name = t.slice(0, sp);
    const dep = t.slice(sp + 1).trim();
    if (!bySafeName.has(safeName(name))) {
      bySafeName.set(safeName(name), dep);
      shared.set(dep, (shared.get(dep) ?? 0) + 1);
    }
    if (!byCanonical.has(canonicalizeName(name))) byCanonical.set(canonicalizeName(name), dep);
  }
  return { bySafeName, byCanonical, shared };
}

function nameMap(): NameMap {
  map ??= parseNameMap(readFileSync(join(depsDataDir(), 'cpython3_fallback'), 'utf8'));
  return map;
}

/** The Debian package (or fixed relation) for a distribution name. */
export function debianNameFor(distName: string): DebianName {
  const m = nameMap();
  const dep = m.bySafeName.get(safeName(distName)) ?? m.byCanonical.get(canonicalizeName(distName));
  if (dep !== undefined) {
    if (dep.endsWith(')')) {
      const pkg = dep.split(/[\s(]/, 1)[0] as string;
      return { package: pkg, fixedRelation: dep, source: 'dh-python' };
    }
    return { package: dep, source: 'dh-python' };
  }
  return { package: debianPackageName(distName), source: 'guess' };
}

const DEBIAN_BINARY = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The binary package name for a converted project on Debian and Ubuntu: the package dh-python's
 * map names for it (Debian's own package of the project: PyYAML -> python3-yaml, pytz ->
 * python3-tz, beautifulsoup4 -> python3-bs4), unless the map gives that package to several
 * distributions (azure_* -> python3-azure, types_* -> python3-typeshed: a bundle, not this
 * project) or only a relation (argparse -> python3 (>= 3.2)); otherwise dh-python's guess
 * `python3-<name>`. METADATA_INVALID when the name gives no valid package name.
 */
export function debianBinaryName(distName: string): string {
  const guess = debianPackageName(distName); // validates the name
  const m = nameMap();
  const dep = m.bySafeName.get(safeName(distName)) ?? m.byCanonical.get(canonicalizeName(distName));
  if (dep === undefined || !DEBIAN_BINARY.test(dep) || (m.shared.get(dep) ?? 0) !== 1) return guess;
  return dep;
}

let fedora: Map<string, string> | undefined;

/** Parse fedora-names text (`<PEP 503 name> <package>` per line, `#` comments). */
export function parseFedoraNames(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.replace(/#.*$/, '').trim();
    if (!t) continue;
    const [name, pkg] = t.split(/\s+/);
    if (name && pkg && !out.has(canonicalizeName(name))) out.set(canonicalizeName(name), pkg);
  }
  return out;
}

/** Fedora's package name for a project where it differs from `python3-` + its PEP 503 name. */
export function fedoraNameFor(distName: string): string | undefined {
  fedora ??= parseFedoraNames(readFileSync(join(depsDataDir(), 'fedora-names'), 'utf8'));
  return fedora.get(canonicalizeName(distName));
}

/**
 * `python3dist(<PEP 503 name>)`, or `python3.Xdist(...)` for a profile whose requirements name
 * its Python (dependencyStyle `python3.Xdist`); optionally with an extra: `python3dist(requests[socks])`.
 */
export function rpmDistName(distName: string, opts: { pythonVersion?: string; extra?: string } = {}): string {
  const n = canonicalizeName(distName);
  const fn = opts.pythonVersion ? `python${opts.pythonVersion}dist` : 'python3dist';
  return opts.extra ? `${fn}(${n}[${canonicalizeName(opts.extra)}])` : `${fn}(${n})`;
}

/**
 * Distributions that only backport a standard library module: on a target whose Python is at
 * least `since`, the standard library provides them and no package is needed.
 */
export const STDLIB_BACKPORTS: Readonly<Record<string, string>> = {
  argparse: '3.2',
  asyncio: '3.4',
  contextvars: '3.7',
  dataclasses: '3.7',
  enum34: '3.4',
  futures: '3.2',
  importlib: '3.1',
  ordereddict: '3.1',
  pathlib: '3.4',
  statistics: '3.4',
  typing: '3.5',
  wsgiref: '3.0',
};
