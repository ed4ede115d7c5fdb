/**
 * Package indexes for the tests, on loopback only: a simple-API server (node http/https)
 * that serves PEP 691 JSON and PEP 503 HTML by content negotiation (or one of them), with
 * ETag/Last-Modified, basic auth and a hook for injected failures; a static file:// index
 * directory; sdist- and wheel-shaped files to serve. The test CA and the proxy: test-network.ts.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildTgz } from './tarbuilder.js';

export interface ServedFile {
  filename: string;
  bytes: Buffer;
  /** PEP 592: true or a reason */
  yanked?: boolean | string;
  requiresPython?: string;
  /** the detached signature served at <file>.asc (absent: 404) */
  signature?: Buffer | string;
  /** the data-gpg-sig / gpg-sig hint (undefined: not given) */
  gpgSig?: boolean;
  /** 'ok' (default): the real sha256; 'none': no hash; 'wrong': someone else's */
  hash?: 'ok' | 'none' | 'wrong';
  /** PEP 658 metadata file served at <file>.metadata */
  coreMetadata?: Buffer;
  /** serve these bytes instead of `bytes` (the index still hashes `bytes`) */
  servedBytes?: Buffer;
  /** PEP 740 provenance object, served as PyPI's Integrity API does and linked from the page (JSON `provenance`, HTML `data-provenance`) */
  provenance?: Buffer | string;
}

/** PyPI's Integrity API path of a file's provenance (the test server serves it there). */
export function integrityPath(project: string, f: ServedFile): string {
  const version = /-([^-]+)\.(?:tar\.gz|zip)$/.exec(f.filename)?.[1] ?? '0';
  return `/integrity/${canonical(project)}/${encodeURIComponent(version)}/${encodeURIComponent(f.filename)}/provenance`;
}

export interface ServedProject {
  name: string;
  files: ServedFile[];
}

export type PageMode = 'negotiate' | 'json' | 'html';

export interface RequestLog {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  status: number;
}

/** return true when the hook answered the request itself */
export type Hook = (req: http.IncomingMessage, res: http.ServerResponse, server: IndexServer) => boolean | Promise<boolean>;

export interface IndexServerOptions {
  projects: ServedProject[];
  mode?: PageMode;
  tls?: { cert: string; key: string };
  auth?: { user: string; password: string };
  hook?: Hook;
  /** links in HTML pages: relative `../../files/x` (default) or absolute `/files/x` */
  htmlLinks?: 'relative' | 'absolute';
}

