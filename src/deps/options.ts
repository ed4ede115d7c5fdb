/**
 * The user's say over dependencies (config keys `depends-map`, `extra-depends`, `drop-depends`,
 * flag `--with-extras`), validated once; values land in control files and spec files, so each
 * one must be a well-formed relation of the output format.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { canonicalizeName, isValidName } from '../python/pep508.js';

export interface DependencyOptions {
  /** extras (PEP 685 normalized) whose requirements become hard dependencies */
  withExtras: string[];
  /** PEP 503 distribution name -> the relation written instead of py2pkg's translation */
  dependsMap: Record<string, string>;
  /** relations added as written */
  extraDepends: string[];
  /** PEP 503 distribution names left out */
  dropDepends: string[];
  /** Debian packages a --recursive plan converts alongside (package -> upstream version): not checked against the archive data */
  provided?: Record<string, string>;
}

export const NO_DEPENDENCY_OPTIONS: DependencyOptions = { withExtras: [], dependsMap: {}, extraDepends: [], dropDepends: [] };

const DEB_PKG = '[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?';
const DEB_VERSION = '(?:[0-9]+:)?[0-9][A-Za-z0-9.+~]*(?:-[A-Za-z0-9.+~]+)?';
const DEB_ONE = `${DEB_PKG}(?: \\((?:<<|<=|=|>=|>>) ${DEB_VERSION}\\))?`;
/** one Debian relation: `pkg`, `pkg (op version)`, alternatives joined with ` | ` */
export const DEB_RELATION_RE = new RegExp(`^${DEB_ONE}(?: \\| ${DEB_ONE})*$`);

const RPM_NAME = /^(?:\/[A-Za-z0-9_.+/-]+|[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:\([A-Za-z0-9_.+[\]-]+\))?)$/;
const RPM_VERSION = /^(?:[0-9]+:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?$/;
const RPM_OPS = new Set(['<', '<=', '=', '>=', '>']);
const RPM_KEYWORDS = new Set(['and', 'or', 'if', 'else', 'with', 'without', 'unless']);
const RPM_TOKEN = /\(|\)|[A-Za-z0-9_][A-Za-z0-9_.+-]*\([A-Za-z0-9_.+[\]-]+\)|[^\s()]+/g;

/** An RPM dependency: `name`, `name op version`, or a rich dependency `(a op v with b ...)`. */
export function isRpmDependency(s: string): boolean {
  if (s.length > 2000 || /[^\x21-\x7e ]/.test(s)) return false;
  const tokens = s.match(RPM_TOKEN) ?? [];
  if (tokens.join('') !== s.replace(/ /g, '')) return false;
  let i = 0;
  const simple = (): boolean => {
    if (!RPM_NAME.test(tokens[i] ?? '') || RPM_KEYWORDS.has(tokens[i] ?? '')) return false;
    i++;
    if (RPM_OPS.has(tokens[i] ?? '')) {
      i++;
      if (!RPM_VERSION.test(tokens[i] ?? '')) return false;
      i++;
    }
    return true;
  };
  const rich = (depth: number): boolean => {
    if (tokens[i] !== '(' || depth > 20) return false;
    i++;
    for (;;) {
      if (!(tokens[i] === '(' ? rich(depth + 1) : simple())) return false;
      if (tokens[i] === ')') {
        i++;
        return true;
      }
      if (!RPM_KEYWORDS.has(tokens[i] ?? '')) return false;
      i++;
    }
  };
  const ok = tokens[0] === '(' ? rich(0) : simple();
  return ok && i === tokens.length;
}

export function isRelationFor(format: 'deb' | 'rpm', s: string): boolean {
  return format === 'deb' ? DEB_RELATION_RE.test(s) : isRpmDependency(s);
}

function bad(where: string, why: string): Py2pkgError {
  return new Py2pkgError('CONFIG', `${where}: ${why}`);
}

/** Validate raw values (from the config file and flags) into DependencyOptions. */
export function dependencyOptions(
  raw: { withExtras?: string[]; dependsMap?: Record<string, unknown>; extraDepends?: unknown[]; dropDepends?: unknown[] },
  format: 'deb' | 'rpm',
  where = 'config',
): DependencyOptions {
  const out: DependencyOptions = { withExtras: [], dependsMap: {}, extraDepends: [], dropDepends: [] };
  for (const e of raw.withExtras ?? []) {
    for (const part of e.split(',')) {
      const x = part.trim();
      if (x === '') continue;
      if (!isValidName(x)) throw new Py2pkgError('USAGE', `--with-extras: "${singleLine(x, 40)}" is not an extra name`);
      out.withExtras.push(canonicalizeName(x));
    }
  }
  for (const [name, value] of Object.entries(raw.dependsMap ?? {})) {
    if (!isValidName(name)) throw bad(`${where} depends-map`, `"${singleLine(name, 60)}" is not a distribution name`);
    if (typeof value !== 'string')
      throw bad(`${where} depends-map.${singleLine(name, 60)}`, 'must be a string (a relation, or "" to leave the requirement out)');
    const v = value.trim();
    if (v !== '' && !v.split(/,\s*/).every((r) => isRelationFor(format, r))) {
      throw bad(
        `${where} depends-map.${singleLine(name, 60)}`,
        `"${singleLine(v, 80)}" is not a ${format === 'deb' ? 'Debian relation like "python3-foo (>= 1.2)"' : 'RPM dependency like "python3dist(foo) >= 1.2"'}`,
      );
    }
    out.dependsMap[canonicalizeName(name)] = v;
  }
  for (const value of raw.extraDepends ?? []) {
    if (typeof value !== 'string' || !isRelationFor(format, value.trim())) {
      throw bad(`${where} extra-depends`, `"${singleLine(String(value), 80)}" is not a ${format === 'deb' ? 'Debian relation' : 'RPM dependency'}`);
    }
    out.extraDepends.push(value.trim());
  }
  for (const value of raw.dropDepends ?? []) {
    if (typeof value !== 'string' || !isValidName(value)) throw bad(`${where} drop-depends`, `"${singleLine(String(value), 60)}" is not a distribution name`);
    out.dropDepends.push(canonicalizeName(value));
  }
  return out;
}
