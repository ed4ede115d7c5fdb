/**
 * The fetch stage: the chosen sdist (and its detached signature) into the content-addressed
 * cache. A download streams to a temp file in the cache, is checked against every strong
 * hash the index gives (sha256/384/512; refused when there is none, unless --allow-no-hash
 * or the file is local), and is staged for an atomic rename when the whole run's fetching
 * succeeded. The signature is `<file URL>.asc`: fetched when the index hints one, probed
 * otherwise (404 = no signature), skipped when the index says there is none (unless the
 * policy pins signers). The PEP 740 provenance object comes from the index's link or PyPI's
 * Integrity API.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Py2pkgError, singleLine } from '../errors.js';
import { MAX_PROVENANCE_BYTES } from '../trust/pep740-object.js';
import { MAX_SIGNATURE_FILE_BYTES } from '../trust/pgp-read.js';
import { canonicalizeName } from '../python/pep508.js';
import { splitSdistFilename } from './filenames.js';
import { formatSize, httpGet } from './http.js';
import type { SourceContext } from './resolve.js';
import type { Candidate } from './select.js';
import { publicUrl, redactUrl } from './url.js';

/** Hashes strong enough to stand for "the index vouched for these bytes". */
export const STRONG_HASHES = ['sha256', 'sha384', 'sha512'] as const;

export interface Fetched {
  /** the blob's final path in the cache (valid once the transaction is committed) */
  blob: string;
  sha256: string;
  size: number;
}

export interface FetchedSdist extends Fetched {
  /** the sha256 the index gave, null when it gave none */
  indexSha256: string | null;
  fromCache: boolean;
}

export interface FetchedSignature extends Fetched {
  url: string;
}

export interface FetchOptions {
  allowNoHash: boolean;
  maxFileBytes: number;
  onProgress?: (received: number, total: number | undefined) => void;
}

async function hashFile(path: string, algos: readonly string[]): Promise<Record<string, string>> {
  const hashes = algos.map((a) => [a, createHash(a)] as const);
  for await (const chunk of createReadStream(path)) for (const [, h] of hashes) h.update(chunk as Buffer);
  return Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')]));
}

