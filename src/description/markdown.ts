/**
 * Markdown (CommonMark + GFM tables and strikethrough, markdown-it's default preset) ->
 * text blocks (pure). markdown-it parses raw HTML as html_block/html_inline tokens (html:
 * true) so it is dropped rather than left as text; images go, links are their text, inline
 * code is its text, tables become aligned verbatim rows (no pipes) or go when too wide.
 */
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import type { Block } from './blocks.js';

let parser: MarkdownIt | undefined;

function inlineText(tokens: readonly Token[] | null): string {
  let out = '';
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'text':
      case 'code_inline':
        out += t.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        out += ' ';
        break;
      case 'image':
      case 'html_inline':
        break;
      default:
        // link_open/close, em, strong, s: the markers go, the text between them stays
        break;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

function tableBlock(rows: string[][]): Block | undefined {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  if (lines.some((l) => [...l].length > 75) || lines.every((l) => l === '')) return undefined;
  return { t: 'c', x: lines.join('\n') };
}

export function markdownBlocks(source: string): Block[] {
  parser ??= new MarkdownIt('default', { html: true, linkify: false, typographer: false });
  const tokens = parser.parse(source, {});
  const blocks: Block[] = [];
  // list nesting: marker kind and counter per level; per open item, whether a paragraph came
  const lists: Array<{ ordered: boolean; n: number }> = [];
  const items: Array<{ depth: number; marker: string; paragraphs: number }> = [];
  let table: string[][] | undefined;
  let row: string[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    switch (t.type) {
      case 'heading_open': {
        const x = inlineText((tokens[i + 1] as Token).children);
        if (x) blocks.push({ t: 'h', l: Number(t.tag.slice(1)), x });
        break;
      }
      case 'bullet_list_open':
        lists.push({ ordered: false, n: 0 });
        break;
      case 'ordered_list_open':
        lists.push({ ordered: true, n: Number(t.attrGet('start') ?? 1) - 1 });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'list_item_open': {
        const list = lists[lists.length - 1];
        if (!list) break;
        list.n += 1;
        items.push({ depth: lists.length - 1, marker: list.ordered ? `${list.n}.` : '*', paragraphs: 0 });
        break;
      }
      case 'list_item_close':
        items.pop();
        break;
      case 'paragraph_open': {
        const x = inlineText((tokens[i + 1] as Token).children);
        if (!x) break;
        const item = items[items.length - 1];
        if (item) {
          blocks.push({ t: 'i', d: item.depth, m: item.marker, x, c: item.paragraphs > 0 });
          item.paragraphs++;
        } else blocks.push({ t: 'p', x });
        break;
      }
      case 'fence':
      case 'code_block':
        if (t.content.trim()) blocks.push({ t: 'c', x: t.content.replace(/\s+$/, '') });
        break;
      case 'table_open':
        table = [];
        break;
      case 'tr_open':
        row = [];
        break;
      case 'th_open':
      case 'td_open':
        row?.push(inlineText((tokens[i + 1] as Token).children));
        break;
      case 'tr_close':
        if (row) table?.push(row);
        row = undefined;
        break;
      case 'table_close': {
        const b = table ? tableBlock(table) : undefined;
        if (b) blocks.push(b);
        table = undefined;
        break;
      }
      default:
        // html_block, hr, blockquotes (their paragraphs count), inline (read through its
        // opener), closers: nothing to add
        break;
    }
  }
  return blocks;
}
