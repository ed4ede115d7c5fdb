/**
 * PEP 508 dependency specifiers (`name [extras] (specifier | @ url) ; marker`) and environment
 * markers. The grammar and tokens follow packaging's `_parser.py` / `_tokenizer.py`, so the old
 * METADATA spellings `six (>=1.5)` and `name ; marker` are accepted. Pure functions.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import {
  SPECIFIER_REGEX_SOURCE,
  formatSpecifier,
  isValidVersion,
  parseVersion,
  tryParseSpecifier,
  specifierContains,
  type Specifier,
} from './pep440.js';

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
  | { type: 'compare'; left: MarkerOperand; op: MarkerOperator; right: MarkerOperand }
  | { type: 'and' | 'or'; left: MarkerNode; right: MarkerNode };

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

// ---------------------------------------------------------------------------------------------
// Tokenizer (packaging._tokenizer.DEFAULT_RULES)

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: /\b(?:or|and)\b/y,
  IN: /\bin\b/y,
  NOT: /\bnot\b/y,
  VARIABLE:
    /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extra)\b/y,
  SPECIFIER: new RegExp(SPECIFIER_REGEX_SOURCE, 'iy'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: /\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b/y,
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
  END: /$/y,
} as const;
type TokenName = keyof typeof RULES;

class SyntaxErr extends Error {}

/** Limits that keep recursion shallow on hostile input; real markers stay far below them. */
const MAX_MARKER_DEPTH = 50;
const MAX_MARKER_ITEMS = 500;

class Tokenizer {
  pos = 0;
  depth = 0;
  items = 0;
  constructor(readonly source: string) {}

  /** the text of token `name` at the current position, without consuming it */
  peek(name: TokenName): string | undefined {
    const re = RULES[name];
    re.lastIndex = this.pos;
    const m = re.exec(this.source);
    return m ? m[0] : undefined;
  }

  check(name: TokenName): boolean {
    return this.peek(name) !== undefined;
  }

  /** consume token `name` if it is next; returns its text */
  accept(name: TokenName): string | undefined {
    const text = this.peek(name);
    if (text !== undefined) this.pos += text.length;
    return text;
  }

  consume(name: TokenName): void {
    this.accept(name);
  }

  expect(name: TokenName, expected: string): string {
    const text = this.accept(name);
    if (text === undefined) this.fail(`expected ${expected}`);
    return text;
  }

