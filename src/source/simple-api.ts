/**
 * The simple repository API, read from bytes: PEP 691 JSON and PEP 503 HTML project pages,
 * with PEP 592 yanking, PEP 629 api-version, PEP 700 versions/size, PEP 714 core-metadata
 * (PEP 658 metadata files) and the gpg-sig hint. Pure: no I/O here. A page that does not
 * parse or validate is refused whole (INDEX_MALFORMED), as is a page with a link that names
 * something it must not (INDEX_UNSAFE_LINK).
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { canonicalizeName } from '../python/pep508.js';
import { HtmlError, parseHtml } from './html.js';
import { isSafeFilename, lastSegment, redactUrl, resolveLink, UnsafeLink } from './url.js';

export interface IndexFile {
  filename: string;
  /** where to fetch it, fragment removed */
  url: URL;
  /** algorithm (lower case) -> hex digest (lower case) */
  hashes: Record<string, string>;
  requiresPython: string | undefined;
  /** false, or the reason given ('' when none) */
  yanked: false | string;
  /** the index says a detached signature exists at `<url>.asc` (true), does not (false), or does not say */
  gpgSig: boolean | undefined;
  /** PEP 658/714: a metadata file at `<url>.metadata`, with its hashes when given */
  coreMetadata: false | { hashes: Record<string, string> };
  /** PEP 700 */
  size: number | undefined;
  /** PEP 740: where the index serves the file's provenance object */
  provenance?: URL | undefined;
}

export interface ProjectPage {
  format: 'json' | 'html';
  apiVersion: string;
  /** the name the page gives (JSON), canonical form checked against the request */
  name: string | undefined;
  files: IndexFile[];
  /** PEP 700 `versions` (JSON 1.1+) */
  versions: string[] | undefined;
}

/** What py2pkg sends as Accept: JSON first, HTML accepted (PEP 691 content negotiation). */
export const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';
/** the newest api-version this client knows (PEP 629: warn on a newer minor, refuse a newer major) */
export const SUPPORTED_API = { major: 1, minor: 1 };

export interface ParseContext {
  /** the page's own URL (credentials removed), links resolve against it */
  url: URL;
  /** for file: pages, the directory every link must stay in */
  fileRoot: string | undefined;
  /** canonical project name when this is a project page; undefined for a flat find-links page */
  project: string | undefined;
  warn: (message: string) => void;
}

export function pageFormat(contentType: string | undefined, url: URL): 'json' | 'html' {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (media === 'application/vnd.pypi.simple.v1+json' || media === 'application/vnd.pypi.simple.latest+json') return 'json';
  if (media === 'application/vnd.pypi.simple.v1+html' || media === 'application/vnd.pypi.simple.latest+html' || media === 'text/html') return 'html';
  const other = /^application\/vnd\.pypi\.simple\.v(\d+)\+(json|html)$/.exec(media);
  if (other) throw malformed(url, `api version ${other[1]} is not supported (this py2pkg reads version 1)`);
  throw malformed(url, `content type ${JSON.stringify(singleLine(media || '(none)', 60))} is not a simple-API page`);
}

function malformed(url: URL, why: string): Py2pkgError {
  return new Py2pkgError('INDEX_MALFORMED', `index page ${redactUrl(url)}: ${singleLine(why, 200)}`);
}

function unsafe(url: URL, why: string): Py2pkgError {
  return new Py2pkgError('INDEX_UNSAFE_LINK', `index page ${redactUrl(url)} has ${singleLine(why, 200)}`);
}

function checkApiVersion(v: string, ctx: ParseContext): void {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) throw malformed(ctx.url, `api-version ${JSON.stringify(singleLine(v, 20))} is not MAJOR.MINOR`);
  if (Number(m[1]) !== SUPPORTED_API.major) throw malformed(ctx.url, `api-version ${v} is not supported (this py2pkg reads version 1)`);
  if (Number(m[2]) > SUPPORTED_API.minor)
    ctx.warn(
      `index page ${redactUrl(ctx.url)} uses api-version ${v}, newer than ${SUPPORTED_API.major}.${SUPPORTED_API.minor}; reading what this py2pkg knows`,
    );
}

const HEX = /^[0-9a-f]+$/;
const DIGEST_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

