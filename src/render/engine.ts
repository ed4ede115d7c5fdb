/**
 * Handlebars, configured so it cannot leak unescaped metadata: escaping off (we are not
 * writing HTML), strict mode (a missing value is an error, not an empty string), and every
 * value from the sdist wrapped in `Untrusted`, whose toString() throws. A template can only
 * print such a value through a typed helper that escapes it for the place it lands.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { templatesDir } from '../paths.js';
import { changelogText, fieldValue, foldedText, maintainerField, rfc2822Date, shellPackageName, synopsis, urlField, wrapLine } from './deb822.js';

export class Untrusted {
  constructor(readonly value: string) {}
  toString(): string {
    throw new Error('template bug: an untrusted value was printed without an escaping helper');
  }
}

export const untrusted = (v: string | undefined): Untrusted => new Untrusted(v ?? '');

function raw(v: unknown, helper: string): string {
  if (v instanceof Untrusted) return v.value;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new Error(`template bug: helper ${helper} got ${typeof v}`);
}

type HelperFn = (...args: unknown[]) => string;

/** Helpers for deb822 files and maintainer scripts. */
export const debHelpers: Readonly<Record<string, HelperFn>> = {
  field: (v) => fieldValue(raw(v, 'field')),
  synopsis: (v, fallback) => synopsis(raw(v, 'synopsis'), raw(fallback, 'synopsis')),
  folded: (v) => foldedText(raw(v, 'folded')),
  maintainer: (v) => maintainerField(raw(v, 'maintainer')),
  pkgname: (v) => shellPackageName(raw(v, 'pkgname')),
  debversion: (v) => {
    const s = raw(v, 'debversion');
    if (!/^(\d+:)?[0-9][A-Za-z0-9.+~-]*$/.test(s)) throw new Error(`not a Debian version: ${s}`);
    return s;
  },
  int: (v) => {
    const s = raw(v, 'int');
    if (!/^\d+$/.test(s)) throw new Error(`not an integer: ${s}`);
    return s;
  },
  relations: (v) => {
    if (!Array.isArray(v)) throw new Error('relations wants a list');
    return v.map((r) => {
      const s = raw(r, 'relations');
      if (!/^[a-z0-9][a-z0-9+.-]+(:any)?( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?( \| [a-z0-9][a-z0-9+.-]+(:any)?( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?)*$/.test(s)) {
        throw new Error(`not a dependency relation: ${s}`);
      }
      return s;
    }).join(', ');
  },
  /** "Label: value\n" when the url is a valid http(s) url, else nothing */
  homepageLine: (v) => {
    const u = urlField(raw(v, 'homepageLine'));
    return u ? `Homepage: ${u}\n` : '';
  },
  path: (v) => {
    const s = raw(v, 'path');
    if (!/^\/[A-Za-z0-9._/+-]+$/.test(s)) throw new Error(`not a safe absolute path: ${s}`);
    return s;
  },
  date: (v) => rfc2822Date(Number(raw(v, 'date'))),
  /** a changelog bullet: "  * text" wrapped at 80 columns with 4-space continuation lines */
  bullet: (v) => wrapLine(`* ${changelogText(raw(v, 'bullet'))}`, 78).map((l) => `  ${l}`).join('\n'),
};

const cache = new Map<string, (data: unknown) => string>();

export async function renderTemplate(relPath: string, data: Record<string, unknown>, helpers: Readonly<Record<string, HelperFn>>): Promise<string> {
  let fn = cache.get(relPath);
  if (!fn) {
    const Handlebars = (await import('handlebars')).default;
    const hb = Handlebars.create();
    for (const [name, helper] of Object.entries(helpers)) {
      // Handlebars passes an options object last; our helpers ignore it
      hb.registerHelper(name, (...args: unknown[]) => helper(...args.slice(0, -1)));
    }
    const source = await readFile(join(templatesDir(), relPath), 'utf8');
    fn = hb.compile(source, { noEscape: true, strict: true, knownHelpersOnly: false });
    cache.set(relPath, fn);
  }
  return fn(data);
}
