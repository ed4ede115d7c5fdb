/**
 * A long description as parsed text blocks, and the choice a Debian maintainer makes from
 * them (pure). The parsers (rst.ts through docutils, markdown.ts through markdown-it,
 * plain.ts) give blocks; `describe` keeps what says what the project is and lays it out
 * as plain text that src/render/deb822.ts and rpmspec.ts then escape:
 *
 *  - the first heading, when no text comes before it, is the README's title: it goes (and
 *    is never taken for a section to skip); other headings before the first text go too;
 *  - sections about getting, building or following the project are skipped with their
 *    subsections: SKIP_ANYWHERE / SKIP_START below (installation, usage, examples, change logs,
 *    licenses, contributing, links, documentation, support, ...); version-number headings
 *    (an inline change log) too. Every other section (Features, Overview, ...) is kept,
 *    its heading as a line of its own;
 *  - a first paragraph that only repeats the synopsis goes (lintian
 *    description-synopsis-is-duplicated); the text starts with a paragraph, never with a
 *    list or code (lintian description-starts-with-leading-spaces);
 *  - at most MAX_LINES lines and MAX_BYTES bytes, cut between blocks (a first paragraph
 *    longer than that is cut after a sentence); a lead-in ending in ":" whose block was
 *    cut goes too;
 *  - paragraphs wrapped at 79 columns, list items as " * text" (nested: 2 more spaces),
 *    code as 4-space indented verbatim lines (code wider than that goes, with a lead-in
 *    paragraph ending in ":" before it).
 */

export type Block = { t: 'h'; l: number; x: string } | { t: 'p'; x: string } | { t: 'i'; d: number; m: string; x: string; c: boolean } | { t: 'c'; x: string };

export const MAX_LINES = 30;
export const MAX_BYTES = 2048;
export const WIDTH = 79;

/** Headings of sections a package description leaves out: these words anywhere in the heading, */
const SKIP_ANYWHERE =
  /\b(install(s|ed|ing|ation)?|download(s|ing)?|getting started|quick ?start|how to use|examples?|tutorial|change ?logs?|changes|history|release notes?|what'?s new|upgrading|migrat(e|ion|ing)|licen[cs](e|es|ing)|copyright|contribut(e|es|ing|ors?)|tests?|testing|acknowledge?ments?|donat(e|ions?)|sponsors?|funding|documentation|api reference|see also|code of conduct|implementation details|supported (python )?versions)\b/i;
/** or these at its start (alone they are common words: "Unicode support", "Code generation"). */
const SKIP_START =
  /^(usage|setup|set-up|news|releases?|development|developing|hacking|building|running|authors?|credits|thanks|maintainers?|maintenance|support|links?|resources|docs|references?|faq|community|discussion|chat|questions|security|status|badges?|requirements?|dependencies|contact|help|issues?|bugs?|cloning|repository|source code|code|citing|citation|roadmap|todo|project (history|links|status))\b/i;

const VERSION_HEADING = /^v?\d+(\.\d+)+\b/i;

export const skipHeading = (text: string): boolean => SKIP_ANYWHERE.test(text) || SKIP_START.test(text.trim()) || VERSION_HEADING.test(text.trim());

const alnum = (s: string): string =>
  s
    .toLowerCase()
    .replace(/^(a|an|the)\s+/i, '')
    .replace(/[^a-z0-9]+/g, '');

/** Whether a paragraph says no more than the synopsis (lintian compares letters and digits). */
export function repeatsSynopsis(text: string, summary: string): boolean {
  const a = alnum(text);
  return a !== '' && a === alnum(summary.trim());
}

function wrap(text: string, width: number, first: string, rest: string): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    const candidate = empty ? `${line}${w}` : `${line} ${w}`;
    if ([...candidate].length > width && !empty) {
      out.push(line);
      line = `${rest}${w}`;
    } else line = candidate;
    empty = false;
  }
  out.push(line);
  return out;
}

/** The lines one block takes in the description. */
export function layoutBlock(b: Block): string[] {
  switch (b.t) {
    case 'h':
    case 'p':
      return wrap(b.x, WIDTH, '', '');
    case 'i': {
      const indent = ' '.repeat(1 + 2 * Math.min(b.d, 4));
      const hang = `${indent}${' '.repeat(b.m.length + 1)}`;
      return b.c ? wrap(b.x, WIDTH, hang, hang) : wrap(b.x, WIDTH, `${indent}${b.m} `, hang);
    }
    case 'c':
      return b.x
        .replace(/\t/g, '    ')
        .split('\n')
        .map((l) => `    ${l}`.trimEnd());
  }
}