function checkHashes(raw: Record<string, unknown>, ctx: ParseContext, what: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [algo, value] of Object.entries(raw)) {
    const a = algo.toLowerCase();
    if (typeof value !== 'string') throw malformed(ctx.url, `${what}: hash ${singleLine(algo, 20)} is not a string`);
    const hex = value.toLowerCase();
    const want = DIGEST_LENGTH[a];
    if (!HEX.test(hex) || (want !== undefined && hex.length !== want))
      throw malformed(ctx.url, `${what}: ${singleLine(algo, 20)} digest ${JSON.stringify(singleLine(value, 80))} is not valid hex`);
    hashes[a] = hex;
  }
  return hashes;
}

/** `url#sha256=…`: the fragment's hash, the URL without it. */
function splitFragment(url: URL, ctx: ParseContext, what: string): { url: URL; hashes: Record<string, string> } {
  const out = new URL(url.href);
  const frag = out.hash.replace(/^#/, '');
  out.hash = '';
  const hashes: Record<string, string> = {};
  for (const part of frag.split('&')) {
    const m = /^([a-z0-9_]+)=(.*)$/i.exec(part);
    if (!m || !(m[1]!.toLowerCase() in DIGEST_LENGTH)) continue; // `#egg=…` and the like
    Object.assign(hashes, checkHashes({ [m[1]!]: m[2] }, ctx, what));
  }
  return { url: out, hashes };
}

function link(href: string, base: URL, ctx: ParseContext): URL {
  try {
    return resolveLink(href, base, ctx.fileRoot);
  } catch (e) {
    if (e instanceof UnsafeLink) throw unsafe(ctx.url, e.message);
    throw e;
  }
}

function filenameOf(name: string | undefined, ctx: ParseContext): string {
  if (name === undefined || !isSafeFilename(name)) {
    throw unsafe(ctx.url, `a file name that is not a plain name: ${JSON.stringify(singleLine(name ?? '(undecodable)', 80))}`);
  }
  return name;
}

export function parseProjectPage(body: Buffer, contentType: string | undefined, ctx: ParseContext): ProjectPage {
  const format = pageFormat(contentType, ctx.url);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformed(ctx.url, 'not valid UTF-8');
  }
  return format === 'json' ? parseJsonPage(text, ctx) : parseHtmlPage(text, ctx);
}

// ---------------------------------------------------------------------------------------------
// PEP 503 HTML

function parseHtmlPage(text: string, ctx: ParseContext): ProjectPage {
  let page;
  try {
    page = parseHtml(text);
  } catch (e) {
    if (e instanceof HtmlError) throw malformed(ctx.url, `HTML: ${e.message}`);
    throw e;
  }
  const apiVersion = page.repositoryVersion ?? '1.0';
  checkApiVersion(apiVersion, ctx);
  const base = page.base !== undefined ? link(page.base, ctx.url, ctx) : ctx.url;
  const files: IndexFile[] = [];
  for (const a of page.anchors) {
    const href = a.attrs.get('href') ?? '';
    const resolved = link(href, base, ctx);
    const what = `link ${JSON.stringify(singleLine(a.text || href, 80))}`;
    const { url, hashes } = splitFragment(resolved, ctx, what);
    const filename = filenameOf(lastSegment(url), ctx);
    const yanked = a.attrs.get('data-yanked');
    const sig = a.attrs.get('data-gpg-sig');
    const meta = a.attrs.get('data-core-metadata') ?? a.attrs.get('data-dist-info-metadata');
    const prov = a.attrs.get('data-provenance');
    files.push({
      ...(prov ? { provenance: provenanceLink(prov, base, ctx, what) } : {}),
      filename,
      url,
      hashes,
      requiresPython: a.attrs.get('data-requires-python'),
      yanked: yanked === undefined ? false : yanked,
      gpgSig: sig === 'true' ? true : sig === 'false' ? false : undefined,
      coreMetadata: htmlMetadataHint(meta, ctx, what),
      size: undefined,
    });
  }
  return { format: 'html', apiVersion, name: undefined, files, versions: undefined };
}

/** A PEP 740 provenance URL: resolved like any link on the page (same rules, no fragment). */
function provenanceLink(href: string, base: URL, ctx: ParseContext, what: string): URL {
  const u = link(href, base, ctx);
  if (u.hash !== '') throw unsafe(ctx.url, `${what}: a provenance URL with a fragment`);
  return u;
}

