/**
 * A strict deb822 reader for what py2pkg publishes and verifies (control paragraphs from
 * `dpkg-deb --field`, Packages, Release): field names as Debian policy allows them,
 * continuation lines kept verbatim, no control characters. Pure.
 */

export interface Field {
  name: string;
  /** the value as written: first line, then "\n" + continuation lines (with their leading space) */
  value: string;
}

export type Paragraph = Field[];

// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const FIELD_NAME = /^[!-9;-~][!-9;-~]*$/;

export function parseParagraphs(text: string): Paragraph[] {
  if (BAD_CHARS.test(text.replace(/\t/g, ' '))) throw new Error('control characters in deb822 text');
  const paragraphs: Paragraph[] = [];
  let cur: Paragraph = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (cur.length) paragraphs.push(cur);
      cur = [];
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = cur[cur.length - 1];
      if (!last) throw new Error('continuation line before any field');
      last.value += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a field: ${line.slice(0, 60)}`);
    const name = line.slice(0, colon);
    if (!FIELD_NAME.test(name) || name.startsWith('-')) throw new Error(`bad field name ${name.slice(0, 60)}`);
    if (cur.some((f) => f.name.toLowerCase() === name.toLowerCase())) throw new Error(`duplicate field ${name}`);
    cur.push({ name, value: line.slice(colon + 1).trim() });
  }
  if (cur.length) paragraphs.push(cur);
  return paragraphs;
}

export function get(p: Paragraph, name: string): string | undefined {
  return p.find((f) => f.name.toLowerCase() === name.toLowerCase())?.value;
}

export function render(p: Paragraph): string {
  return p.map((f) => `${f.name}:${f.value.startsWith('\n') || f.value === '' ? '' : ' '}${f.value}\n`).join('');
}
