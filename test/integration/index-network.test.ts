/**
 * The network an organization has, on loopback: HTTPS with a CA made by openssl for the test
 * (--cert, SSL_CERT_FILE, REQUESTS_CA_BUNDLE), HTTP(S)_PROXY through a real forwarding proxy
 * (absolute-form and CONNECT) with NO_PROXY and proxy credentials, basic auth from the URL
 * and ~/.netrc (masked in every message and never stored), retries, timeouts, redirects and
 * gzip-encoded pages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Py2pkgError } from '../../src/errors.js';
import { parseByName, sourceSettings, type SourceFlags } from '../../src/source/options.js';
import { resolveAndFetch } from '../../src/source/stage.js';
import { projectJson, sha256, startIndexServer, type IndexServer, type IndexServerOptions } from '../support/index-server.js';
import { makeTestCa, startProxy, type TestCa, type TestProxy } from '../support/test-network.js';
import { fixtureSdist, py2pkg, upstreamPub } from '../support/project.js';

const rpcPath = fixtureSdist('rpc4django');
const rpc = { filename: 'rpc4django-0.6.3.tar.gz', bytes: readFileSync(rpcPath), signature: readFileSync(`${rpcPath}.asc`) };
const RPC = [{ name: 'rpc4django', files: [rpc] }];
const SECRET = 's3cr3t-Pa55';

let work: string;
let ca: TestCa;
let n = 0;
const closers: Array<{ close: () => Promise<void> }> = [];
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-index-net-'));
  ca = await makeTestCa(join(work, 'ca'));
});
after(async () => {
  for (const c of closers) await c.close();
  await rm(work, { recursive: true, force: true });
});

async function serve(opts: Partial<IndexServerOptions> & { https?: boolean } = {}): Promise<IndexServer> {
  const s = await startIndexServer({ projects: RPC, ...opts, ...(opts.https ? { tls: { cert: ca.cert, key: ca.key } } : {}) });
  closers.push(s);
  return s;
}

async function proxy(opts: Parameters<typeof startProxy>[0] = {}): Promise<TestProxy> {
  const p = await startProxy(opts);
  closers.push(p);
  return p;
}

async function fetchByName(req: string, flags: SourceFlags, env: NodeJS.ProcessEnv = {}) {
  const cache = join(work, `cache-${++n}`);
  const messages: string[] = [];
  const settings = await sourceSettings(flags, { XDG_CACHE_HOME: cache, HOME: join(work, 'no-home'), ...env });
  const result = await resolveAndFetch(parseByName(req), settings, {
    pythonVersion: '3.11.2',
    maxFileBytes: 64 * 1024 * 1024,
    fetchSignature: true,
    progress: (m) => messages.push(m),
    warn: (m) => messages.push(m),
  });
  await result.dispose();
  return { result, cache, messages };
}

const fails = (code: string, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof Py2pkgError, String(e));
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  assert.ok(!e.message.includes(SECRET), 'credentials must not appear');
  return true;
};

async function cacheText(dir: string): Promise<string> {
  let all = '';
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) all += await readFile(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name), 'latin1');
  }
  return all;
}

test('HTTPS with the test CA from --cert, SSL_CERT_FILE or REQUESTS_CA_BUNDLE; without it FETCH_TLS', async () => {
  const s = await serve({ https: true });
  assert.equal((await fetchByName('rpc4django', { indexUrl: s.indexUrl, cert: ca.caFile })).result.sdist.sha256, sha256(rpc.bytes));
  assert.equal((await fetchByName('rpc4django', { indexUrl: s.indexUrl }, { SSL_CERT_FILE: ca.caFile })).result.sdist.sha256, sha256(rpc.bytes));
  assert.equal((await fetchByName('rpc4django', { indexUrl: s.indexUrl }, { REQUESTS_CA_BUNDLE: ca.caFile })).result.sdist.sha256, sha256(rpc.bytes));
  const before = s.log.length;
  await assert.rejects(
    fetchByName('rpc4django', { indexUrl: s.indexUrl }),
    fails('FETCH_TLS', /TLS connection to https:\/\/127\.0\.0\.1:\d+\/simple\/rpc4django\/ failed/),
  );
  assert.equal(s.log.length, before, 'no request got through');
});

test('HTTP_PROXY: absolute-form requests through the proxy; HTTPS_PROXY: a CONNECT tunnel; NO_PROXY bypasses', async () => {
  const plain = await serve();
  const p = await proxy();
  await fetchByName('rpc4django', { indexUrl: plain.indexUrl }, { HTTP_PROXY: p.url });
  assert.ok(p.seen.includes(`GET ${plain.indexUrl}rpc4django/`), p.seen.join('\n'));
  assert.ok(p.seen.includes(`GET ${plain.origin}/files/rpc4django-0.6.3.tar.gz`));

  const tls = await serve({ https: true });
  p.seen.length = 0;
  const r = await fetchByName('rpc4django', { indexUrl: tls.indexUrl, cert: ca.caFile }, { https_proxy: p.url });
  assert.equal(r.result.sdist.sha256, sha256(rpc.bytes));
  assert.ok(p.seen.length >= 1 && p.seen.every((l) => l === `CONNECT 127.0.0.1:${new URL(tls.origin).port}`), p.seen.join('\n'));

  p.seen.length = 0;
  await fetchByName('rpc4django', { indexUrl: tls.indexUrl, cert: ca.caFile }, { HTTPS_PROXY: p.url, NO_PROXY: 'localhost,127.0.0.1' });
  assert.deepEqual(p.seen, []);
});

test('proxy credentials from the proxy URL; wrong ones give FETCH_PROXY without printing them', async () => {
  const s = await serve({ https: true });
  const p = await proxy({ auth: { user: 'px', password: SECRET } });
  const ok = await fetchByName(
    'rpc4django',
    { indexUrl: s.indexUrl, cert: ca.caFile },
    { HTTPS_PROXY: `http://px:${SECRET}@127.0.0.1:${new URL(p.url).port}` },
  );
  assert.equal(ok.result.sdist.sha256, sha256(rpc.bytes));
  await assert.rejects(
    fetchByName('rpc4django', { indexUrl: s.indexUrl, cert: ca.caFile }, { HTTPS_PROXY: `http://px:wrong-${SECRET}@127.0.0.1:${new URL(p.url).port}` }),
    fails('FETCH_PROXY', /answered HTTP 407 to CONNECT/),
  );
  const plain = await serve();
  await assert.rejects(fetchByName('rpc4django', { indexUrl: plain.indexUrl }, { HTTP_PROXY: p.url }), fails('FETCH_PROXY', /HTTP 407/));
});

test('basic auth from the URL: sent to the index host, absent from the result and the cache', async () => {
  const s = await serve({ auth: { user: 'alice', password: SECRET } });
  const url = new URL(s.indexUrl);
  url.username = 'alice';
  url.password = SECRET;
  const { result, cache, messages } = await fetchByName('rpc4django', { indexUrl: url.href });
  assert.equal(result.sdist.sha256, sha256(rpc.bytes));
  assert.equal(result.source.index, s.indexUrl);
  assert.ok(!JSON.stringify(result.source).includes(SECRET));
  assert.ok(!messages.join('\n').includes(SECRET));
  assert.ok(!(await cacheText(cache)).includes(SECRET), 'the cache holds no credentials');
  assert.ok(
    s.log.filter((l) => l.url.startsWith('/files/')).every((l) => l.status === 200),
    'file downloads on the same host get the credentials',
  );
  await assert.rejects(fetchByName('rpc4django', { indexUrl: s.indexUrl }), fails('FETCH_AUTH', /HTTP 401/));
});

test('basic auth from ~/.netrc', async () => {
  const s = await serve({ auth: { user: 'bob', password: SECRET } });
  const home = join(work, 'netrc-home');
  await import('node:fs/promises').then((fs) => fs.mkdir(home, { recursive: true }));
  await writeFile(join(home, '.netrc'), `machine 127.0.0.1 login bob password ${SECRET}\n`, { mode: 0o600 });
  const { result } = await fetchByName('rpc4django', { indexUrl: s.indexUrl }, { HOME: home });
  assert.equal(result.sdist.sha256, sha256(rpc.bytes));
});

test('the CLI masks credentials in its one error line, even with --debug', async () => {
  const s = await serve({ auth: { user: 'alice', password: SECRET } });
  const url = new URL(s.indexUrl);
  url.username = 'alice';
  url.password = SECRET;
  for (const extra of [[], ['--debug']]) {
    const r = await py2pkg(['no-such-project', '--index-url', url.href, '--trusted-keys', upstreamPub, '--quiet', ...extra], {
      XDG_CACHE_HOME: join(work, 'cli-cache'),
      HOME: work,
    });
    assert.equal(r.exitCode, 9, r.stderr);
    assert.match(r.stderr, /^py2pkg: error\[INDEX_NOT_FOUND\]: no project named no-such-project on http:\/\/alice:\*\*\*\*@127\.0\.0\.1:\d+\/simple\//);
    assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET), r.stderr);
  }
});

test('retries: 500 twice then 200, and a reset connection then 200, both succeed', async () => {
  let fails500 = 2;
  let resets = 1;
  const s = await serve({
    hook: (req, res) => {
      if (req.url === '/simple/rpc4django/' && fails500 > 0) {
        fails500--;
        res.writeHead(500).end('try again');
        return true;
      }
      if (req.url === '/files/rpc4django-0.6.3.tar.gz' && resets > 0) {
        resets--;
        req.socket.destroy();
        return true;
      }
      return false;
    },
  });
  const t0 = Date.now();
  const { result, messages } = await fetchByName('rpc4django', { indexUrl: s.indexUrl });
  assert.equal(result.sdist.sha256, sha256(rpc.bytes));
  assert.equal(s.log.filter((l) => l.url === '/simple/rpc4django/').length, 3);
  assert.equal(s.log.filter((l) => l.url === '/files/rpc4django-0.6.3.tar.gz').length, 2);
  assert.match(messages.join('\n'), /HTTP 500 from .*; retrying in 0\.5 s \(attempt 2 of 4\)/);
  assert.match(messages.join('\n'), /retrying in 1\.0 s \(attempt 3 of 4\)/);
  assert.ok(Date.now() - t0 >= 1500, 'backs off between attempts');
});

test('a server that never answers: FETCH_TIMEOUT after PY2PKG_TIMEOUT', async () => {
  const s = await serve({ hook: (req) => req.url === '/simple/rpc4django/' });
  const t0 = Date.now();
  await assert.rejects(
    fetchByName('rpc4django', { indexUrl: s.indexUrl }, { PY2PKG_TIMEOUT: '1', PY2PKG_RETRIES: '1' }),
    fails('FETCH_TIMEOUT', /no answer from .* in 1 s \(gave up after 2 attempts\)/),
  );
  const took = Date.now() - t0;
  assert.ok(took >= 2000 && took < 10_000, `${took} ms`);
});

test('redirects: followed on the same host (any port); https -> http refused', async () => {
  const s = await serve({
    hook: (req, res) => {
      if (req.url !== '/Simple/rpc4django/') return false;
      res.writeHead(301, { location: '/simple/rpc4django/' }).end();
      return true;
    },
  });
  const { result } = await fetchByName('rpc4django', { indexUrl: `${s.origin}/Simple/` });
  assert.equal(result.sdist.sha256, sha256(rpc.bytes));
  assert.ok(s.log.some((l) => l.url === '/Simple/rpc4django/' && l.status === 301));
  const moved = await serve({
    hook: (req, res) => (req.url === '/other/rpc4django/' ? (res.writeHead(308, { location: `${s.indexUrl}rpc4django/` }).end(), true) : false),
  });
  assert.equal((await fetchByName('rpc4django', { indexUrl: `${moved.origin}/other/` })).result.sdist.sha256, sha256(rpc.bytes));
  const plainPort = new URL(s.origin).port;
  const tls = await serve({
    https: true,
    hook: (req, res) =>
      req.url === '/simple/rpc4django/' ? (res.writeHead(302, { location: `http://127.0.0.1:${plainPort}/simple/rpc4django/` }).end(), true) : false,
  });
  await assert.rejects(fetchByName('rpc4django', { indexUrl: tls.indexUrl, cert: ca.caFile }), fails('FETCH_REDIRECT', /from https to plain http refused/));
});

test('gzip-encoded pages are decoded; a gzip bomb stops at the page size cap', async () => {
  const body = projectJson(RPC[0]!, () => '/files/rpc4django-0.6.3.tar.gz');
  const s = await serve({
    hook: (req, res) => {
      if (req.url !== '/simple/rpc4django/') return false;
      assert.equal(req.headers['accept-encoding'], 'gzip');
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', 'content-encoding': 'gzip' }).end(gzipSync(body));
      return true;
    },
  });
  const { result } = await fetchByName('rpc4django', { indexUrl: s.indexUrl });
  assert.equal(result.sdist.sha256, sha256(rpc.bytes));
  assert.equal(s.log.find((l) => l.url.startsWith('/files/rpc4django-0.6.3.tar.gz'))?.headers['accept-encoding'], 'identity', 'files are fetched as sent');

  const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20));
  const b = await serve({
    hook: (req, res) =>
      req.url === '/simple/rpc4django/'
        ? (res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', 'content-encoding': 'gzip' }).end(bomb), true)
        : false,
  });
  await assert.rejects(
    fetchByName('rpc4django', { indexUrl: b.indexUrl }, { PY2PKG_MAX_PAGE_SIZE: '8' }),
    fails('INDEX_TOO_LARGE', /larger than the 8 MiB limit/),
  );
});
