/** `py2pkg templates export`: the built-in templates and README.md, written into a directory. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { templatesReadme } from './template-docs.js';
import { builtinTemplates } from './templates.js';

/** Writes DIR/deb/*.hbs, DIR/rpm/*.hbs and DIR/README.md; refuses to overwrite unless `force`. */
export async function exportTemplates(dir: string, force: boolean): Promise<string[]> {
  const root = resolve(dir);
  const files = new Map<string, string>();
  for (const format of ['deb', 'rpm'] as const) for (const [rel, t] of (await builtinTemplates(format)).templates) files.set(rel, t.text);
  files.set('README.md', `${templatesReadme()}\n`);
  const existing = [...files.keys()].filter((rel) => existsSync(join(root, rel)));
  if (existing.length > 0 && !force) {
    throw new Py2pkgError('OUTPUT_DIR', `${singleLine(root, 200)} already holds ${existing.join(', ')}`, {
      hint: 'pass --force to overwrite them, or export into a new directory',
    });
  }
  const written: string[] = [];
  for (const [rel, text] of files) {
    const path = join(root, rel);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    } catch (e) {
      throw new Py2pkgError('OUTPUT_DIR', `cannot write ${singleLine(path, 200)}: ${singleLine((e as Error).message, 120)}`);
    }
    written.push(path);
  }
  return written;
}
