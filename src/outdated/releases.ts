/**
 * Every release of a project on the configured locations, for `py2pkg outdated` (resolve.ts
 * chooses one sdist; this lists them all). The same sources and rules: --index-url and each
 * --extra-index-url (PEP 691/503 pages over HTTP(S) or file:), --find-links directories and
 * pages; pages are parsed by simple-api.ts (hostile: validated, size-capped). A location
 * that fails stops the run, as in resolve.ts.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Py2pkgError } from '../errors.js';
import { compareVersions, type Version } from '../python/pep440.js';
import { classifyDistFile } from '../source/filenames.js';
import { formatSize, httpGet, type NetConfig } from '../source/http.js';
import { projectUrl } from '../source/resolve.js';
import { ACCEPT, parseProjectPage, type IndexFile } from '../source/simple-api.js';
import { isSafeFilename, publicUrl } from '../source/url.js';

export interface Release {
  version: string;
  parsed: Version;
  file: IndexFile;
  /** the location that listed it, credentials removed */
  source: string;
}

export interface Where {
  indexUrls: URL[];
  findLinks: URL[];
  maxPageBytes: number;
  net: NetConfig;
  warn: (m: string) => void;
}

async function localPage(path: string, root: string, project: string | undefined, w: Where): Promise<IndexFile[] | undefined> {
  const st = await stat(path).catch(() => undefined);
  const file = st?.isDirectory() ? join(path, 'index.html') : path;
  const fst = await stat(file).catch(() => undefined);
  if (!fst?.isFile()) return undefined;
  if (fst.size > w.maxPageBytes) throw new Py2pkgError('INDEX_TOO_LARGE', `index page ${file} is larger than the ${formatSize(w.maxPageBytes)} limit`);
  const type = file.endsWith('.json') ? 'application/vnd.pypi.simple.v1+json' : 'text/html';
  const page = parseProjectPage(await readFile(file), type, { url: pathToFileURL(file), fileRoot: root, project, warn: w.warn });
  // a file: index may not say whether a signature exists: look beside the file
  for (const f of page.files)
    if (f.gpgSig === undefined && f.url.protocol === 'file:')
      f.gpgSig = await stat(`${fileURLToPath(f.url)}.asc`).then(
        (s) => s.isFile(),
        () => false,
      );
  return page.files;
}

async function remotePage(url: URL, project: string | undefined, w: Where): Promise<IndexFile[] | undefined> {
  const r = await httpGet(url, w.net, {
    what: project ? `index page of ${project}` : 'find-links page',
    headers: { accept: ACCEPT },
    maxBytes: w.maxPageBytes,
    tooLargeCode: 'INDEX_TOO_LARGE',
    passStatuses: [404, 410],
    gunzip: true,
  });
  if (r.status === 404 || r.status === 410) return undefined;
  return parseProjectPage(r.body ?? Buffer.alloc(0), String(r.headers['content-type'] ?? ''), { url: r.url, fileRoot: undefined, project, warn: w.warn }).files;
}

async function listDirectory(dir: string): Promise<IndexFile[]> {
  const out: IndexFile[] = [];
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    if (!isSafeFilename(name) || name.endsWith('.asc')) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (!st?.isFile()) continue;
    out.push({
      filename: name,
      url: pathToFileURL(join(dir, name)),
      hashes: {},
      requiresPython: undefined,
      yanked: false,
      gpgSig: names.includes(`${name}.asc`),
      coreMetadata: false,
      size: st.size,
    });
  }
  return out;
}

/** The project's sdists on every location, newest first; undefined when no location lists the project. */
export async function listReleases(project: string, w: Where): Promise<Release[] | undefined> {
  const found: Release[] = [];
  let listed = false;
  const add = (files: IndexFile[] | undefined, source: string) => {
    if (!files) return;
    for (const file of files) {
      const d = classifyDistFile(file.filename, project);
      if (d.kind === 'other') continue;
      listed = true;
      if (d.kind === 'sdist') found.push({ version: d.version, parsed: d.parsed, file, source });
    }
  };
  for (const loc of w.findLinks) {
    if (loc.protocol === 'file:') {
      const path = fileURLToPath(loc);
      const st = await stat(path).catch(() => undefined);
      add(st?.isDirectory() ? await listDirectory(path) : await localPage(path, dirname(path), undefined, w), publicUrl(loc));
    } else {
      add(await remotePage(loc, undefined, w), publicUrl(loc));
    }
  }
  for (const index of w.indexUrls) {
    const url = projectUrl(index, project);
    if (index.protocol === 'file:') {
      const root = dirname(fileURLToPath(index).replace(/\/+$/, ''));
      const files = await localPage(fileURLToPath(url), root, project, w);
      if (files) listed = true;
      add(files, publicUrl(index));
    } else {
      const files = await remotePage(url, project, w);
      if (files) listed = true;
      add(files, publicUrl(index));
    }
  }
  if (!listed) return undefined;
  return found.sort((a, b) => compareVersions(b.parsed, a.parsed));
}
