/**
 * Escaping for RPM spec files. rpmbuild expands macros in every line it reads — tags,
 * %description, %files and %changelog alike — and it reads the *expanded* line to decide
 * whether a line opens a section (`%post` at column 0 starts a scriptlet that runs at
 * install time) or is a conditional (`%if`, `%include`, ... even after leading blanks).
 * So every value from an sdist passes through one of these typed helpers:
 *  - `%` is always written `%%` (expands back to one `%`: no macro, no `%(shell)`, no lua);
 *  - tags are one line (a newline would start a new tag or section);
 *  - a %description or %changelog line whose first non-blank character would be `%` after
 *    expansion starts with U+00A0 (no-break space): neither a section nor a conditional
 *    can start there, and the text still reads the same; the same for `#`, which would
 *    make the line a comment and drop it;
 *  - file names are double-quoted; names rpm cannot hold literally (glob characters, which
 *    rpm expands even inside quotes, a quote, a backslash, control characters) are reported
 *    so the caller can own their directory instead.
 * Pure functions; test/unit/rpmspec.test.ts and the built-rpm tests check them.
 */
import { dropBlankEnds, fieldValue, wrapLine } from './deb822.js';
import { commonHelpers, raw, Untrusted, type HelperFn } from './engine.js';

/** rpmlint's MaxLineLength: longer Summary or %description lines are errors. */
export const RPM_MAX_LINE = 79;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const NBSP = '\u00a0';

/** `%` -> `%%`: the only escape rpm's macro expander knows. */
export function escapeMacros(text: string): string {
  return text.replace(/%/g, '%%');
}

/** A tag value: one line, no control characters, collapsed blanks, `%` escaped. */
export function specTag(text: string, maxLength = 1000): string {
  return escapeMacros(fieldValue(text, maxLength));
}

/**
 * The Summary: one line of at most 79 characters (rpmlint), cut at a word with "…" when
 * longer, no trailing dot; `fallback` when empty. Returned escaped.
 */
export function specSummary(text: string, fallback: string): string {
  let s = fieldValue(text, 1000);
  if (!s) s = fieldValue(fallback);
  if ([...s].length > RPM_MAX_LINE) {
    let cut = [...s].slice(0, RPM_MAX_LINE - 1).join('');
    const space = cut.lastIndexOf(' ');
    if (space > 40) cut = cut.slice(0, space);
    s = `${cut.replace(/[\s,;:.-]+$/, '')}…`;
  }
  s = s.replace(/\.+$/, '');
  return escapeMacros(s);
}

/**
 * True when rpmbuild could read the (expanded) line as a section or a conditional (first
 * non-blank `%`), or drop it as a comment (first non-blank `#`).
 */
export function startsLikeDirective(line: string): boolean {
  return /^[ \t\v\f\r]*[%#]/.test(line);
}

/** Guard one line of free text: a line that would start with `%` gets a no-break space first. */
function guardLine(line: string): string {
  return startsLikeDirective(line) ? `${NBSP}${line}` : line;
}

/** Split a line into pieces of at most `width` characters, at blanks when it can, hard otherwise. */
function hardWrap(line: string, width: number, maxPieces = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  for (const piece of wrapLine(line, width, maxPieces)) {
    if (out.length >= maxPieces) break;
    // by index: re-slicing the rest after every piece is quadratic on a long word
    const chars = [...piece];
    let at = 0;
    for (; chars.length - at > width && out.length < maxPieces; at += width)
      out.push(
        chars
          .slice(at, at + width)
          .join('')
          .trimEnd(),
      );
    if (out.length < maxPieces) out.push(chars.slice(at).join(''));
  }
  return out;
}

/** Wrap at `width`, guard each piece; a guarded piece is wrapped one narrower to make room. */
function wrapGuarded(line: string, width: number, maxPieces = Number.POSITIVE_INFINITY): string[] {
  return hardWrap(line, width, maxPieces).flatMap((p) => (startsLikeDirective(p) ? hardWrap(p, width - 1).map(guardLine) : [guardLine(p)]));
}

/**
 * %description text: CRLF -> LF, tabs -> 4 spaces, control characters -> space, trailing
 * blanks and surrounding blank lines dropped, runs of blank lines collapsed, lines wrapped
 * at 79 characters (rpmlint), every line guarded, `%` escaped. Never empty.
 */
export function specDescription(text: string, fallback: string, opts: { maxLines?: number } = {}): string {
  const maxLines = opts.maxLines ?? 200;
  const prepared = (t: string) =>
    t
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, '    ')
      .replace(CONTROL_CHARS, ' ')
      .split('\n')
      .map((l) => l.trimEnd()); // not /\s+$/: quadratic on long runs of blanks
  let lines = dropBlankEnds(prepared(text));
  if (lines.length === 0) lines = prepared(fallback.trim() || 'No description.');
  const out: string[] = [];
  let previousBlank = false;
  for (const line of lines) {
    const blank = line === '';
    if (blank && previousBlank) continue;
    previousBlank = blank;
    for (const piece of blank ? [''] : wrapGuarded(line, RPM_MAX_LINE, maxLines - out.length)) out.push(escapeMacros(piece));
    if (out.length >= maxLines) {
      out.length = maxLines;
      out.push('[...]');
      break;
    }
  }
  return out.join('\n');
}

