/**
 * The set of templates one conversion renders with: the built-ins (templates/deb/*.hbs,
 * templates/rpm/*.hbs), each replaced by the file of the same relative path in the user's
 * directory (--templates DIR, or `templates` in the config file). Loaded and checked before
 * any work starts: an unknown .hbs file in DIR, an unreadable or over-large one is a
 * TEMPLATE error. The sha256 `digest` over the names and contents of the templates used
 * goes into provenance.json (with `source`: builtin or dir).
 *
 * Rendering a user's template that fails — a syntax error, a missing variable (strict
 * mode), an unknown helper, a value from the sdist printed without an escaping helper — is
 * a one-line TEMPLATE error naming the file; in a built-in template it is a bug.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { templatesDir } from '../paths.js';
import { UntrustedPrintError, type HelperFn } from './engine.js';

export type TemplateFormat = 'deb' | 'rpm';

/** Every built-in template, by format (relative paths below templates/). */
export const BUILTIN_TEMPLATES: Readonly<Record<TemplateFormat, readonly string[]>> = {
  deb: ['deb/changelog.hbs', 'deb/control.hbs', 'deb/copyright.hbs', 'deb/postinst.hbs', 'deb/prerm.hbs'],
  rpm: ['rpm/package.spec.hbs'],
};

const ALL_TEMPLATES = new Set([...BUILTIN_TEMPLATES.deb, ...BUILTIN_TEMPLATES.rpm]);
export const MAX_TEMPLATE_BYTES = 256 * 1024;

export interface TemplateSet {
  format: TemplateFormat;
  /** the user's directory, when one was given */
  dir?: string;
  /** relative path -> text and where it came from */
  templates: ReadonlyMap<string, { text: string; from: 'builtin' | 'dir' }>;
  /** sha256 (hex) over "path\0sha256(text)\n" of every template of the format, sorted */
  digest: string;
  source: 'builtin' | 'dir';
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** The .hbs files below a user's template directory, as relative paths (at most two levels). */
async function userTemplateFiles(dir: string): Promise<string[]> {
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new Py2pkgError('TEMPLATE', `template directory ${singleLine(dir, 200)} does not exist`);
  }
  if (!st.isDirectory()) throw new Py2pkgError('TEMPLATE', `${singleLine(dir, 200)} is not a directory of templates`);
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory() && depth < 2) await walk(full, depth + 1);
      else if (e.name.endsWith('.hbs')) out.push(relative(dir, full));
    }
  };
  await walk(dir, 0);
  return out.sort();
}

