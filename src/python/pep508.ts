/**
 * PEP 508 dependency specifiers (`name [extras] (specifier | @ url) ; marker`) and environment
 * markers. The grammar and tokens follow packaging's `_parser.py` / `_tokenizer.py`, so the old
 * METADATA spellings `six (>=1.5)` and `name ; marker` are accepted. Pure functions.
 *
 * The files: pep508.ts (parse and format, the API), pep508-types.ts (names, shapes),
 * pep508-grammar.ts (tokenizer and grammar), pep508-markers.ts (evaluation).
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { formatSpecifier, tryParseSpecifier, type Specifier } from './pep440.js';
import { parseMarkerExpr, parseRequirementTokens, SyntaxErr, Tokenizer, type RawRequirement } from './pep508-grammar.js';
import { evaluateMarker } from './pep508-markers.js';
import { canonicalizeName, type MarkerEnvironment, type MarkerNode, type MarkerOperand, type Requirement } from './pep508-types.js';

export {
  canonicalizeName,
  isValidName,
  type MarkerEnvironment,
  type MarkerNode,
  type MarkerOperand,
  type MarkerOperator,
  type MarkerVariable,
  type Requirement,
} from './pep508-types.js';
export { defaultMarkerEnvironment, evaluateMarker, markerExtras } from './pep508-markers.js';

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

/** Parse `text` as a marker and evaluate it. */
export function evaluateMarkerText(text: string, env: MarkerEnvironment & { extra?: string }): boolean {
  return evaluateMarker(parseMarker(text), env);
}