  fail(message: string): never {
    throw new SyntaxErr(`${message} at position ${this.pos}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Requirement grammar (packaging._parser)

function parseExtras(t: Tokenizer): string[] {
  if (!t.accept('LEFT_BRACKET')) return [];
  t.consume('WS');
  const extras: string[] = [];
  const first = t.accept('IDENTIFIER');
  if (first !== undefined) {
    extras.push(first);
    for (;;) {
      t.consume('WS');
      if (t.check('IDENTIFIER')) t.fail('expected comma between extra names');
      if (!t.accept('COMMA')) break;
      t.consume('WS');
      extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
    }
  }
  t.consume('WS');
  t.expect('RIGHT_BRACKET', "closing ']' after extras");
  return extras;
}

function parseVersionMany(t: Tokenizer): string {
  let out = '';
  for (;;) {
    const spec = t.accept('SPECIFIER');
    if (spec === undefined) break;
    out += spec;
    if (t.check('VERSION_PREFIX_TRAIL')) t.fail('.* suffix can only be used with == or != operators');
    if (t.check('VERSION_LOCAL_LABEL_TRAIL')) t.fail('local version label can only be used with == or != operators');
    t.consume('WS');
    if (!t.accept('COMMA')) break;
    out += ',';
    t.consume('WS');
  }
  return out;
}

function parseSpecifierPart(t: Tokenizer): string {
  const paren = t.accept('LEFT_PARENTHESIS') !== undefined;
  t.consume('WS');
  const specs = parseVersionMany(t);
  t.consume('WS');
  if (paren) t.expect('RIGHT_PARENTHESIS', "closing ')' after version specifier");
  return specs;
}

function parseRequirementMarker(t: Tokenizer, after: string): MarkerNode {
  if (!t.accept('SEMICOLON')) t.fail(`expected end or semicolon (after ${after})`);
  const marker = parseMarkerExpr(t);
  t.consume('WS');
  return marker;
}

interface RawRequirement {
  name: string;
  extras: string[];
  specifier: string;
  url?: string;
  marker?: MarkerNode;
}

function parseRequirementTokens(t: Tokenizer): RawRequirement {
  t.consume('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  t.consume('WS');
  const extras = parseExtras(t);
  t.consume('WS');
  const out: RawRequirement = { name, extras, specifier: '' };
  if (t.accept('AT')) {
    t.consume('WS');
    out.url = t.expect('URL', 'URL after @');
    if (!t.check('END')) {
      t.expect('WS', 'whitespace after URL');
      if (!t.check('END')) out.marker = parseRequirementMarker(t, 'URL and whitespace');
    }
  } else {
    out.specifier = parseSpecifierPart(t);
    t.consume('WS');
    if (!t.check('END')) out.marker = parseRequirementMarker(t, out.specifier ? 'version specifier' : 'name and no valid version specifier');
  }
  t.expect('END', 'end of dependency specifier');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Marker grammar

function parseMarkerExpr(t: Tokenizer): MarkerNode {
  // `and` binds tighter than `or`; both are left-associative
  let orNode: MarkerNode | undefined;
  let andNode = parseMarkerAtom(t);
  for (;;) {
    const op = t.accept('BOOLOP');
    if (op === undefined) break;
    const right = parseMarkerAtom(t);
    if (op === 'and') {
      andNode = { type: 'and', left: andNode, right };
    } else {
      orNode = orNode ? { type: 'or', left: orNode, right: andNode } : andNode;
      andNode = right;
    }
  }
  return orNode ? { type: 'or', left: orNode, right: andNode } : andNode;
}

function parseMarkerAtom(t: Tokenizer): MarkerNode {
  t.consume('WS');
  let node: MarkerNode;
  if (t.accept('LEFT_PARENTHESIS')) {
    if (++t.depth > MAX_MARKER_DEPTH) t.fail(`marker nested more than ${MAX_MARKER_DEPTH} deep`);
    t.consume('WS');
    node = parseMarkerExpr(t);
    t.consume('WS');
    t.expect('RIGHT_PARENTHESIS', "closing ')' in marker expression");
    t.depth--;
  } else {
    node = parseMarkerItem(t);
  }
  t.consume('WS');
  return node;
}

function parseMarkerItem(t: Tokenizer): MarkerNode {
  if (++t.items > MAX_MARKER_ITEMS) t.fail(`marker has more than ${MAX_MARKER_ITEMS} comparisons`);
  t.consume('WS');
  const left = parseMarkerVar(t);
  t.consume('WS');
  const op = parseMarkerOp(t);
  t.consume('WS');
  const right = parseMarkerVar(t);
  t.consume('WS');
  return { type: 'compare', left, op, right };
}

function parseMarkerVar(t: Tokenizer): MarkerOperand {
  const v = t.accept('VARIABLE');
  if (v !== undefined) {
    const name = v.replace('.', '_');
    return { type: 'variable', name: (name === 'python_implementation' ? 'platform_python_implementation' : name) as MarkerVariable };
  }
  const q = t.accept('QUOTED_STRING');
  if (q !== undefined) {
    const value = pythonStringLiteral(q);
    if (value === undefined) t.fail('invalid quoted string');
    return { type: 'string', value };
  }
  return t.fail('expected a marker variable or quoted string');
}

function parseMarkerOp(t: Tokenizer): MarkerOperator {
  if (t.accept('IN')) return 'in';
  if (t.accept('NOT')) {
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  const op = t.accept('OP');
  if (op !== undefined) return op as MarkerOperator;
  return t.fail('expected a marker operator (<, <=, ==, !=, >=, >, ~=, ===, in, not in)');
}

/**
 * The value of a quoted string token as Python's `ast.literal_eval` gives it (packaging
 * evaluates marker strings that way): backslash escapes are interpreted; undefined if invalid.
 */
function pythonStringLiteral(token: string): string | undefined {
  const body = token.slice(1, -1);
  if (/[\r\n]/.test(body)) return undefined; // a line break cannot sit inside a Python string literal
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[i + 1];
    if (n === undefined) return undefined; // the backslash escaped the closing quote
    i++;
    const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (n in simple) {
      out += simple[n];
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
      out += String.fromCodePoint(parseInt(m[0], 8));
      i += m[0].length - 1;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += String.fromCodePoint(cp);
      i += len;
    } else if (n === 'N') {
      return undefined; // named escapes: not worth a Unicode name table
    } else {
      out += `\\${n}`; // Python keeps unknown escapes as written
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public parsing API

function syntaxError(what: string, text: string, e: unknown): Py2pkgError {
  const why = e instanceof Error ? e.message : String(e);
  return new Py2pkgError('METADATA_INVALID', `invalid ${what} ${singleLine(JSON.stringify(text), 160)}: ${singleLine(why, 160)}`);
}

/** Parse a PEP 508 requirement; throws METADATA_INVALID (one line) when malformed. */
export function parseRequirement(text: string): Requirement {
  let raw: RawRequirement;
  try {
    raw = parseRequirementTokens(new Tokenizer(text));
  } catch (e) {
    if (e instanceof SyntaxErr) throw syntaxError('requirement', text, e);
    throw e;
  }
  const clauses = new Set<string>();
  for (const part of raw.specifier.split(',')) {
    if (part.trim() === '') continue;
    const s: Specifier | undefined = tryParseSpecifier(part);
    if (!s) throw syntaxError('requirement', text, new Error(`invalid version specifier ${JSON.stringify(part.trim())}`));
    clauses.add(formatSpecifier(s));
  }
  const req: Requirement = {
    name: raw.name,
    normalizedName: canonicalizeName(raw.name),
    extras: [...new Set(raw.extras.map(canonicalizeName))].sort(),
    specifier: [...clauses].sort().join(','),
  };
  if (raw.url !== undefined) req.url = raw.url;
  if (raw.marker !== undefined) req.marker = raw.marker;
  return req;
}

/** Parse a marker expression on its own (what follows `;`); throws METADATA_INVALID. */
export function parseMarker(text: string): MarkerNode {
  const t = new Tokenizer(text);
  try {
    const node = parseMarkerExpr(t);
    t.expect('END', 'end of marker expression');
    return node;
  } catch (e) {
    if (e instanceof SyntaxErr) throw syntaxError('marker', text, e);
    throw e;
  }
}

function formatOperand(o: MarkerOperand): string {
  if (o.type === 'variable') return o.name;
  const v = o.value;
  // eslint-disable-next-line no-control-regex
  if (!/[\\\u0000-\u001f\u007f]/.test(v) && !(v.includes('"') && v.includes("'"))) return v.includes('"') ? `'${v}'` : `"${v}"`;
  // escape so that the Python literal reads back the same value
  // eslint-disable-next-line no-control-regex
  const escaped = v.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

/** A marker as text: double-quoted values, parentheses only where the grouping needs them. */
export function formatMarker(node: MarkerNode): string {
  if (node.type === 'compare') return `${formatOperand(node.left)} ${node.op} ${formatOperand(node.right)}`;
  const wrap = (n: MarkerNode, parens: boolean): string => (parens ? `(${formatMarker(n)})` : formatMarker(n));
  // `and` binds tighter than `or`; both associate to the left
  const left = wrap(node.left, node.type === 'and' && node.left.type === 'or');
  const right = wrap(node.right, node.right.type === 'or' || (node.type === 'and' && node.right.type === 'and'));
  return `${left} ${node.type} ${right}`;
}

/** A requirement as text, packaging-style: `name[extra1,extra2]>=1,<2; marker` or `name @ url ; marker`. */
export function formatRequirement(req: Requirement): string {
  let s = req.name;
  if (req.extras.length > 0) s += `[${req.extras.join(',')}]`;
  if (req.url !== undefined) s += ` @ ${req.url}${req.marker ? ' ' : ''}`;
  else s += req.specifier;
  if (req.marker) s += `; ${formatMarker(req.marker)}`;
  return s;
}

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

/** Parse `text` as a marker and evaluate it. */
export function evaluateMarkerText(text: string, env: MarkerEnvironment & { extra?: string }): boolean {
  return evaluateMarker(parseMarker(text), env);
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