/** Copy a local file into the cache's temp area, hashing it and holding the size cap. */
async function copyLocal(from: string, to: string, maxBytes: number, what: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const out = await open(to, 'w', 0o600);
  try {
    for await (const chunk of createReadStream(from)) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes) throw new Py2pkgError('FETCH_TOO_LARGE', `${what}: ${from} is larger than the ${formatSize(maxBytes)} limit`);
      hash.update(chunk as Buffer);
      await out.write(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof Py2pkgError) throw e;
    throw new Py2pkgError('FETCH_FAILED', `${what}: cannot read ${from}: ${singleLine((e as Error).message, 120)}`);
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Download (or copy) `url` into a staged temp file; returns its sha256 and size. */
async function download(
  url: URL,
  what: string,
  maxBytes: number,
  ctx: SourceContext,
  onProgress?: FetchOptions['onProgress'],
): Promise<{ temp: string; sha256: string; bytes: number }> {
  const temp = ctx.tx.tempPath(what);
  try {
    if (url.protocol === 'file:') return { temp, ...(await copyLocal(fileURLToPath(url), temp, maxBytes, what)) };
    const r = await httpGet(url, ctx.net, { what, maxBytes, tooLargeCode: 'FETCH_TOO_LARGE', toFile: temp, ...(onProgress ? { onProgress } : {}) });
    return { temp, sha256: r.sha256, bytes: r.bytes };
  } catch (e) {
    await ctx.tx.discard(temp);
    throw e;
  }
}

export async function fetchSdist(c: Candidate, opts: FetchOptions, ctx: SourceContext): Promise<FetchedSdist> {
  const { file } = c;
  const local = file.url.protocol === 'file:';
  const strong = STRONG_HASHES.filter((a) => file.hashes[a] !== undefined);
  const indexSha256 = file.hashes.sha256 ?? null;
  if (strong.length === 0 && !local && !opts.allowNoHash) {
    throw new Py2pkgError('HASH_MISSING', `${c.source.url} gives no sha256 for ${file.filename}`);
  }
  // a cached copy with the hash the index gives is the same file
  if (indexSha256) {
    const hit = await ctx.cache.findBlob(indexSha256);
    if (hit && (await matchesAll(hit.path, file.hashes, strong))) {
      ctx.progress(`fetch ${file.filename} (cached)`);
      return { blob: hit.path, sha256: indexSha256, size: hit.size, indexSha256, fromCache: true };
    }
  }
  if (ctx.offline && !local) {
    const ref = indexSha256 ? undefined : await ctx.cache.readRef(publicUrl(file.url));
    const hit = ref?.sha256 ? await ctx.cache.findBlob(ref.sha256) : undefined;
    if (ref?.sha256 && hit) {
      ctx.progress(`fetch ${file.filename} (cached, no index hash)`);
      return { blob: hit.path, sha256: ref.sha256, size: hit.size, indexSha256, fromCache: true };
    }
    throw new Py2pkgError('FETCH_OFFLINE', `--offline: ${file.filename} is not in the cache`);
  }

  ctx.progress(`fetch ${file.filename} from ${redactUrl(file.url)}`);
  const got = await download(file.url, file.filename, opts.maxFileBytes, ctx, opts.onProgress);
  try {
    const others = strong.filter((a) => a !== 'sha256');
    const actual: Record<string, string> = { sha256: got.sha256, ...(others.length ? await hashFile(got.temp, others) : {}) };
    for (const algo of strong) {
      if (actual[algo] !== file.hashes[algo]) {
        throw new Py2pkgError(
          'HASH_MISMATCH',
          `${file.filename} from ${redactUrl(file.url)} has ${algo} ${actual[algo]}, but the index says ${file.hashes[algo]}`,
        );
      }
    }
    if (file.size !== undefined && file.size !== got.bytes) {
      throw new Py2pkgError('HASH_MISMATCH', `${file.filename} from ${redactUrl(file.url)} is ${got.bytes} bytes, but the index says ${file.size}`);
    }
  } catch (e) {
    await ctx.tx.discard(got.temp);
    throw e;
  }
  ctx.tx.stageBlob(got.temp, got.sha256);
  if (!local) await ctx.tx.stageRef({ url: publicUrl(file.url), sha256: got.sha256, size: got.bytes });
  return { blob: ctx.cache.blobPath(got.sha256), sha256: got.sha256, size: got.bytes, indexSha256, fromCache: false };
}

async function matchesAll(path: string, expected: Record<string, string>, strong: readonly string[]): Promise<boolean> {
  const others = strong.filter((a) => a !== 'sha256');
  if (others.length === 0) return true;
  const actual = await hashFile(path, others);
  return others.every((a) => actual[a] === expected[a]);
}

/** `<file URL>.asc`, or undefined when the index says there is no signature / none exists. */
export async function fetchSignature(c: Candidate, ctx: SourceContext, probe = false): Promise<FetchedSignature | undefined> {
  const { file } = c;
  // PyPI says gpg-sig: false for every file since 2023, even where an older .asc is still
  // served: a policy that pins signers probes anyway (probe = true)
  if (file.gpgSig === false && !probe) {
    ctx.progress(`the index says ${file.filename} has no signature`);
    return undefined;
  }
  const url = new URL(file.url.href);
  url.pathname += '.asc';
  return fetchCompanion(url, `${file.filename}.asc`, `signature of ${file.filename}`, MAX_SIGNATURE_FILE_BYTES, file.gpgSig === true, ctx);
}

/**
 * The PEP 740 provenance object of the chosen file: where the index links it (PEP 691
 * `provenance`, PEP 503 `data-provenance`), else PyPI's Integrity API on pypi.org, else
 * `<file>.provenance` beside a local file. Undefined when none exists.
 */
export async function fetchProvenance(c: Candidate, ctx: SourceContext): Promise<FetchedSignature | undefined> {
  const { file } = c;
  let url = file.provenance;
  let hinted = url !== undefined;
  if (!url) {
    const integrity = integrityApiUrl(c.source.url, file.filename);
    if (integrity) {
      url = integrity;
    } else if (file.url.protocol === 'file:') {
      url = new URL(file.url.href);
      url.pathname += '.provenance';
    } else {
      ctx.progress(`the index links no PEP 740 provenance for ${file.filename}`);
      return undefined;
    }
    hinted = false;
  }
  return fetchCompanion(
    url,
    `${file.filename}.provenance`,
    `provenance of ${file.filename}`,
    MAX_PROVENANCE_BYTES,
    hinted,
    ctx,
    'application/vnd.pypi.integrity.v1+json, application/json;q=0.9',
  );
}

/**
 * PyPI's Integrity API URL for a file's provenance (`/integrity/<project>/<version>/<file>/provenance`),
 * for an index on pypi.org or test.pypi.org; undefined elsewhere (other indexes link it or have none).
 */
export function integrityApiUrl(indexUrl: string, filename: string): URL | undefined {
  const index = new URL(indexUrl);
  const split = splitSdistFilename(filename);
  if (!(index.hostname === 'pypi.org' || index.hostname === 'test.pypi.org') || index.protocol !== 'https:') return undefined;
  if (!split || (split.ext !== 'tar.gz' && split.ext !== 'zip')) return undefined;
  return new URL(
    `/integrity/${encodeURIComponent(canonicalizeName(split.name))}/${encodeURIComponent(split.version)}/${encodeURIComponent(filename)}/provenance`,
    index,
  );
}

/** A small file that belongs to the download (signature, provenance), cached like it; undefined when absent. */
async function fetchCompanion(
  url: URL,
  name: string,
  what: string,
  maxBytes: number,
  hinted: boolean,
  ctx: SourceContext,
  accept?: string,
): Promise<FetchedSignature | undefined> {
  const key = publicUrl(url);
  if (url.protocol === 'file:') {
    const st = await stat(fileURLToPath(url)).catch(() => undefined);
    if (!st?.isFile()) {
      if (hinted) ctx.warn(`the index links the ${what}, but ${redactUrl(url)} does not exist`);
      return undefined;
    }
    const got = await download(url, name, maxBytes, ctx);
    ctx.tx.stageBlob(got.temp, got.sha256);
    return { blob: ctx.cache.blobPath(got.sha256), sha256: got.sha256, size: got.bytes, url: key };
  }
  if (ctx.offline) {
    const ref = await ctx.cache.readRef(key);
    const hit = ref?.sha256 ? await ctx.cache.findBlob(ref.sha256) : undefined;
    if (ref?.sha256 && hit) return { blob: hit.path, sha256: ref.sha256, size: hit.size, url: key };
    if (!ref) ctx.warn(`--offline: no cached ${what}`);
    return undefined;
  }
  const temp = ctx.tx.tempPath(name);
  let r;
  try {
    // probing (no hint): object stores answer 403 for a key that does not exist
    const absent = hinted ? [404, 410] : [403, 404, 410];
    r = await httpGet(url, ctx.net, {
      what,
      maxBytes,
      tooLargeCode: 'FETCH_TOO_LARGE',
      toFile: temp,
      passStatuses: absent,
      ...(accept ? { headers: { accept } } : {}),
    });
  } catch (e) {
    await ctx.tx.discard(temp);
    throw e;
  }
  if (r.status < 200 || r.status >= 300) {
    await ctx.tx.discard(temp);
    if (hinted) ctx.warn(`the index links the ${what}, but ${redactUrl(url)} answered ${r.status}`);
    else ctx.progress(`no ${what} at ${redactUrl(url)} (${r.status})`);
    await ctx.tx.stageRef({ url: key, sha256: null, size: 0 });
    return undefined;
  }
  ctx.tx.stageBlob(temp, r.sha256);
  await ctx.tx.stageRef({ url: key, sha256: r.sha256, size: r.bytes });
  return { blob: ctx.cache.blobPath(r.sha256), sha256: r.sha256, size: r.bytes, url: key };
}
