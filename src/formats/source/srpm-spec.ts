/**
 * Renders the SRPM's spec (templates/rpm-source/source.spec.hbs) from srpm-data.ts's values
 * with src/render/rpmspec.ts's escaping helpers, plus the few this template adds: a Source
 * line, a plain name, a relative path, a %pyproject_save_files argument — each refusing what
 * srpm-data.ts should already have kept out (a template bug, not the user's error).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { raw, Untrusted, type HelperFn } from '../../render/engine.js';
import { escapeMacros, rpmHelpers } from '../../render/rpmspec.js';
import { renderTemplate, type TemplateSet } from '../../render/templates.js';
import { templatesDir } from '../../paths.js';
import type { SrpmSource, SrpmSpecData } from './srpm-data.js';

export const SRPM_TEMPLATE = 'rpm-source/source.spec.hbs';

function check(re: RegExp, what: string, s: string): string {
  if (!re.test(s)) throw new Error(`template bug: not ${what}: ${JSON.stringify(s)}`);
  return s;
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._+:-]*$/;

export const srpmHelpers: Readonly<Record<string, HelperFn>> = {
  ...rpmHelpers,
  plain: (v) => check(PLAIN, 'a plain name', raw(v, 'plain')),
  relPath: (v) => check(/^[A-Za-z0-9][A-Za-z0-9._+-]*(\/[A-Za-z0-9][A-Za-z0-9._+-]*)*$/, 'a relative path', raw(v, 'relPath')),
  saveArg: (v) => check(/^([A-Za-z_][A-Za-z0-9_]*|'\*')$/, 'a %pyproject_save_files argument', raw(v, 'saveArg')),
  /** `SourceN: value`, the value a plain file name or an http(s) URL without blanks, `%` escaped */
  source: (v) => {
    const s = v as SrpmSource;
    if (typeof s !== 'object' || s === null || !Number.isInteger(s.n) || !(s.value instanceof Untrusted))
      throw new Error('template bug: source wants an SrpmSource');
    const value = check(/^([A-Za-z0-9][A-Za-z0-9._+-]*|https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/+-]*)$/, 'a Source value', Untrusted.text(s.value));
    return `${`Source${s.n}:`.padEnd(16)}${escapeMacros(value)}`;
  },
};

let set: Promise<TemplateSet> | undefined;

/** The built-in template, as a one-template set renderTemplate takes. */
export function srpmTemplate(): Promise<TemplateSet> {
  set ??= readFile(join(templatesDir(), SRPM_TEMPLATE), 'utf8').then((text) => ({
    format: 'rpm',
    templates: new Map([[SRPM_TEMPLATE, { text, from: 'builtin' as const }]]),
    digest: createHash('sha256')
      .update(`${SRPM_TEMPLATE}\0${createHash('sha256').update(text).digest('hex')}\n`)
      .digest('hex'),
    source: 'builtin',
  }));
  return set;
}

export async function renderSrpmSpec(data: SrpmSpecData): Promise<string> {
  return renderTemplate(await srpmTemplate(), SRPM_TEMPLATE, data, srpmHelpers);
}
