/**
 * py2pkg's HTTP(S) GET, on node:http/node:https: Node 20's fetch (undici) reads no proxy
 * variables and its undici is not importable, so this client does what the index needs
 * itself, with no new dependency:
 * - a custom CA bundle (`ca`, replacing Node's roots as --cert does for pip/requests);
 * - HTTP(S)_PROXY / NO_PROXY: absolute-form requests for http, a CONNECT tunnel for https;
 * - basic auth from the URL or ~/.netrc, never printed (every URL in a message is redacted);
 * - a timeout on every socket, bounded retries with exponential backoff on 429/5xx,
 *   connection resets and truncated bodies;
 * - redirects only between http(s) URLs on the same host, never from https to http;
 * - a size cap enforced on the Content-Length and on the bytes as they arrive (after gzip
 *   decoding for pages, so a compressed bomb stops at the cap as well).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { createGunzip } from 'node:zlib';
import { Py2pkgError, singleLine, type ErrorCode } from '../errors.js';
import { netrcLookup, type NetrcEntry } from './netrc.js';
import { proxyFor, type ProxyEnv } from './proxy.js';
import { redactUrl, splitCredentials, type Credentials } from './url.js';

export interface NetConfig {
  /** PEM text of the CA bundle to trust instead of Node's built-in roots */
  ca: string | undefined;
  proxy: ProxyEnv;
  /** socket inactivity limit (connect, headers, body), per attempt */
  timeoutMs: number;
  /** extra attempts after the first */
  retries: number;
  /** first backoff; doubles each retry */
  backoffMs: number;
  netrc: NetrcEntry[];
  /** credentials taken from configured index URLs, by `host:port`; sent to that host only */
  hostCredentials: Map<string, Credentials>;
  userAgent: string;
  /** diagnostics (retries, redirects); never given credentials */
  log: (message: string) => void;
}

export interface GetOptions {
  /** what is being fetched, for messages ("index page of rpc4django") */
  what: string;
  headers?: Record<string, string>;
  maxBytes: number;
  tooLargeCode: Extract<ErrorCode, 'INDEX_TOO_LARGE' | 'FETCH_TOO_LARGE'>;
  /** statuses handed back to the caller instead of raised (404 for "no such project", 304) */
  passStatuses?: number[];
  /** stream the raw body to this file (truncated at each attempt) instead of keeping it */
  toFile?: string;
  /** ask for and decode gzip (index pages; never for files, whose bytes are hashed as sent) */
  gunzip?: boolean;
  onProgress?: (received: number, total: number | undefined) => void;
  /** POST (httpPost): the method and the request body; redirects are refused for it */
  method?: 'GET' | 'POST';
  body?: Buffer;
}

export interface GetResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the final URL after redirects, without credentials */
  url: URL;
  /** the body when not streamed to a file (undefined for passed statuses) */
  body: Buffer | undefined;
  bytes: number;
  /** sha256 of the raw bytes received */
  sha256: string;
}

export const MAX_REDIRECTS = 10;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/** A failure worth another attempt; becomes a Py2pkgError when the attempts run out. */
class Transient extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'FETCH_FAILED' | 'FETCH_TIMEOUT' | 'FETCH_TRUNCATED'>,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET with retries; throws Py2pkgError (FETCH_*, *_TOO_LARGE) with redacted URLs only. */
export async function httpGet(target: URL, net: NetConfig, opts: GetOptions): Promise<GetResult> {
  const attempts = net.retries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await followRedirects(target, net, opts);
    } catch (e) {
      if (!(e instanceof Transient)) throw e;
      if (attempt >= attempts) {
        throw new Py2pkgError(e.code, `${opts.what}: ${e.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`);
      }
      const wait = Math.max(net.backoffMs * 2 ** (attempt - 1), e.retryAfterMs ?? 0);
      net.log(`${opts.what}: ${e.message}; retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`);
      await sleep(wait);
    }
  }
}

