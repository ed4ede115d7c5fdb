/**
 * Just enough HTML for PEP 503 pages: the anchors (`<a href=… data-…>text</a>`), the
 * `<base href>`, and `<meta name="pypi:repository-version">`. Anything that cannot be read
 * unambiguously (a tag or quoted value left open, an anchor without href or never closed)
 * is malformed: the page is refused rather than guessed at.
 */

export interface Anchor {
  /** attribute names lower-cased; values entity-decoded */
  attrs: Map<string, string>;
  text: string;
}

export interface HtmlPage {
  anchors: Anchor[];
  base: string | undefined;
  /** content of <meta name="pypi:repository-version"> */
  repositoryVersion: string | undefined;
}

export class HtmlError extends Error {}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#[0-9]+|#x[0-9a-f]+|[a-z]+);?/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const n = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(n);
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

const UNQUOTED = /[^\s>]*/y;

/** Attributes of one start tag, from just after its name up to (not including) '>'. */
function parseAttributes(src: string, at: number): { attrs: Map<string, string>; end: number } {
  const attrs = new Map<string, string>();
  let i = at;
  for (;;) {
    while (i < src.length && /\s/.test(src[i] ?? '')) i++;
    if (i >= src.length) throw new HtmlError('a tag is not closed');
    const c = src[i];
    if (c === '>') return { attrs, end: i + 1 };
    if (c === '/' && src[i + 1] === '>') return { attrs, end: i + 2 };
    const nameMatch = /^[^\s"'>/=]+/.exec(src.slice(i, i + 256));
    if (!nameMatch) throw new HtmlError(`unexpected ${JSON.stringify(c)} in a tag`);
    const name = nameMatch[0].toLowerCase();
    i += nameMatch[0].length;
    while (i < src.length && /\s/.test(src[i] ?? '')) i++;
    let value = '';
    if (src[i] === '=') {
      i++;
      while (i < src.length && /\s/.test(src[i] ?? '')) i++;
      const q = src[i];
      if (q === '"' || q === "'") {
        const close = src.indexOf(q, i + 1);
        if (close < 0) throw new HtmlError('a quoted attribute value is not closed');
        value = src.slice(i + 1, close);
        i = close + 1;
      } else {
        UNQUOTED.lastIndex = i;
        value = UNQUOTED.exec(src)?.[0] ?? '';
        if (value.includes('"') || value.includes("'") || value.includes('<') || value.includes('`')) {
          throw new HtmlError('an unquoted attribute value holds quotes');
        }
        i += value.length;
      }
    }
    if (attrs.has(name)) throw new HtmlError(`attribute ${name} given twice`);
    attrs.set(name, decodeEntities(value));
  }
}

export function parseHtml(src: string): HtmlPage {
  const anchors: Anchor[] = [];
  let base: string | undefined;
  let repositoryVersion: string | undefined;
  let open: { attrs: Map<string, string>; textStart: number } | undefined;
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) break;
    if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt + 4);
      if (end < 0) throw new HtmlError('a comment is not closed');
      i = end + 3;
      continue;
    }
    if (src[lt + 1] === '!' || src[lt + 1] === '?') {
      const end = src.indexOf('>', lt);
      if (end < 0) throw new HtmlError('a declaration is not closed');
      i = end + 1;
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(src.slice(lt, lt + 64));
    if (!m) {
      i = lt + 1; // a bare '<' in text
      continue;
    }
    const closing = m[1] === '/';
    const tag = (m[2] ?? '').toLowerCase();
    const { attrs, end } = parseAttributes(src, lt + m[0].length);
    if (closing) {
      if (tag === 'a') {
        if (!open) throw new HtmlError('</a> without <a>');
        anchors.push({ attrs: open.attrs, text: decodeEntities(src.slice(open.textStart, lt).replace(/<[^>]*>/g, '')).trim() });
        open = undefined;
      }
    } else if (tag === 'a') {
      if (open) throw new HtmlError('an <a> inside another <a>');
      if (!attrs.has('href')) throw new HtmlError('an <a> without href');
      open = { attrs, textStart: end };
    } else if (tag === 'base' && base === undefined && attrs.has('href')) {
      base = attrs.get('href');
    } else if (tag === 'meta' && attrs.get('name')?.toLowerCase() === 'pypi:repository-version') {
      repositoryVersion = attrs.get('content');
    } else if (tag === 'script' || tag === 'style') {
      const close = src.toLowerCase().indexOf(`</${tag}`, end);
      if (close < 0) throw new HtmlError(`<${tag}> is not closed`);
      i = close;
      continue;
    }
    i = end;
  }
  if (open) throw new HtmlError('an <a> is not closed');
  return { anchors, base, repositoryVersion };
}
