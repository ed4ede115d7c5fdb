/**
 * Handlebars, configured so it cannot leak unescaped metadata: escaping off (we are not
 * writing HTML), strict mode (a missing value is an error, not an empty string), and every
 * value from the sdist wrapped in `Untrusted`, whose toString() throws and whose text sits
 * in a private field no template can reach (`{{x.value}}`, `{{#each x}}` and `{{lookup}}`
 * find nothing). A template — built in or the user's (--templates, src/render/templates.ts)
 * — can only print such a value through a typed helper that escapes it for where it lands.
 */
import { changelogText, fieldValue, foldedText, maintainerField, rfc2822Date, shellPackageName, synopsis, urlField, wrapLine } from './deb822.js';

/** Thrown when a template prints an Untrusted value directly. */
export class UntrustedPrintError extends Error {
  constructor() {
    super('a value from the sdist was printed without an escaping helper');
    this.name = 'UntrustedPrintError';
  }
}

export class Untrusted {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The raw text, for helpers and pure code only (templates cannot call this). */
  static text(u: Untrusted): string {
    return u.#value;
  }
  toString(): string {
    throw new UntrustedPrintError();
  }
  toJSON(): never {
    throw new UntrustedPrintError();
  }
}

export const untrusted = (v: string | undefined): Untrusted => new Untrusted(v ?? '');

/** The text of a helper argument: an Untrusted value's, or a plain string or number. */
export function raw(v: unknown, helper: string): string {
  if (v instanceof Untrusted) return Untrusted.text(v);
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new Error(`helper ${helper} got ${v === undefined ? 'nothing' : typeof v}`);
}

export type HelperFn = (...args: unknown[]) => string | boolean;

/** Helpers every template has: `{{#if (present x)}}` tests an Untrusted value for text. */
export const commonHelpers: Readonly<Record<string, HelperFn>> = {
  present: (v) => raw(v, 'present').trim() !== '',
};

/** Helpers for deb822 files and maintainer scripts. */
export const debHelpers: Readonly<Record<string, HelperFn>> = {
  ...commonHelpers,
  field: (v) => fieldValue(raw(v, 'field')),
  /** a multi-line field value from a list: the first item on the field's line, each further one on a continuation line */
  lines: (v) => {
    if (!Array.isArray(v)) throw new Error('lines wants a list');
    return v
      .map((x) => fieldValue(raw(x, 'lines')))
      .filter(Boolean)
      .join('\n ');
  },
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
    return v
      .map((r) => {
        const s = raw(r, 'relations');
        if (
          !/^[a-z0-9][a-z0-9+.-]+(:any)?( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?( \| [a-z0-9][a-z0-9+.-]+(:any)?( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?)*$/.test(
            s,
          )
        ) {
          throw new Error(`not a dependency relation: ${s}`);
        }
        return s;
      })
      .join(', ');
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
  bullet: (v) =>
    wrapLine(`* ${changelogText(raw(v, 'bullet'))}`, 78)
      .map((l) => `  ${l}`)
      .join('\n'),
};
