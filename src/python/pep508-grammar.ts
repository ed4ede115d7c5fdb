/**
 * The PEP 508 grammar: packaging's `_tokenizer.py` rules and `_parser.py` productions for
 * requirements and markers, with depth and size limits so hostile input cannot recurse
 * without bound. Internal to pep508.ts, which turns its results into Requirement values.
 */
import { SPECIFIER_REGEX_SOURCE } from './pep440.js';
import type { MarkerNode, MarkerOperand, MarkerOperator, MarkerVariable } from './pep508-types.js';

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

export class SyntaxErr extends Error {}

/** Limits that keep recursion shallow on hostile input; real markers stay far below them. */
const MAX_MARKER_DEPTH = 50;
const MAX_MARKER_ITEMS = 500;

export class Tokenizer {
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

export interface RawRequirement {
  name: string;
  extras: string[];
  specifier: string;
  url?: string;
  marker?: MarkerNode;
}

export function parseRequirementTokens(t: Tokenizer): RawRequirement {
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

export function parseMarkerExpr(t: Tokenizer): MarkerNode {
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