async function followRedirects(start: URL, net: NetConfig, opts: GetOptions): Promise<GetResult> {
  const first = splitCredentials(start);
  let url = first.url;
  // credentials written in the URL go to its host only; a redirect may not carry them elsewhere
  const given = first.credentials;
  for (let hop = 0; ; hop++) {
    const auth = credentialsFor(url, net, given && sameHost(url, start) ? given : undefined);
    const res = await requestOnce(url, net, opts, auth);
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status) && res.headers.location !== undefined) {
      res.resume();
      res.destroy();
      if (opts.method === 'POST')
        throw new Py2pkgError('FETCH_REDIRECT', `${opts.what}: ${redactUrl(url)} answered a POST with a redirect; pass the final URL`);
      if (hop >= MAX_REDIRECTS) throw new Py2pkgError('FETCH_REDIRECT', `${opts.what}: more than ${MAX_REDIRECTS} redirects from ${redactUrl(start)}`);
      url = checkRedirect(url, res.headers.location, opts.what);
      net.log(`${opts.what}: redirected to ${redactUrl(url)}`);
      continue;
    }
    if (opts.passStatuses?.includes(status)) {
      res.resume();
      res.destroy();
      return { status, headers: res.headers, url, body: undefined, bytes: 0, sha256: '' };
    }
    if (status >= 200 && status < 300) return await readBody(res, url, net, opts, status);
    res.resume();
    res.destroy();
    throw statusError(status, url, opts.what, res.headers['retry-after']);
  }
}

function sameHost(a: URL, b: URL): boolean {
  return a.hostname.toLowerCase() === b.hostname.toLowerCase();
}

function credentialsFor(url: URL, net: NetConfig, fromUrl: Credentials | undefined): Credentials | undefined {
  return fromUrl ?? net.hostCredentials.get(url.host.toLowerCase()) ?? netrcLookup(net.netrc, url.hostname);
}