function htmlMetadataHint(value: string | undefined, ctx: ParseContext, what: string): IndexFile['coreMetadata'] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return { hashes: {} };
  const m = /^([a-z0-9_]+)=(.*)$/i.exec(value);
  if (!m) throw malformed(ctx.url, `${what}: data-core-metadata ${JSON.stringify(singleLine(value, 60))} is not true or <hash>=<hex>`);
  return { hashes: checkHashes({ [m[1]!]: m[2] }, ctx, what) };
}

// ---------------------------------------------------------------------------------------------
// PEP 691 JSON

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJsonPage(text: string, ctx: ParseContext): ProjectPage {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw malformed(ctx.url, `JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw malformed(ctx.url, 'JSON: the page is not an object');
  const meta = doc.meta;
  if (!isObject(meta) || typeof meta['api-version'] !== 'string') throw malformed(ctx.url, 'JSON: meta.api-version is missing');
  const apiVersion = meta['api-version'];
  checkApiVersion(apiVersion, ctx);
  if (typeof doc.name !== 'string') throw malformed(ctx.url, 'JSON: name is missing');
  if (ctx.project !== undefined && canonicalizeName(doc.name) !== ctx.project) {
    throw malformed(ctx.url, `the page is for project ${JSON.stringify(singleLine(doc.name, 60))}, not ${ctx.project}`);
  }
  if (!Array.isArray(doc.files)) throw malformed(ctx.url, 'JSON: files is not a list');
  let versions: string[] | undefined;
  if (doc.versions !== undefined) {
    if (!Array.isArray(doc.versions) || !doc.versions.every((v) => typeof v === 'string')) throw malformed(ctx.url, 'JSON: versions is not a list of strings');
    versions = doc.versions as string[];
  }
  const files = doc.files.map((f, i) => jsonFile(f, i, ctx));
  return { format: 'json', apiVersion, name: doc.name, files, versions };
}

function jsonFile(f: unknown, i: number, ctx: ParseContext): IndexFile {
  const what = `files[${i}]`;
  if (!isObject(f)) throw malformed(ctx.url, `JSON: ${what} is not an object`);
  if (typeof f.filename !== 'string') throw malformed(ctx.url, `JSON: ${what}.filename is missing`);
  if (typeof f.url !== 'string') throw malformed(ctx.url, `JSON: ${what}.url is missing`);
  if (!isObject(f.hashes)) throw malformed(ctx.url, `JSON: ${what}.hashes is missing`);
  const filename = filenameOf(f.filename, ctx);
  const resolved = link(f.url, ctx.url, ctx);
  const fromFragment = splitFragment(resolved, ctx, what);
  const hashes = { ...fromFragment.hashes, ...checkHashes(f.hashes, ctx, what) };
  const rp = f['requires-python'];
  if (rp !== undefined && rp !== null && typeof rp !== 'string') throw malformed(ctx.url, `JSON: ${what}.requires-python is not a string`);
  const y = f.yanked;
  if (y !== undefined && typeof y !== 'boolean' && typeof y !== 'string') throw malformed(ctx.url, `JSON: ${what}.yanked is not a boolean or string`);
  const sig = f['gpg-sig'];
  if (sig !== undefined && typeof sig !== 'boolean') throw malformed(ctx.url, `JSON: ${what}.gpg-sig is not a boolean`);
  const size = f.size;
  if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0))
    throw malformed(ctx.url, `JSON: ${what}.size is not a whole number`);
  const meta = f['core-metadata'] !== undefined ? f['core-metadata'] : f['dist-info-metadata'];
  let coreMetadata: IndexFile['coreMetadata'] = false;
  if (meta === true) coreMetadata = { hashes: {} };
  else if (isObject(meta)) coreMetadata = { hashes: checkHashes(meta, ctx, `${what}.core-metadata`) };
  else if (meta !== undefined && meta !== false) throw malformed(ctx.url, `JSON: ${what}.core-metadata is not a boolean or hash object`);
  const prov = f.provenance;
  if (prov !== undefined && prov !== null && typeof prov !== 'string') throw malformed(ctx.url, `JSON: ${what}.provenance is not a URL string`);
  return {
    ...(typeof prov === 'string' && prov !== '' ? { provenance: provenanceLink(prov, ctx.url, ctx, what) } : {}),
    filename,
    url: fromFragment.url,
    hashes,
    requiresPython: typeof rp === 'string' ? rp : undefined,
    yanked: y === true ? '' : typeof y === 'string' ? y : false,
    gpgSig: sig,
    coreMetadata,
    size: typeof size === 'number' ? size : undefined,
  };
}
