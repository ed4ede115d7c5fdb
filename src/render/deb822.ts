/**
 * Escaping for deb822 control files and Debian maintainer scripts. Every value that came
 * from an sdist passes through one of these before it lands in a file: templates never see
 * raw metadata (Handlebars runs with escaping off, so escaping is our job, by type).
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A single-line field value: no newlines, no control characters, collapsed whitespace. */
export function fieldValue(text: string, maxLength = 1000): string {
  const flat = text.replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1).trimEnd()}…` : flat;
}

/** The Description synopsis: one line, lintian wants it under 80 characters and no trailing dot. */
export function synopsis(text: string, fallback: string): string {
  let s = fieldValue(text, 1000);
  if (!s) s = fieldValue(fallback);
  if ([...s].length > 79) {
    const chars = [...s].slice(0, 78);
    let cut = chars.join('');
    const space = cut.lastIndexOf(' ');
    if (space > 40) cut = cut.slice(0, space);
    s = `${cut.replace(/[\s,;:.-]+$/, '')}…`;
  }
  // Debian's convention (lintian description-synopsis-starts-with-article)
  const article = /^(a|an|the)\s+(?=\S)/i.exec(s);
  if (article) s = s.slice(article[0].length).replace(/^./, (c) => c.toUpperCase());
  return s.replace(/\.+$/, '');
}

/**
 * Multi-line field body (Description extended text, copyright License text): every line gets
 * a leading space, an empty line becomes " .", a line starting with "." becomes verbatim ("  ."),
 * tabs become spaces, and control characters are dropped. Returns the continuation lines
 * joined with "\n", each starting with a space (or an empty string for no text).
 */
export function foldedText(text: string, opts: { maxLines?: number; width?: number } = {}): string {
  const maxLines = opts.maxLines ?? 200;
  const normalized = text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').replace(CONTROL_CHARS, ' ');
  // trimEnd, not /\s+$/: that regex is quadratic on a long run of blanks (hostile text)
  const rawLines = dropBlankEnds(normalized.split('\n').map((l) => l.trimEnd()));
  const width = opts.width ?? 79;
  // plain paragraph lines (unindented, not list items) are word-wrapped by every frontend:
  // join each run of them and wrap it once, so an over-long line leaves no orphan words.
  // One pass that stops at maxLines: the rest of a hostile 4 MiB description costs nothing.
  const isPlain = (l: string): boolean => /^[^\s.]/.test(l) && !/^[-*+] /.test(l);
  const lines: string[] = [];
  let previousBlank = false;
  /** Add one logical line; true when maxLines is reached. */
  const emit = (line: string): boolean => {
    const blank = line.trim() === '' || line.trim() === '.';
    if (blank && previousBlank) return false; // collapse runs of blank lines
    previousBlank = blank;
    // a lone "." means nothing in a description and has no valid spelling: it becomes a blank line
    if (blank) lines.push(' .');
    // " ." is a blank line and " .x" is reserved by policy: text starting with a dot goes
    // on a verbatim line (two spaces) instead
    // (a loop, not push(...pieces): one long paragraph wraps into more pieces than a call takes arguments)
    else if (line.startsWith('.')) for (const l of wrapLine(` ${line}`, width, maxLines - lines.length)) lines.push(` ${l}`);
    // an unindented list item would be re-flowed by frontends: indent it so it stays a list
    else for (const l of wrapLine(/^[-*+] /.test(line) ? ` ${line}` : line, width, maxLines - lines.length)) lines.push(` ${l}`);
    return lines.length >= maxLines;
  };
  let pending: string | undefined;
  let pendingPlain = false;
  let full = false;
  for (const line of rawLines) {
    const plain = isPlain(line);
    if (plain && pendingPlain && pending !== undefined) {
      pending += ` ${line}`;
      continue;
    }
    if (pending !== undefined && (full = emit(pending))) break;
    pending = line;
    pendingPlain = plain;
  }
  if (!full && pending !== undefined) full = emit(pending);
  if (full) {
    lines.length = maxLines;
    lines.push(' [...]');
  }
  return lines.join('\n');
}

/** The lines without the empty ones at either end (one slice: shift() in a loop is quadratic). */
export function dropBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start] === '') start++;
  while (end > start && lines[end - 1] === '') end--;
  return lines.slice(start, end);
}

/**
 * Split one line at spaces so no piece is longer than `width` characters; continuation
 * pieces keep the line's indentation (plus two more for list items). Words longer than the
 * width are left whole. With `maxPieces`, only the first that many pieces (the same as without
 * it): a caller that keeps 200 lines does not pay for wrapping megabytes.
 */
export function wrapLine(line: string, width: number, maxPieces = Number.POSITIVE_INFINITY): string[] {
  // (a code point is one or two UTF-16 units: only a line of up to 2*width units can fit)
  if (line.length <= width || (line.length <= 2 * width && [...line].length <= width)) return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const bullet = /^\s*[-*+] /.test(line) ? '  ' : '';
  const out: string[] = [];
  let current = indent;
  for (const word of splitAtSpaces(line.slice(indent.length))) {
    const candidate = current.trim() === '' ? `${current}${word}` : `${current} ${word}`;
    if ([...candidate].length > width && current.trim() !== '') {
      out.push(current);
      if (out.length >= maxPieces) return out;
      current = `${indent}${bullet}${word}`;
    } else current = candidate;
  }
  out.push(current);
  return out;
}

/** The pieces of `s.split(/ +/)`, one at a time. */
function* splitAtSpaces(s: string): Generator<string> {
  let start = 0;
  for (;;) {
    const i = s.indexOf(' ', start);
    if (i < 0) {
      yield s.slice(start);
      return;
    }
    yield s.slice(start, i);
    start = i + 1;
    while (s[start] === ' ') start++;
  }
}

/** "Name <email>" for Maintainer/Changed-By; refuses anything that is not a valid address. */
export function maintainerField(value: string): string {
  const v = fieldValue(value, 200);
  const m = /^([^<>,]+?)\s*<([^<>\s@,]+@[^<>\s@,]+\.[^<>\s@,]+)>$/.exec(v);
  if (!m) throw new Error(`not a valid maintainer "Name <email>": ${v}`);
  if (/^none$/i.test((m[1] as string).trim()) || /^none@/i.test(m[2] as string)) throw new Error('maintainer must not be None');
  return `${(m[1] as string).trim()} <${m[2]}>`;
}

/** An URL for Homepage: http(s) only, no whitespace; otherwise empty (field omitted). */
export function urlField(value: string | undefined): string {
  if (!value) return '';
  const v = value.trim();
  if (!/^https?:\/\/[^\s<>"]+$/i.test(v)) return '';
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? v : '';
  } catch {
    return '';
  }
}

/** A Debian package name as it may appear in a maintainer script, checked, never quoted ad hoc. */
export function shellPackageName(name: string): string {
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(name)) throw new Error(`not a Debian package name: ${name}`);
  return name;
}

/** A shell single-quoted word (for any text that must land in a maintainer script). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** RFC 2822 date (changelog trailer) from seconds since the epoch, always UTC. */
export function rfc2822Date(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A changelog entry line: one line of text, wrapped by the caller; no control characters. */
export function changelogText(text: string): string {
  return fieldValue(text, 300);
}
