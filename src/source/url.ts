/**
 * URL helpers for the index client: credentials are split off every URL before it is used or
 * printed, links from index pages are resolved and checked, file names from the index are
 * checked before they name anything on disk.
 */
import { fileURLToPath } from 'node:url';
import { Py2pkgError, singleLine } from '../errors.js';

/** user:password taken out of a URL (percent-decoded), to be sent as HTTP basic auth. */
export interface Credentials {
  username: string;
  password: string;
}

/** A URL as py2pkg prints it: the password (or a lone token user name) replaced by ****. */
export function redactUrl(u: URL | string): string {
  let url: URL;
  try {
    url = typeof u === 'string' ? new URL(u) : new URL(u.href);
  } catch {
    return singleLine(String(u).replace(/\/\/[^/@]*@/, '//****@'), 200);
  }
  if (url.password) url.password = '****';
  else if (url.username) url.username = '****';
  return url.href;
}

/** The URL without user information, and the credentials it carried (if any). */
export function splitCredentials(u: URL): { url: URL; credentials: Credentials | undefined } {
  const url = new URL(u.href);
  let credentials: Credentials | undefined;
  if (url.username || url.password) {
    credentials = { username: safeDecode(url.username), password: safeDecode(url.password) };
    url.username = '';
    url.password = '';
  }
  return { url, credentials };
}

/** The URL with user information removed (for provenance, cache keys and JSON output). */
export function publicUrl(u: URL | string): string {
  const url = new URL(typeof u === 'string' ? u : u.href);
  url.username = '';
  url.password = '';
  return url.href;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Index and find-links URLs: http, https or file only. A trailing slash is added for indexes. */
export function parseSourceUrl(text: string, what: string, opts: { directory?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Py2pkgError('USAGE', `${what} is not a URL: "${singleLine(redactUrl(text), 120)}" (use https://…, http://… or file:///…)`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new Py2pkgError('USAGE', `${what} must be an http, https or file URL, got "${singleLine(redactUrl(url), 120)}"`);
  }
  if (url.protocol === 'file:' && (url.username || url.password || (url.host !== '' && url.host !== 'localhost'))) {
    throw new Py2pkgError('USAGE', `${what}: a file URL names a local path (file:///path), got "${singleLine(redactUrl(url), 120)}"`);
  }
  url.hash = '';
  if (opts.directory && !url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The last path segment of a URL, percent-decoded (undefined when it cannot be decoded). */
export function lastSegment(url: URL): string | undefined {
  const parts = url.pathname.split('/');
  const last = parts[parts.length - 1] ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return undefined;
  }
}

/**
 * A file name from an index (a link's last segment or PEP 691's `filename`) may only name a
 * plain file: no path separators, no `..`, no control characters, not hidden.
 */
export function isSafeFilename(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  if (name === '.' || name === '..' || name.startsWith('.')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f\u007f]/.test(name)) return false;
  return true;
}

export class UnsafeLink extends Error {}

/**
 * Resolve a link from an index page against the page's (or its <base>'s) URL and check it:
 * only http(s) and file URLs; a page fetched over https may not send us to plain http; a
 * file URL may only come from a file page and must stay under `fileRoot`.
 */
export function resolveLink(href: string, base: URL, fileRoot: string | undefined): URL {
  const trimmed = href.trim();
  if (trimmed === '') throw new UnsafeLink('an empty link');
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    throw new UnsafeLink(`a link that is not a URL: ${JSON.stringify(singleLine(trimmed, 80))}`);
  }
  const scheme = url.protocol;
  if (scheme !== 'http:' && scheme !== 'https:' && scheme !== 'file:') {
    throw new UnsafeLink(`a ${singleLine(scheme.replace(/:$/, ''), 20)}: link`);
  }
  if (base.protocol === 'https:' && scheme === 'http:') throw new UnsafeLink(`a plain http link on an https page (${redactUrl(url)})`);
  if (scheme === 'file:') {
    if (base.protocol !== 'file:') throw new UnsafeLink('a file: link on a network page');
    if (url.host !== '' && url.host !== 'localhost') throw new UnsafeLink('a file: link to another host');
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      throw new UnsafeLink(`a file: link with an encoded path separator (${singleLine(url.pathname, 120)})`);
    }
    if (fileRoot !== undefined && !isInside(path, fileRoot)) {
      throw new UnsafeLink(`a link out of the index directory (${singleLine(path, 120)})`);
    }
  }
  return url;
}

/** Is `path` inside directory `root` (both absolute, already normalized)? */
export function isInside(path: string, root: string): boolean {
  const r = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(r);
}

/** A URL's protocol + host (+ port) without credentials, for messages and grouping. */
export function origin(url: URL): string {
  return url.protocol === 'file:' ? 'file://' : `${url.protocol}//${url.host}`;
}