/** Whether a blank line goes between two blocks (not between the items of one list). */
const joined = (a: Block, b: Block): boolean => a.t === 'i' && b.t === 'i';

const byteLength = (lines: string[]): number => Buffer.byteLength(lines.join('\n'), 'utf8');

/** Cut an over-long first paragraph after the last sentence that fits. */
function cutParagraph(b: Block & { t: 'p' }, maxLines: number, maxBytes: number): Block | undefined {
  const sentences = b.x.match(/[^.!?]+[.!?]+(\s|$)|[^.!?]+$/g) ?? [b.x];
  let text = '';
  for (const s of sentences) {
    const next = `${text}${s}`.trim();
    const lines = layoutBlock({ t: 'p', x: next });
    if (lines.length > maxLines || byteLength(lines) > maxBytes) break;
    text = `${next} `;
  }
  return text.trim() ? { t: 'p', x: text.trim() } : undefined;
}

/** The blocks a package description keeps (see the file comment). */
export function selectBlocks(blocks: readonly Block[], summary: string): Block[] {
  const kept: Block[] = [];
  let skipLevel: number | undefined;
  let seenText = false;
  let seenHeading = false;
  for (const b of blocks) {
    if (b.t === 'h') {
      const title = !seenText && !seenHeading;
      seenHeading = true;
      if (title) continue;
      if (skipLevel !== undefined && b.l > skipLevel) continue;
      skipLevel = undefined;
      if (skipHeading(b.x)) {
        skipLevel = b.l;
        continue;
      }
      if (!seenText) continue; // titles before the first text
      kept.push(b);
      continue;
    }
    if (skipLevel !== undefined) continue;
    if (!seenText && b.t === 'p' && repeatsSynopsis(b.x, summary)) continue;
    if (b.t === 'c' && layoutBlock(b).some((l) => [...l].length > WIDTH)) {
      // code that does not fit in 79 columns goes, with the lead-in that announced it
      const last = kept[kept.length - 1];
      if (last?.t === 'p' && /:\s*$/.test(last.x)) kept.pop();
      continue;
    }
    seenText = true;
    kept.push(b);
  }
  // a heading with nothing kept under it goes
  return kept.filter((b, i) => b.t !== 'h' || (kept[i + 1] !== undefined && kept[i + 1]?.t !== 'h'));
}

/**
 * The plain-text long description from parsed blocks: at most `maxLines` lines of at most
 * 79 columns and `maxBytes` bytes; '' when nothing is left.
 */
export function describe(blocks: readonly Block[], summary: string, fallback: string, opts: { maxLines?: number; maxBytes?: number } = {}): string {
  const maxLines = opts.maxLines ?? MAX_LINES;
  const maxBytes = opts.maxBytes ?? MAX_BYTES;
  const chosen = selectBlocks(blocks, summary);
  // start with a paragraph: code before the first paragraph goes, a list gets the fallback line first
  while (chosen[0]?.t === 'c') chosen.shift();
  if (chosen.length > 0 && chosen[0]?.t !== 'p') chosen.unshift({ t: 'p', x: fallback });
  const out: string[] = [];
  const taken: Block[] = [];
  for (const [i, b] of chosen.entries()) {
    const lines = layoutBlock(b);
    const gap = i > 0 && !joined(chosen[i - 1] as Block, b) ? [''] : [];
    const next = [...out, ...gap, ...lines];
    if (next.length > maxLines || byteLength(next) > maxBytes) {
      if (i === 0 && b.t === 'p') {
        const cut = cutParagraph(b, maxLines, maxBytes);
        if (cut) {
          out.push(...layoutBlock(cut));
          taken.push(cut);
        }
      }
      // a lead-in ("Here is the code:") or heading whose block was cut goes too
      while (taken.length > 0) {
        const last = taken[taken.length - 1] as Block;
        if (!(last.t === 'h' || (last.t === 'p' && /:\s*$/.test(last.x)))) break;
        const n = layoutBlock(last).length;
        taken.pop();
        out.splice(out.length - n, n);
        while (out.length > 0 && out[out.length - 1] === '') out.pop();
      }
      break;
    }
    out.splice(0, out.length, ...next);
    taken.push(b);
  }
  return out.join('\n');
}