export interface IndexServer {
  /** e.g. http://127.0.0.1:40123 (no trailing slash) */
  origin: string;
  /** origin + /simple/ */
  indexUrl: string;
  log: RequestLog[];
  projects: ServedProject[];
  close: () => Promise<void>;
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const canonical = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

function fileHash(f: ServedFile): string | undefined {
  if (f.hash === 'none') return undefined;
  if (f.hash === 'wrong') return sha256(Buffer.concat([f.bytes, Buffer.from('tampered')]));
  return sha256(f.bytes);
}

export function projectJson(
  p: ServedProject,
  fileUrl: (f: ServedFile) => string,
  provenanceUrl: (f: ServedFile) => string = (f) => `${fileUrl(f)}.provenance`,
): string {
  const versions = new Set<string>();
  const files = p.files.map((f) => {
    const v = /-(\d[^-]*?)(\.tar\.gz|\.zip|-py.*\.whl)$/.exec(f.filename)?.[1];
    if (v) versions.add(v);
    const h = fileHash(f);
    return {
      filename: f.filename,
      url: fileUrl(f),
      hashes: h ? { sha256: h } : {},
      ...(f.requiresPython !== undefined ? { 'requires-python': f.requiresPython } : {}),
      ...(f.yanked !== undefined ? { yanked: f.yanked } : {}),
      ...(f.gpgSig !== undefined ? { 'gpg-sig': f.gpgSig } : {}),
      ...(f.coreMetadata ? { 'core-metadata': { sha256: sha256(f.coreMetadata) } } : {}),
      ...(f.provenance !== undefined ? { provenance: provenanceUrl(f) } : {}),
      size: f.bytes.length,
    };
  });
  return JSON.stringify({ meta: { 'api-version': '1.1' }, name: canonical(p.name), files, versions: [...versions] });
}

export function projectHtml(
  p: ServedProject,
  href: (f: ServedFile) => string,
  provenanceHref: (f: ServedFile) => string = (f) => `${href(f)}.provenance`,
): string {
  const links = p.files.map((f) => {
    const h = fileHash(f);
    const attrs = [`href="${escapeHtml(href(f) + (h ? `#sha256=${h}` : ''))}"`];
    if (f.requiresPython !== undefined) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.yanked !== undefined && f.yanked !== false) attrs.push(`data-yanked="${escapeHtml(f.yanked === true ? '' : f.yanked)}"`);
    if (f.gpgSig !== undefined) attrs.push(`data-gpg-sig="${f.gpgSig}"`);
    if (f.provenance !== undefined) attrs.push(`data-provenance="${escapeHtml(provenanceHref(f))}"`);
    if (f.coreMetadata) attrs.push(`data-core-metadata="sha256=${sha256(f.coreMetadata)}"`, `data-dist-info-metadata="sha256=${sha256(f.coreMetadata)}"`);
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br/>`;
  });
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Links for ${escapeHtml(p.name)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(p.name)}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`;
}

function rootHtml(projects: ServedProject[]): string {
  return `<!DOCTYPE html>\n<html><body>\n${projects.map((p) => `<a href="${canonical(p.name)}/">${escapeHtml(p.name)}</a>`).join('\n')}\n</body></html>\n`;
}

/** What the client's Accept header prefers, as PEP 691 describes (q-values, JSON first on a tie). */
function negotiate(accept: string | undefined): 'json' | 'html' | undefined {
  if (!accept) return 'html';
  let best: { kind: 'json' | 'html'; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    const q = Number(
      params
        .map((x) => x.trim())
        .find((x) => x.startsWith('q='))
        ?.slice(2) ?? '1',
    );
    const t = (type ?? '').trim().toLowerCase();
    const kind =
      t === 'application/vnd.pypi.simple.v1+json' || t === 'application/vnd.pypi.simple.latest+json'
        ? 'json'
        : t === 'application/vnd.pypi.simple.v1+html' || t === 'application/vnd.pypi.simple.latest+html' || t === 'text/html' || t === '*/*'
          ? 'html'
          : undefined;
    if (kind && q > 0 && (!best || q > best.q)) best = { kind, q };
  }
  return best?.kind;
}

export function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export async function startIndexServer(opts: IndexServerOptions): Promise<IndexServer> {
  const mode = opts.mode ?? 'negotiate';
  const log: RequestLog[] = [];
  const self = {} as IndexServer;
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const entry: RequestLog = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, status: 0 };
    log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    if (opts.hook && (await opts.hook(req, res, self))) return;
    if (opts.auth) {
      const want = `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) return send(res, 401, 'unauthorized', { 'www-authenticate': 'Basic realm="test"' });
    }
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    if (path === '/simple/') return send(res, 200, rootHtml(self.projects), { 'content-type': 'text/html' });
    const page = /^\/simple\/([^/]+)\/$/.exec(path);
    if (page) {
      const p = self.projects.find((x) => canonical(x.name) === page[1]);
      if (!p) return send(res, 404, 'not found');
      const kind = mode === 'negotiate' ? negotiate(req.headers.accept) : mode;
      if (!kind) return send(res, 406, 'not acceptable');
      const body =
        kind === 'json'
          ? projectJson(
              p,
              (f) => `${self.origin}/files/${encodeURIComponent(f.filename)}`,
              (f) => `${self.origin}${integrityPath(p.name, f)}`,
            )
          : projectHtml(
              p,
              (f) => (opts.htmlLinks === 'absolute' ? `/files/${encodeURIComponent(f.filename)}` : `../../files/${encodeURIComponent(f.filename)}`),
              (f) => integrityPath(p.name, f),
            );
      const etag = `"${sha256(body).slice(0, 16)}"`;
      const headers = {
        'content-type': kind === 'json' ? 'application/vnd.pypi.simple.v1+json' : 'text/html; charset=utf-8',
        etag,
        'last-modified': LAST_MODIFIED,
        vary: 'Accept',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        return res.end();
      }
      return send(res, 200, body, headers);
    }
    if (path.startsWith('/integrity/')) {
      for (const p of self.projects)
        for (const f of p.files)
          if (f.provenance !== undefined && path === decodeURIComponent(integrityPath(p.name, f)))
            return send(res, 200, f.provenance, { 'content-type': 'application/vnd.pypi.integrity.v1+json' });
      return send(res, 404, 'not found');
    }
    const file = /^\/files\/([^/]+)$/.exec(path);
    if (file) {
      const name = file[1] ?? '';
      for (const p of self.projects) {
        for (const f of p.files) {
          if (name === f.filename) return send(res, 200, f.servedBytes ?? f.bytes, { 'content-type': 'application/octet-stream' });
          if (name === `${f.filename}.asc` && f.signature !== undefined) return send(res, 200, f.signature, { 'content-type': 'application/pgp-signature' });
          if (name === `${f.filename}.metadata` && f.coreMetadata) return send(res, 200, f.coreMetadata, { 'content-type': 'text/plain' });
        }
      }
    }
    return send(res, 404, 'not found');
  };
  const server = opts.tls
    ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, (q, r) => void handler(q, r))
    : http.createServer((q, r) => void handler(q, r));
  const open = new Set<net.Socket>();
  server.on('connection', (sock: net.Socket) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  self.origin = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  self.indexUrl = `${self.origin}/simple/`;
  self.log = log;
  self.projects = opts.projects;
  self.close = () =>
    new Promise<void>((resolve) => {
      for (const sock of open) sock.destroy();
      server.close(() => resolve());
    });
  return self;
}

/** A PEP 503 index as a directory tree: <dir>/simple/<project>/index.html, files in <dir>/files/. */
export async function writeStaticIndex(dir: string, projects: ServedProject[]): Promise<string> {
  await mkdir(join(dir, 'files'), { recursive: true });
  await mkdir(join(dir, 'simple'), { recursive: true });
  await writeFile(join(dir, 'simple', 'index.html'), rootHtml(projects));
  for (const p of projects) {
    await mkdir(join(dir, 'simple', canonical(p.name)), { recursive: true });
    await writeFile(
      join(dir, 'simple', canonical(p.name), 'index.html'),
      projectHtml(p, (f) => `../../files/${encodeURIComponent(f.filename)}`),
    );
    for (const f of p.files) {
      await writeFile(join(dir, 'files', f.filename), f.servedBytes ?? f.bytes);
      if (f.signature !== undefined) await writeFile(join(dir, 'files', `${f.filename}.asc`), f.signature);
      if (f.provenance !== undefined) await writeFile(join(dir, 'files', `${f.filename}.provenance`), f.provenance);
    }
  }
  return `file://${join(dir, 'simple')}/`;
}

/**
 * A small buildable sdist (setup.py + PKG-INFO), for selection tests that pip must be able
 * to prepare too (pip download builds the metadata of what it picks).
 */
export function makeSdist(name: string, version: string, opts: { requiresPython?: string } = {}): ServedFile {
  const dir = `${name.replace(/[-.]+/g, '_')}-${version}`;
  const rp = opts.requiresPython ? `Requires-Python: ${opts.requiresPython}\n` : '';
  const setup = `from setuptools import setup\nsetup(name=${JSON.stringify(name)}, version=${JSON.stringify(version)}, py_modules=[], ${opts.requiresPython ? `python_requires=${JSON.stringify(opts.requiresPython)}, ` : ''})\n`;
  const bytes = buildTgz([
    { path: `${dir}/`, type: 'dir', mtime: 1700000000 },
    { path: `${dir}/PKG-INFO`, data: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: test\n${rp}`, mtime: 1700000000 },
    { path: `${dir}/setup.py`, data: setup, mtime: 1700000000 },
  ]);
  return { filename: `${dir}.tar.gz`, bytes, ...(opts.requiresPython ? { requiresPython: opts.requiresPython } : {}) };
}

/** A wheel-shaped file (never installed; only its name matters to the finder). */
export function makeWheel(name: string, version: string): ServedFile {
  return { filename: `${name.replace(/[-.]+/g, '_')}-${version}-py3-none-any.whl`, bytes: Buffer.from(`not really a wheel ${name} ${version}`) };
}