export async function loadTemplates(format: TemplateFormat, dir?: string): Promise<TemplateSet> {
  const user = dir ? await userTemplateFiles(dir) : [];
  for (const rel of user) {
    if (!ALL_TEMPLATES.has(rel)) {
      throw new Py2pkgError('TEMPLATE', `${singleLine(join(dir as string, rel), 200)} replaces no built-in template (known: ${[...ALL_TEMPLATES].join(', ')})`);
    }
  }
  const templates = new Map<string, { text: string; from: 'builtin' | 'dir' }>();
  for (const rel of BUILTIN_TEMPLATES[format]) {
    const mine = user.includes(rel);
    const path = mine ? join(dir as string, rel) : join(templatesDir(), rel);
    let buf: Buffer;
    try {
      const st = await stat(path);
      if (!st.isFile() || st.size > MAX_TEMPLATE_BYTES) throw new Error('not a regular file of at most 256 KiB');
      buf = await readFile(path);
    } catch (e) {
      throw new Py2pkgError('TEMPLATE', `cannot read template ${singleLine(path, 200)}: ${singleLine((e as Error).message, 120)}`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      throw new Py2pkgError('TEMPLATE', `template ${singleLine(path, 200)} is not UTF-8`);
    }
    templates.set(rel, { text, from: mine ? 'dir' : 'builtin' });
  }
  const digest = sha256([...templates.entries()].map(([rel, t]) => `${rel}\0${sha256(t.text)}\n`).join(''));
  const source = [...templates.values()].some((t) => t.from === 'dir') ? 'dir' : 'builtin';
  return { format, ...(dir ? { dir } : {}), templates, digest, source };
}

const builtinSets = new Map<TemplateFormat, Promise<TemplateSet>>();

/** The built-in set of a format (loaded once). */
export function builtinTemplates(format: TemplateFormat): Promise<TemplateSet> {
  let p = builtinSets.get(format);
  if (!p) {
    p = loadTemplates(format);
    builtinSets.set(format, p);
  }
  return p;
}

/**
 * The set a conversion renders with: a --templates directory is read afresh, the built-in set
 * is loaded once per process, so a batch compiles each built-in template once.
 */
export function templatesFor(format: TemplateFormat, dir?: string): Promise<TemplateSet> {
  return dir ? loadTemplates(format, dir) : builtinTemplates(format);
}

type Compiled = (data: unknown) => string;
const compiled = new WeakMap<TemplateSet, Map<string, Compiled>>();

async function compiledTemplate(set: TemplateSet, relPath: string, helpers: Readonly<Record<string, HelperFn>>): Promise<Compiled> {
  let cache = compiled.get(set);
  if (!cache) {
    cache = new Map();
    compiled.set(set, cache);
  }
  let fn = cache.get(relPath);
  if (!fn) {
    const Handlebars = (await import('handlebars')).default;
    const hb = Handlebars.create();
    // log would print values to the console, outside any escaping
    hb.registerHelper('log', () => {
      throw new Error('the log helper is not available in py2pkg templates');
    });
    for (const [name, helper] of Object.entries(helpers)) {
      // Handlebars passes an options object last; our helpers ignore it
      hb.registerHelper(name, (...args: unknown[]) => helper(...args.slice(0, -1)));
    }
    fn = hb.compile(templateOf(set, relPath).text, { noEscape: true, strict: true, knownHelpersOnly: false });
    cache.set(relPath, fn);
  }
  return fn;
}

function templateOf(set: TemplateSet, relPath: string) {
  const found = set.templates.get(relPath);
  if (!found) throw new Error(`no template ${relPath} in the ${set.format} set`);
  return found;
}

/**
 * Compile templates ahead of their render (a packager calls this while the sandboxed build
 * runs): Handlebars compiles a template on its first call, so each is called once with no data,
 * which a strict template refuses after compiling; that refusal, or a template that does not
 * compile, is left for the real render to report. Only the renderer's own helpers, as the real
 * render registers them (the compiled template keeps them).
 */
export async function warmTemplates(set: TemplateSet, relPaths: readonly string[], helpers: Readonly<Record<string, HelperFn>>): Promise<void> {
  for (const relPath of relPaths) {
    if (!set.templates.has(relPath)) continue;
    try {
      (await compiledTemplate(set, relPath, helpers))({});
    } catch {
      // see above
    }
  }
}

export async function renderTemplate(
  set: TemplateSet,
  relPath: string,
  data: Record<string, unknown>,
  helpers: Readonly<Record<string, HelperFn>>,
): Promise<string> {
  const { from } = templateOf(set, relPath);
  const where = from === 'dir' ? join(set.dir as string, relPath) : `built-in template ${relPath}`;
  try {
    return (await compiledTemplate(set, relPath, helpers))(data);
  } catch (e) {
    const what =
      e instanceof UntrustedPrintError
        ? 'prints a value from the sdist without an escaping helper (field, folded, synopsis, ...: see the README.md of py2pkg templates export)'
        : singleLine((e as Error).message, 200);
    if (from === 'dir') throw new Py2pkgError('TEMPLATE', `${singleLine(where, 200)} ${e instanceof UntrustedPrintError ? what : `failed: ${what}`}`);
    throw new Error(`template bug in ${where}: ${what}`);
  }
}
