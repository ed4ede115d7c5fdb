/**
 * The resolve stage: a requirement -> the chosen sdist on the configured indexes and
 * find-links locations. Pages come over HTTP(S) (revalidated against the cache with
 * ETag / Last-Modified, or from the cache alone with --offline) or from file: URLs; find-links
 * directories are listed. Every location is asked, as pip does, and the newest match wins
 * (select.ts); a location that fails stops the run rather than being skipped, so blocking
 * one index cannot steer the choice to another.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Py2pkgError, singleLine } from '../errors.js';
import type { CacheTransaction, DownloadCache } from './cache.js';
import { classifyDistFile } from './filenames.js';
import { httpGet, type NetConfig } from './http.js';
import { listFindLinksDirectory, readLocalProjectPage } from './local-pages.js';
import type { ByNameRequirement } from './options.js';
import { selectSdist, type Listed, type Selection, type SourceRef } from './select.js';
import { ACCEPT, parseProjectPage, type IndexFile, type ProjectPage } from './simple-api.js';
import { publicUrl, redactUrl, splitCredentials } from './url.js';

export interface SourceContext {
  net: NetConfig;
  cache: DownloadCache;
  tx: CacheTransaction;
  offline: boolean;
  maxPageBytes: number;
  /** shown unless --quiet */
  warn: (message: string) => void;
  progress: (message: string) => void;
}

export interface Resolution extends Selection {
  /** how many locations listed the project */
  foundOn: string[];
}

type PageResult = { page: ProjectPage } | { missing: 'not-found' | 'offline' };

/** The project page URL on an index: `<index>/<canonical-name>/`. */
export function projectUrl(index: URL, project: string): URL {
  return new URL(`${encodeURIComponent(project)}/`, index);
}

async function readLocalPage(url: URL, root: string, project: string | undefined, ctx: SourceContext): Promise<PageResult> {
  const page = await readLocalProjectPage(url, root, project, ctx);
  return page ? { page } : { missing: 'not-found' };
}

async function fetchRemotePage(url: URL, project: string | undefined, ctx: SourceContext): Promise<PageResult> {
  const key = publicUrl(url);
  const cached = await ctx.cache.readPage(key);
  const parse = (body: Buffer, type: string, at: URL) => parseProjectPage(body, type, { url: at, fileRoot: undefined, project, warn: ctx.warn });
  if (ctx.offline) {
    if (!cached) return { missing: 'offline' };
    return { page: parse(Buffer.from(cached.body, 'base64'), cached.contentType, splitCredentials(url).url) };
  }
  const headers: Record<string, string> = { accept: ACCEPT, 'cache-control': 'max-age=0' };
  if (cached?.etag) headers['if-none-match'] = cached.etag;
  if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
  const what = project ? `index page of ${project}` : 'find-links page';
  const r = await httpGet(url, ctx.net, {
    what,
    headers,
    maxBytes: ctx.maxPageBytes,
    tooLargeCode: 'INDEX_TOO_LARGE',
    passStatuses: cached ? [404, 410, 304] : [404, 410],
    gunzip: true,
  });
  if (r.status === 404 || r.status === 410) return { missing: 'not-found' };
  if (r.status === 304 && cached) {
    return { page: parse(Buffer.from(cached.body, 'base64'), cached.contentType, r.url) };
  }
  const contentType = String(r.headers['content-type'] ?? '');
  const body = r.body ?? Buffer.alloc(0);
  const page = parse(body, contentType, r.url);
  const etag = typeof r.headers.etag === 'string' ? r.headers.etag : undefined;
  const lastModified = typeof r.headers['last-modified'] === 'string' ? r.headers['last-modified'] : undefined;
  await ctx.tx.stagePage({ url: key, contentType, etag, lastModified, body: body.toString('base64') });
  return { page };
}

export async function resolveRequirement(
  req: ByNameRequirement,
  where: { indexUrls: URL[]; findLinks: URL[]; pre: boolean; pythonVersion: string },
  ctx: SourceContext,
): Promise<Resolution> {
  const listed: Listed[] = [];
  const foundOn: string[] = [];
  const offlineMisses: string[] = [];
  const add = (files: IndexFile[], source: SourceRef) => {
    // a flat location (find-links) holds other projects' files too: only this project's count
    const mine = files.filter((f) => classifyDistFile(f.filename, req.project).kind !== 'other');
    for (const file of mine) listed.push({ file, source });
    if (mine.length > 0) foundOn.push(source.url);
  };

  for (const loc of where.findLinks) {
    const source: SourceRef = { url: publicUrl(loc), kind: 'find-links' };
    if (loc.protocol === 'file:') {
      const path = fileURLToPath(loc);
      const st = await stat(path).catch(() => undefined);
      if (st?.isDirectory()) {
        add(await listFindLinksDirectory(path), source);
        continue;
      }
      const r = await readLocalPage(loc, dirname(path), undefined, ctx);
      if ('page' in r) add(r.page.files, source);
      continue;
    }
    ctx.progress(`look in ${redactUrl(loc)}`);
    const r = await fetchRemotePage(loc, undefined, ctx);
    if ('page' in r) add(r.page.files, source);
    else if (r.missing === 'offline') offlineMisses.push(redactUrl(loc));
    else throw new Py2pkgError('FETCH_FAILED', `find-links page ${redactUrl(loc)} answered 404`);
  }

  for (const index of where.indexUrls) {
    const url = projectUrl(index, req.project);
    const source: SourceRef = { url: publicUrl(index), kind: 'index' };
    let r: PageResult;
    ctx.progress(`resolve ${req.text} on ${redactUrl(index)}${ctx.offline && index.protocol !== 'file:' ? ' (offline: from the cache)' : ''}`);
    if (index.protocol === 'file:') {
      // a file index is a directory tree <root>/simple/...: its links stay inside <root>
      const root = dirname(fileURLToPath(index).replace(/\/+$/, ''));
      r = await readLocalPage(url, root, req.project, ctx);
    } else {
      r = await fetchRemotePage(url, req.project, ctx);
    }
    if ('page' in r) {
      add(r.page.files, source);
      if (!foundOn.includes(source.url)) foundOn.push(source.url);
    } else if (r.missing === 'offline') offlineMisses.push(redactUrl(index));
  }

  if (listed.length === 0 && foundOn.length === 0) {
    if (offlineMisses.length > 0) {
      throw new Py2pkgError('FETCH_OFFLINE', `--offline: the page of ${req.project} on ${offlineMisses.join(', ')} is not in the cache`);
    }
    const places = [...where.indexUrls.map(redactUrl), ...where.findLinks.map(redactUrl)];
    throw new Py2pkgError('INDEX_NOT_FOUND', `no project named ${req.project} on ${singleLine(places.join(', '), 240)}`);
  }
  for (const miss of offlineMisses) ctx.warn(`--offline: ${miss} skipped (its page of ${req.project} is not in the cache)`);
  const selection = selectSdist({ project: req.project, specifier: req.specifier, pre: where.pre, pythonVersion: where.pythonVersion }, listed);
  if (foundOn.length > 1)
    ctx.warn(
      `${req.project} is listed on ${foundOn.length} locations (${foundOn.map(redactUrl).join(', ')}); took ${selection.chosen.file.filename} from ${selection.chosen.source.url}`,
    );
  if (selection.yankedReason !== undefined) {
    ctx.warn(
      `${selection.chosen.file.filename} is yanked${selection.yankedReason ? ` (${singleLine(selection.yankedReason, 120)})` : ''}; taken because the requirement pins it`,
    );
  }
  return { ...selection, foundOn };
}
