/** Evaluating PEP 508 markers against a marker environment (the TARGET's, not this machine's). Pure. */
import { Py2pkgError, singleLine } from '../errors.js';
import { isValidVersion, parseVersion, specifierContains, tryParseSpecifier } from './pep440.js';
import { canonicalizeName, type MarkerEnvironment, type MarkerNode, type MarkerOperand, type MarkerOperator } from './pep508-types.js';

// ---------------------------------------------------------------------------------------------
// Evaluation

/**
 * A Linux CPython environment for a target's interpreter (not the machine running py2pkg).
 * `python_version` is the first two release components of `pythonFullVersion`.
 */
export function defaultMarkerEnvironment(
  pythonFullVersion: string,
  opts: { machine?: string; platformRelease?: string; platformVersion?: string } = {},
): MarkerEnvironment {
  const v = parseVersion(pythonFullVersion);
  const python_version = `${v.release[0] ?? 0n}.${v.release[1] ?? 0n}`;
  return {
    implementation_name: 'cpython',
    implementation_version: pythonFullVersion,
    os_name: 'posix',
    platform_machine: opts.machine ?? 'x86_64',
    platform_python_implementation: 'CPython',
    platform_release: opts.platformRelease ?? '',
    platform_system: 'Linux',
    platform_version: opts.platformVersion ?? '',
    python_full_version: pythonFullVersion,
    python_version,
    sys_platform: 'linux',
  };
}

/** Compare by code point, as Python compares str. */
function cmpCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

function undefinedComparison(lhs: string, op: MarkerOperator, rhs: string): Py2pkgError {
  return new Py2pkgError(
    'METADATA_INVALID',
    `undefined marker comparison ${singleLine(JSON.stringify(lhs), 60)} ${op} ${singleLine(JSON.stringify(rhs), 60)}: ${op} needs PEP 440 versions on both sides`,
  );
}

/**
 * PEP 508: when `op rhs` is a valid PEP 440 specifier and lhs a valid version, the specifier
 * decides (pre-releases admitted); otherwise the operator falls back to Python's string
 * operators (==, !=, <, <=, >, >=, in, not in). `~=` and `===` without versions have no
 * meaning: METADATA_INVALID.
 */
function compareValues(lhs: string, op: MarkerOperator, rhs: string): boolean {
  if (op === 'in') return rhs.includes(lhs);
  if (op === 'not in') return !rhs.includes(lhs);
  const spec = tryParseSpecifier(`${op}${rhs}`);
  if (spec && isValidVersion(lhs)) return specifierContains(spec, lhs, { prereleases: true });
  switch (op) {
    case '==':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
      return cmpCodePoints(lhs, rhs) < 0;
    case '<=':
      return cmpCodePoints(lhs, rhs) <= 0;
    case '>':
      return cmpCodePoints(lhs, rhs) > 0;
    case '>=':
      return cmpCodePoints(lhs, rhs) >= 0;
    default:
      throw undefinedComparison(lhs, op, rhs);
  }
}

/**
 * Evaluate a marker. `extra` is compared after PEP 685 normalization on both sides; an unset
 * extra is the empty string (as packaging does).
 */
export function evaluateMarker(node: MarkerNode, env: MarkerEnvironment & { extra?: string }): boolean {
  if (node.type !== 'compare') {
    return node.type === 'and'
      ? evaluateMarker(node.left, env) && evaluateMarker(node.right, env)
      : evaluateMarker(node.left, env) || evaluateMarker(node.right, env);
  }
  const isExtra = (o: MarkerOperand) => o.type === 'variable' && o.name === 'extra';
  const extraInvolved = isExtra(node.left) || isExtra(node.right);
  const value = (o: MarkerOperand): string => {
    let v: string;
    if (o.type === 'string') v = o.value;
    else if (o.name === 'extra') v = env.extra ?? '';
    else v = env[o.name];
    return extraInvolved ? canonicalizeName(v) : v;
  };
  return compareValues(value(node.left), node.op, value(node.right));
}

/** The extras (PEP 685 normalized, sorted) a marker names in `extra == "…"` comparisons. */
export function markerExtras(node: MarkerNode): string[] {
  const out = new Set<string>();
  const walk = (n: MarkerNode): void => {
    if (n.type !== 'compare') {
      walk(n.left);
      walk(n.right);
      return;
    }
    if (n.op !== '==') return;
    if (n.left.type === 'variable' && n.left.name === 'extra' && n.right.type === 'string') out.add(canonicalizeName(n.right.value));
    if (n.right.type === 'variable' && n.right.name === 'extra' && n.left.type === 'string') out.add(canonicalizeName(n.left.value));
  };
  walk(node);
  return [...out].sort();
}