/** Redirects stay on http(s), on the same host, and never go from https to http. */
export function checkRedirect(from: URL, location: string, what: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new Py2pkgError('FETCH_REDIRECT', `${what}: redirect to an invalid location ${JSON.stringify(singleLine(location, 100))}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new Py2pkgError('FETCH_REDIRECT', `${what}: redirect from ${redactUrl(from)} to a ${singleLine(next.protocol, 20)} URL refused`);
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new Py2pkgError('FETCH_REDIRECT', `${what}: redirect from https to plain http refused (${redactUrl(from)} -> ${redactUrl(next)})`);
  }
  if (!sameHost(from, next)) {
    throw new Py2pkgError('FETCH_REDIRECT', `${what}: off-host redirect refused (${redactUrl(from)} -> ${redactUrl(next)})`);
  }
  next.username = '';
  next.password = '';
  next.hash = '';
  return next;
}

function statusError(status: number, url: URL, what: string, retryAfter: string | string[] | undefined): Error {
  const where = `HTTP ${status} from ${redactUrl(url)}`;
  if (RETRY_STATUSES.has(status)) {
    const seconds = typeof retryAfter === 'string' && /^\d+$/.test(retryAfter) ? Math.min(Number(retryAfter), 10) : undefined;
    return new Transient('FETCH_FAILED', where, seconds === undefined ? undefined : seconds * 1000);
  }
  if (status === 401 || status === 403) return new Py2pkgError('FETCH_AUTH', `${what}: ${where} (credentials missing or refused)`);
  if (status === 407) return new Py2pkgError('FETCH_PROXY', `${what}: ${where} (the proxy wants credentials: put them in the proxy URL)`);
  return new Py2pkgError('FETCH_FAILED', `${what}: ${where}`);
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function basic(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** Map a socket/TLS error to a retryable failure or a one-line Py2pkgError. */
function classify(e: unknown, url: URL, what: string): Error {
  if (e instanceof Transient || e instanceof Py2pkgError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const text = singleLine(err.message ?? String(e), 160);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_|HOSTNAME|ALTNAME|EPROTO/.test(code)) {
    return new Py2pkgError('FETCH_TLS', `${what}: TLS connection to ${redactUrl(url)} failed: ${text}`);
  }
  if (code === 'ENOTFOUND') return new Py2pkgError('FETCH_FAILED', `${what}: cannot resolve the host of ${redactUrl(url)}`);
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || text === 'aborted') return new Transient('FETCH_TRUNCATED', `the connection to ${redactUrl(url)} closed early`);
  if (RETRY_ERRNO.has(code) || text === 'socket hang up') return new Transient('FETCH_FAILED', `${code || text} from ${redactUrl(url)}`);
  return new Py2pkgError('FETCH_FAILED', `${what}: ${redactUrl(url)}: ${text}`);
}

/** Open a CONNECT tunnel through the proxy to the target's host:port. */
function tunnel(target: URL, proxy: URL, net: NetConfig, what: string): Promise<Socket> {
  const { url: p, credentials } = splitCredentials(proxy);
  const authority = `${target.hostname}:${defaultPort(target)}`;
  const headers: Record<string, string> = { host: authority, 'user-agent': net.userAgent };
  if (credentials) headers['proxy-authorization'] = basic(credentials);
  const mod = p.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: bareHost(p),
      port: defaultPort(p),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      ...(p.protocol === 'https:' && net.ca !== undefined ? { ca: net.ca } : {}),
    });
    req.setTimeout(net.timeoutMs, () => req.destroy(new Transient('FETCH_TIMEOUT', `no answer from the proxy ${redactUrl(p)} in ${net.timeoutMs / 1000} s`)));
    req.on('connect', (res, socket) => {
      req.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Py2pkgError('FETCH_PROXY', `${what}: the proxy ${redactUrl(p)} answered HTTP ${res.statusCode ?? '?'} to CONNECT ${authority}`));
        return;
      }
      resolve(socket);
    });
    req.on('error', (e) => {
      const c = classify(e, p, what);
      reject(
        c instanceof Py2pkgError && c.code === 'FETCH_FAILED'
          ? new Py2pkgError('FETCH_PROXY', `${what}: cannot reach the proxy ${redactUrl(p)}: ${c.message}`)
          : c,
      );
    });
    req.end();
  });
}

/** One request: resolves with the response once its headers arrive. */
async function requestOnce(url: URL, net: NetConfig, opts: GetOptions, auth: Credentials | undefined): Promise<http.IncomingMessage> {
  const headers: Record<string, string> = {
    'user-agent': net.userAgent,
    'accept-encoding': opts.gunzip ? 'gzip' : 'identity',
    ...opts.headers,
    ...(opts.body !== undefined ? { 'content-length': String(opts.body.length) } : {}),
  };
  if (auth) headers.authorization = basic(auth);
  const proxy = proxyFor(url, net.proxy);
  const https_ = url.protocol === 'https:';
  const tlsOptions = { ...(net.ca !== undefined ? { ca: net.ca } : {}), ...(isIP(bareHost(url)) ? {} : { servername: bareHost(url) }) };
  let request: http.ClientRequest;
  if (proxy && https_) {
    const socket = await tunnel(url, proxy, net, opts.what);
    request = https.request({
      host: bareHost(url),
      port: defaultPort(url),
      path: `${url.pathname}${url.search}`,
      method: opts.method ?? 'GET',
      headers,
      // no agent: with `agent: false` node would make its own connection and skip this one
      createConnection: () => tls.connect({ socket, host: bareHost(url), ...tlsOptions }),
    });
  } else if (proxy) {
    const { url: p, credentials } = splitCredentials(proxy);
    if (credentials) headers['proxy-authorization'] = basic(credentials);
    headers.host = url.host;
    request = (p.protocol === 'https:' ? https : http).request({
      host: bareHost(p),
      port: defaultPort(p),
      path: url.href,
      method: opts.method ?? 'GET',
      headers,
      agent: false,
      ...(p.protocol === 'https:' && net.ca !== undefined ? { ca: net.ca } : {}),
    });
  } else {
    request = (https_ ? https : http).request({
      host: bareHost(url),
      port: defaultPort(url),
      path: `${url.pathname}${url.search}`,
      method: opts.method ?? 'GET',
      headers,
      agent: false,
      ...(https_ ? tlsOptions : {}),
    });
  }
  return new Promise((resolve, reject) => {
    request.setTimeout(net.timeoutMs, () => request.destroy(new Transient('FETCH_TIMEOUT', `no answer from ${redactUrl(url)} in ${net.timeoutMs / 1000} s`)));
    request.on('response', resolve);
    request.on('error', (e) => reject(classify(e, url, opts.what)));
    request.end(opts.body);
  });
}

async function readBody(res: http.IncomingMessage, url: URL, net: NetConfig, opts: GetOptions, status: number): Promise<GetResult> {
  const declared =
    res.headers['content-length'] !== undefined && /^\d+$/.test(res.headers['content-length']) ? Number(res.headers['content-length']) : undefined;
  const encoding = (res.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  const decode = opts.gunzip && (encoding === 'gzip' || encoding === 'x-gzip');
  if (opts.gunzip && !decode && encoding !== 'identity') {
    res.destroy();
    throw new Py2pkgError(
      'INDEX_MALFORMED',
      `${opts.what}: ${redactUrl(url)} was sent with Content-Encoding ${singleLine(encoding, 30)}, which py2pkg did not ask for`,
    );
  }
  const tooLarge = () => new Py2pkgError(opts.tooLargeCode, `${opts.what}: ${redactUrl(url)} is larger than the ${formatSize(opts.maxBytes)} limit`);
  if (declared !== undefined && declared > opts.maxBytes && !decode) {
    res.destroy();
    throw tooLarge();
  }
  res.setTimeout(net.timeoutMs, () => res.destroy(new Transient('FETCH_TIMEOUT', `${redactUrl(url)} stopped sending for ${net.timeoutMs / 1000} s`)));
  const hash = createHash('sha256');
  let raw = 0;
  let kept = 0;
  const chunks: Buffer[] = [];
  const file = opts.toFile !== undefined ? await open(opts.toFile, 'w', 0o600) : undefined;
  try {
    const gunzip = decode ? createGunzip() : undefined;
    if (gunzip) {
      res.on('error', (e) => gunzip.destroy(e));
      res.on('aborted', () => gunzip.destroy(new Transient('FETCH_TRUNCATED', `the connection to ${redactUrl(url)} closed early`)));
      res.on('data', (c: Buffer) => {
        raw += c.length;
        hash.update(c);
      });
      res.pipe(gunzip);
    }
    const source: AsyncIterable<Buffer> = gunzip ?? res;
    for await (const chunk of source) {
      if (!gunzip) {
        raw += chunk.length;
        hash.update(chunk);
      }
      kept += chunk.length;
      if (kept > opts.maxBytes) {
        res.destroy();
        gunzip?.destroy();
        throw tooLarge();
      }
      if (file) await file.write(chunk);
      else chunks.push(chunk);
      opts.onProgress?.(raw, declared);
    }
  } catch (e) {
    if (e instanceof Py2pkgError || e instanceof Transient) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR') {
      throw new Py2pkgError('INDEX_MALFORMED', `${opts.what}: ${redactUrl(url)} sent a broken gzip body`);
    }
    throw classify(e, url, opts.what);
  } finally {
    await file?.close();
  }
  if (!res.complete || (declared !== undefined && raw !== declared)) {
    throw new Transient('FETCH_TRUNCATED', `${redactUrl(url)} sent ${raw} of ${declared ?? '?'} bytes`);
  }
  return { status, headers: res.headers, url, body: file ? undefined : Buffer.concat(chunks), bytes: raw, sha256: hash.digest('hex') };
}

/** POST a body (JSON for OSV's query API) with the same client: CA, proxies, auth, retries, caps; no redirects. */
export async function httpPost(target: URL, body: Buffer, net: NetConfig, opts: Omit<GetOptions, 'method' | 'body' | 'toFile'>): Promise<GetResult> {
  return httpGet(target, net, { ...opts, method: 'POST', body });
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
  return `${bytes} B`;
}
