/** The output directory of the commands that write files (--out): made when missing, checked when present. */
import { access, constants, mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Py2pkgError } from './errors.js';
import { removeIfEmptyOnInterrupt } from './interrupt.js';

/**
 * Make sure `dir` is a writable directory: created (parents too, `mode` less the umask)
 * when missing, as every packager users know does; refused (OUTPUT_DIR) when it exists and is
 * not a writable directory, or cannot be made. Returns an undo that removes what it created,
 * so a failed run leaves the file system as it was.
 */
export async function prepareOutDir(dir: string, mode = 0o755): Promise<() => Promise<void>> {
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true, mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EEXIST') throw new Py2pkgError('OUTPUT_DIR', `output directory ${dir} exists and is not a directory`);
    throw new Py2pkgError('OUTPUT_DIR', `cannot create the output directory ${dir} (${code})`);
  }
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new Py2pkgError('OUTPUT_DIR', `output directory ${dir} is not a writable directory`);
  }
  if (created === undefined) return async () => {};
  // what mkdir made, deepest first: removed again only while empty (rmdir refuses anything else)
  const made: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    made.push(d);
    if (d === created || dirname(d) === d) break;
  }
  removeIfEmptyOnInterrupt(made);
  return async () => {
    for (const d of made) await rmdir(d).catch(() => {});
  };
}
