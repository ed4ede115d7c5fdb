/**
 * Every release of a project on the configured locations, for `py2pkg outdated` (resolve.ts
 * chooses one sdist; this lists them all). The same sources and rules: --index-url and each
 * --extra-index-url (PEP 691/503 pages over HTTP(S) or file:), --find-links directories and
 * pages; pages are parsed by simple-api.ts (hostile: validated, size-capped). A location
 * that fails stops the run, as in resolve.ts.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareVersions, type Version } from '../python/pep440.js';
import { classifyDistFile } from '../source/filenames.js';
import { httpGet, type NetConfig } from '../source/http.js';
import { listFindLinksDirectory, readLocalProjectPage } from '../source/local-pages.js';
import { projectUrl } from '../source/resolve.js';
import { ACCEPT, parseProjectPage, type IndexFile } from '../source/simple-api.js';
import { publicUrl } from '../source/url.js';

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

/** A file: location's files, each with whether a signature lies beside it (a file: index may not say). */
async function withSignatures(files: IndexFile[] | undefined): Promise<IndexFile[] | undefined> {
  for (const f of files ?? [])
    if (f.gpgSig === undefined && f.url.protocol === 'file:')
      f.gpgSig = await stat(`${fileURLToPath(f.url)}.asc`).then(
        (s) => s.isFile(),
        () => false,
      );
  return files;
}

async function localPage(path: string, root: string, project: string | undefined, w: Where): Promise<IndexFile[] | undefined> {
  return withSignatures((await readLocalProjectPage(pathToFileURL(path), root, project, w))?.files);
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
      add(st?.isDirectory() ? await withSignatures(await listFindLinksDirectory(path)) : await localPage(path, dirname(path), undefined, w), publicUrl(loc));
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
