/**
 * Plain text (Description-Content-Type text/plain, and reStructuredText docutils could not
 * parse) -> text blocks (pure): paragraphs separated by blank lines; an indented paragraph
 * is verbatim (code); lines starting "- ", "* ", "+ " or "1. " are list items; a line
 * underlined with one repeated punctuation character is a heading.
 */
import type { Block } from './blocks.js';

const ITEM = /^([-*+]|\d{1,3}[.)])\s+(.*)$/;
const UNDERLINE = /^([=\-~^"'`#*+_.:])\1+\s*$/;

export function plainBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const paragraphs = source
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .split(/\n[ \t]*\n/);
  for (const para of paragraphs) {
    const lines = para.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    if (lines.every((l) => /^\s/.test(l))) {
      const indent = Math.min(...lines.map((l) => /^\s*/.exec(l)?.[0].length ?? 0));
      blocks.push({ t: 'c', x: lines.map((l) => l.slice(indent).trimEnd()).join('\n') });
      continue;
    }
    // an overlined/underlined title: "Title\n=====" or "=====\nTitle\n====="
    const content = lines.filter((l) => !UNDERLINE.test(l.trim()));
    if (content.length === 1 && content.length < lines.length) {
      blocks.push({ t: 'h', l: 1, x: (content[0] as string).trim() });
      continue;
    }
    let current: Block | undefined;
    const flush = () => {
      if (current && current.x.trim()) blocks.push({ ...current, x: current.x.replace(/\s+/g, ' ').trim() });
      current = undefined;
    };
    for (const line of lines) {
      const item = ITEM.exec(line.trim());
      if (item && !/^\s{4,}/.test(line)) {
        flush();
        current = { t: 'i', d: 0, m: /^\d/.test(item[1] as string) ? (item[1] as string).replace(')', '.') : '*', x: item[2] as string, c: false };
      } else if (current) current.x += ` ${line.trim()}`;
      else current = { t: 'p', x: line.trim() };
    }
    flush();
  }
  return blocks;
}
