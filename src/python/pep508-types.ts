/** PEP 508 names and the parsed shapes (requirements, marker trees) the parser and the evaluator share. Pure. */

// ---------------------------------------------------------------------------------------------
// Names

const NAME_RE = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** PEP 508 name rule (also the rule for extra names). */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

/** PEP 503 normalization: lower case, runs of `-`, `_`, `.` become one `-`. */
export function canonicalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Types

export type MarkerVariable =
  | 'implementation_name'
  | 'implementation_version'
  | 'os_name'
  | 'platform_machine'
  | 'platform_python_implementation'
  | 'platform_release'
  | 'platform_system'
  | 'platform_version'
  | 'python_full_version'
  | 'python_version'
  | 'sys_platform'
  | 'extra';

export type MarkerOperator = '<' | '<=' | '!=' | '==' | '>=' | '>' | '~=' | '===' | 'in' | 'not in';

export type MarkerOperand = { type: 'variable'; name: MarkerVariable } | { type: 'string'; value: string };

export type MarkerNode =
  { type: 'compare'; left: MarkerOperand; op: MarkerOperator; right: MarkerOperand } | { type: 'and' | 'or'; left: MarkerNode; right: MarkerNode };

export interface MarkerEnvironment {
  implementation_name: string;
  implementation_version: string;
  os_name: string;
  platform_machine: string;
  platform_python_implementation: string;
  platform_release: string;
  platform_system: string;
  platform_version: string;
  python_full_version: string;
  python_version: string;
  sys_platform: string;
}

export interface Requirement {
  /** as written */
  name: string;
  /** PEP 503 */
  normalizedName: string;
  /** PEP 685 normalized (PEP 503 rule), sorted, without duplicates */
  extras: string[];
  /** packaging's str(SpecifierSet): clauses without spaces, sorted, comma-joined; '' for none */
  specifier: string;
  url?: string;
  marker?: MarkerNode;
}
