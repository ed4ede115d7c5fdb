/**
 * The index locations on this machine: a find-links directory (its files, no hashes: they are
 * local, the signature still decides) and a project page in a file: index or a find-links
 * page file, size-checked before it is parsed. Shared by resolving a requirement
 * (resolve.ts) and listing a project's releases (src/outdated/releases.ts).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Py2pkgError } from '../errors.js';
import { formatSize } from './http.js';
import { parseProjectPage, type IndexFile, type ProjectPage } from './simple-api.js';
import { isSafeFilename } from './url.js';

export async function listFindLinksDirectory(dir: string): Promise<IndexFile[]> {
  const files: IndexFile[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!isSafeFilename(name)) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (!st?.isFile()) continue;
    files.push({
      filename: name,
      url: pathToFileURL(join(dir, name)),
      hashes: {},
      requiresPython: undefined,
      yanked: false,
      gpgSig: undefined,
      coreMetadata: false,
      size: st.size,
    });
  }
  return files;
}

/** The page at `url` (a directory means its index.html); undefined when there is none. Links stay inside `root`. */
export async function readLocalProjectPage(
  url: URL,
  root: string,
  project: string | undefined,
  limits: { maxPageBytes: number; warn: (m: string) => void },
): Promise<ProjectPage | undefined> {
  let path = fileURLToPath(url);
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) path = join(path, 'index.html');
  const file = await stat(path).catch(() => undefined);
  if (!file?.isFile()) return undefined;
  if (file.size > limits.maxPageBytes)
    throw new Py2pkgError('INDEX_TOO_LARGE', `index page ${path} is larger than the ${formatSize(limits.maxPageBytes)} limit`);
  const body = await readFile(path);
  const type = path.endsWith('.json') ? 'application/vnd.pypi.simple.v1+json' : 'text/html';
  return parseProjectPage(body, type, { url: pathToFileURL(path), fileRoot: root, project, warn: limits.warn });
}