/** One %changelog item: "- text", wrapped at 79 with 2-space continuation lines, escaped. */
export function specChangelogItem(text: string): string {
  const flat = fieldValue(text, 600);
  const [first = '', ...rest] = hardWrap(flat, RPM_MAX_LINE - 2);
  return [`- ${first}`, ...rest.map((l) => `  ${l}`)].map((l) => escapeMacros(guardLine(l))).join('\n');
}

/** The %changelog date, `Thu Jan 01 2026`, from seconds since the epoch (UTC). */
export function specDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
}

/** Characters rpm's %files parser cannot take literally (it globs even inside quotes). */
// eslint-disable-next-line no-control-regex
const UNSAFE_PATH_CHARS = /[*?[\]{}"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Whether a path can be written in %files as one quoted literal. */
export function isSpecSafePath(path: string): boolean {
  return path.startsWith('/') && !UNSAFE_PATH_CHARS.test(path) && path === path.trim() && !/\/\s|\s\//.test(path) && !path.split('/').includes('..');
}

/** A %files path: double-quoted, `%` escaped. Throws for a path isSpecSafePath refuses. */
export function specPath(path: string): string {
  if (!isSpecSafePath(path)) throw new Error(`not a path rpm can list literally: ${JSON.stringify(path)}`);
  return `"${escapeMacros(path)}"`;
}

export const RPM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
export const RPM_VERSION = /^[0-9][A-Za-z0-9._+~^]*$/;
export const RPM_RELEASE = /^[0-9][A-Za-z0-9._+~^]*$/;
/** A simple dependency: a capability or an absolute path, optionally versioned. */
const SIMPLE_DEPENDENCY =
  /^(?:[A-Za-z0-9][A-Za-z0-9._+-]*(?:\([A-Za-z0-9._+-]+\))?|\/[A-Za-z0-9._+/-]+)(?: (?:=|<|>|<=|>=) (?:[0-9]+:)?[A-Za-z0-9][A-Za-z0-9._+~^]*(?:-[A-Za-z0-9][A-Za-z0-9._+~^]*)?)?$/;
const RICH_OPERATORS = new Set(['and', 'or', 'if', 'else', 'unless', 'with', 'without']);

/**
 * Whether `s` is a dependency py2pkg may write into a Requires:/Suggests: tag: a simple one
 * or a rich one (rpm >= 4.14), `(A op B ...)` with the boolean operators and nesting; no `%`,
 * no newline, nothing else.
 */
/** Longest dependency a spec line is written with (rpmbuild reads longer ones, but nobody writes them). */
export const MAX_RPM_DEPENDENCY = 500;

export function isRpmDependency(s: string): boolean {
  if (s.length > MAX_RPM_DEPENDENCY) return false;
  if (!s.startsWith('(')) return SIMPLE_DEPENDENCY.test(s);
  // split "(x y z)" into its top-level parts, then check operand/operator alternation
  const parse = (text: string): boolean => {
    if (!text.startsWith('(') || !text.endsWith(')')) return SIMPLE_DEPENDENCY.test(text);
    const inner = text.slice(1, -1);
    const parts: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (c === '(') depth++;
      else if (c === ')' && --depth < 0) return false;
      else if (c === ' ' && depth === 0) {
        const word = /^(\S+) /.exec(inner.slice(i + 1))?.[1];
        if (word !== undefined && RICH_OPERATORS.has(word)) {
          parts.push(inner.slice(start, i), word);
          i += word.length + 1;
          start = i + 1;
        }
      }
    }
    if (depth !== 0) return false;
    parts.push(inner.slice(start));
    if (parts.length < 3 || parts.length % 2 === 0) return false;
    return parts.every((p, i) => (i % 2 === 1 ? RICH_OPERATORS.has(p) : parse(p)));
  };
  return parse(s);
}

