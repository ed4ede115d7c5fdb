/**
 * Where and how a by-name run looks for the sdist: flags first, then PY2PKG_* variables,
 * then the variables pip users already set (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL,
 * PIP_FIND_LINKS, PIP_CERT), then requests' REQUESTS_CA_BUNDLE and OpenSSL's SSL_CERT_FILE.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Py2pkgError, singleLine } from '../errors.js';
import { parseRequirement } from '../python/pep508.js';
import { defaultCacheDir } from './cache.js';
import { proxyEnv, type ProxyEnv } from './proxy.js';
import { parseSourceUrl, redactUrl } from './url.js';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';
export const DEFAULT_TIMEOUT_S = 30;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_MAX_PAGE_MIB = 50;

/** The flags `convert` adds for by-name runs. */
export interface SourceFlags {
  indexUrl?: string;
  extraIndexUrl?: string[];
  findLinks?: string[];
  offline?: boolean;
  pre?: boolean;
  allowNoHash?: boolean;
  cert?: string;
}

export interface SourceSettings {
  /** --index-url then each --extra-index-url, credentials still inside (never print these) */
  indexUrls: URL[];
  /** find-links locations; a local directory is a file: URL ending in / */
  findLinks: URL[];
  offline: boolean;
  pre: boolean;
  allowNoHash: boolean;
  /** the CA bundle file and its PEM text */
  ca: { file: string; pem: string } | undefined;
  cacheDir: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxPageBytes: number;
  proxy: ProxyEnv;
  /** NETRC / HOME, read when the netrc file is loaded */
  netrcEnv: NodeJS.ProcessEnv;
}

export interface ByNameRequirement {
  /** as the user wrote it */
  text: string;
  /** PEP 503 canonical name */
  project: string;
  /** packaging's form: clauses sorted, comma-joined; '' for any version */
  specifier: string;
}

const SDIST_LIKE = /\.(tar\.gz|tgz|tar\.bz2|tar|zip|whl)$/i;

/**
 * `<sdist|requirement>`: an existing file, or anything that looks like a path (a slash, a
 * leading dot or ~, an archive suffix), is a local sdist; everything else is a PEP 508
 * requirement resolved on the index.
 */
export function looksLikeLocalPath(input: string): boolean {
  if (existsSync(input) && statSync(input).isFile()) return true;
  if (/^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/.test(input)) return false; // name @ URL
  return /[/\\]/.test(input) || input.startsWith('.') || input.startsWith('~') || SDIST_LIKE.test(input);
}

export function parseByName(text: string): ByNameRequirement {
  let req;
  try {
    req = parseRequirement(text);
  } catch {
    throw new Py2pkgError('USAGE', `"${singleLine(text, 80)}" is neither an sdist file nor a requirement such as name, name==1.2 or 'name>=1,<2'`);
  }
  if (req.url !== undefined)
    throw new Py2pkgError('USAGE', `direct URL requirements (name @ URL) are not supported: download the file and pass its path, or use --index-url`);
  if (req.marker !== undefined)
    throw new Py2pkgError('USAGE', `a requirement given to py2pkg cannot carry an environment marker (;…): "${singleLine(text, 80)}"`);
  return { text, project: req.normalizedName, specifier: req.specifier };
}

function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min)
    throw new Py2pkgError('USAGE', `${name} wants a whole number ≥ ${min}, got "${singleLine(value, 40)}"`);
  return Number(value);
}

/** An index URL, or an existing directory given as a plain path. */
function indexLocation(text: string, what: string): URL {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text) && existsSync(text) && statSync(text).isDirectory()) {
    return pathToFileURL(`${resolve(text)}/`);
  }
  return parseSourceUrl(text, what, { directory: true });
}

function findLinksLocation(text: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) {
    const url = parseSourceUrl(text, '--find-links');
    if (url.protocol === 'file:' && existsSync(url) && statSync(url).isDirectory() && !url.pathname.endsWith('/')) url.pathname += '/';
    return url;
  }
  const dir = resolve(text);
  if (!existsSync(dir)) throw new Py2pkgError('USAGE', `--find-links ${singleLine(text, 100)}: no such directory`);
  return pathToFileURL(statSync(dir).isDirectory() ? `${dir}/` : dir);
}

async function loadCa(file: string, from: string): Promise<{ file: string; pem: string }> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch {
    throw new Py2pkgError('CONFIG', `${from} ${singleLine(file, 120)}: cannot read the CA bundle`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Py2pkgError('CONFIG', `${from} ${singleLine(file, 120)} holds no PEM certificate`);
  return { file, pem };
}

export async function sourceSettings(flags: SourceFlags, env: NodeJS.ProcessEnv): Promise<SourceSettings> {
  const indexText = flags.indexUrl ?? env.PY2PKG_INDEX_URL ?? env.PIP_INDEX_URL ?? DEFAULT_INDEX_URL;
  const extras = flags.extraIndexUrl?.length ? flags.extraIndexUrl : words(env.PY2PKG_EXTRA_INDEX_URL ?? env.PIP_EXTRA_INDEX_URL);
  const links = flags.findLinks?.length ? flags.findLinks : words(env.PY2PKG_FIND_LINKS ?? env.PIP_FIND_LINKS);
  const caCandidates: Array<[string, string | undefined]> = [
    ['--cert', flags.cert],
    ['PY2PKG_CERT', env.PY2PKG_CERT],
    ['PIP_CERT', env.PIP_CERT],
    ['REQUESTS_CA_BUNDLE', env.REQUESTS_CA_BUNDLE],
    ['SSL_CERT_FILE', env.SSL_CERT_FILE],
  ];
  const caHit = caCandidates.find(([, v]) => v !== undefined && v !== '');
  const indexUrls = [indexLocation(indexText, '--index-url'), ...extras.map((e) => indexLocation(e, '--extra-index-url'))];
  const seen = new Set<string>();
  for (const u of indexUrls) {
    if (seen.has(u.href)) throw new Py2pkgError('USAGE', `index ${redactUrl(u)} is given twice`);
    seen.add(u.href);
  }
  return {
    indexUrls,
    findLinks: links.map(findLinksLocation),
    offline: Boolean(flags.offline) || truthy(env.PY2PKG_OFFLINE),
    pre: Boolean(flags.pre) || truthy(env.PY2PKG_PRE) || truthy(env.PIP_PRE),
    allowNoHash: Boolean(flags.allowNoHash) || truthy(env.PY2PKG_ALLOW_NO_HASH),
    ca: caHit ? await loadCa(resolve(caHit[1] as string), caHit[0]) : undefined,
    cacheDir: defaultCacheDir(env),
    timeoutMs: whole('PY2PKG_TIMEOUT', env.PY2PKG_TIMEOUT, DEFAULT_TIMEOUT_S, 1) * 1000,
    retries: whole('PY2PKG_RETRIES', env.PY2PKG_RETRIES, DEFAULT_RETRIES, 0),
    backoffMs: 500,
    maxPageBytes: whole('PY2PKG_MAX_PAGE_SIZE', env.PY2PKG_MAX_PAGE_SIZE, DEFAULT_MAX_PAGE_MIB, 1) * 1024 * 1024,
    proxy: proxyEnv(env),
    netrcEnv: { NETRC: env.NETRC, HOME: env.HOME },
  };
}