function check(re: RegExp, what: string, s: string): string {
  if (!re.test(s)) throw new Error(`template bug: not ${what}: ${JSON.stringify(s)}`);
  return s;
}

/** A %files entry as rpm-data.ts plans it. */
export interface SpecFileEntry {
  /** '' for a plain file, or a fixed directive ('%dir', '%doc', '%license', '%ghost', ...) */
  directive: string;
  path: Untrusted;
}

const DIRECTIVES = new Set(['', '%dir', '%doc', '%license', '%ghost', '%ghost %dir', '%attr(0755,root,root)']);

/** Handlebars helpers for templates/rpm/package.spec.hbs. */
export const rpmHelpers: Readonly<Record<string, HelperFn>> = {
  ...commonHelpers,
  tag: (v) => specTag(raw(v, 'tag')),
  summary: (v, fallback) => specSummary(raw(v, 'summary'), raw(fallback, 'summary')),
  description: (v, fallback) => specDescription(raw(v, 'description'), raw(fallback, 'description')),
  changelogItem: (v) => specChangelogItem(raw(v, 'changelogItem')),
  specDate: (v) => specDate(Number(check(/^\d+$/, 'a timestamp', raw(v, 'specDate')))),
  rpmname: (v) => check(RPM_NAME, 'an RPM name', raw(v, 'rpmname')),
  rpmversion: (v) => check(RPM_VERSION, 'an RPM version', raw(v, 'rpmversion')),
  rpmrelease: (v) => check(RPM_RELEASE, 'an RPM release', raw(v, 'rpmrelease')),
  evr: (v) => check(/^([0-9]+:)?[0-9][A-Za-z0-9._+~^]*-[0-9][A-Za-z0-9._+~^]*$/, 'an RPM [epoch:]version-release', raw(v, 'evr')),
  int: (v) => check(/^\d+$/, 'an integer', raw(v, 'int')),
  dep: (v) => {
    const d = raw(v, 'dep');
    if (!isRpmDependency(d)) throw new Error(`template bug: not an RPM dependency: ${JSON.stringify(d)}`);
    return d;
  },
  /** "URL: value\n" for an http(s) URL without blanks, else nothing */
  urlLine: (v) => {
    const u = raw(v, 'urlLine').trim();
    // eslint-disable-next-line no-control-regex
    return /^https?:\/\/[^\s<>"\u0000-\u001f\u007f-\u009f]+$/i.test(u) && u.length <= 1000 ? `URL:            ${escapeMacros(u)}\n` : '';
  },
  fileEntry: (v) => {
    const e = v as SpecFileEntry;
    if (typeof e !== 'object' || e === null || !DIRECTIVES.has(e.directive) || !(e.path instanceof Untrusted))
      throw new Error('template bug: fileEntry wants a SpecFileEntry');
    return e.directive ? `${e.directive} ${specPath(Untrusted.text(e.path))}` : specPath(Untrusted.text(e.path));
  },
};
