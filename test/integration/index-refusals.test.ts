/**
 * Bad indexes and bad answers, through the real CLI by name: each must end in one line on
 * stderr with its code and documented exit status, nothing on stdout, an empty --out, and
 * no file in the download cache (a failed run commits nothing).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeSdist, makeWheel, sha256, startIndexServer, type Hook, type IndexServer, type ServedProject } from '../support/index-server.js';
import { fixtureSdist, py2pkg, upstreamPub } from '../support/project.js';

const rpcPath = fixtureSdist('rpc4django');
const rpcBytes = readFileSync(rpcPath);
const rpc = { filename: 'rpc4django-0.6.3.tar.gz', bytes: rpcBytes, signature: readFileSync(`${rpcPath}.asc`) };
const RPC: ServedProject[] = [{ name: 'rpc4django', files: [rpc] }];

let work: string;
let n = 0;
const servers: IndexServer[] = [];
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-index-refuse-'));
});
after(async () => {
  for (const s of servers) await s.close();
  await rm(work, { recursive: true, force: true });
});

async function serve(projects: ServedProject[], hook?: Hook, mode: 'negotiate' | 'json' | 'html' = 'negotiate'): Promise<IndexServer> {
  const s = await startIndexServer({ projects, mode, ...(hook ? { hook } : {}) });
  servers.push(s);
  return s;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

/** Run py2pkg by name and check the refusal; returns stderr for further checks. */
async function refuse(args: string[], code: string, status: number, env: Record<string, string> = {}): Promise<string> {
  const dir = join(work, `case-${++n}`);
  const out = join(dir, 'out');
  const cache = join(dir, 'cache');
  await mkdir(out, { recursive: true });
  const r = await py2pkg(['--format', 'deb', '--trusted-keys', upstreamPub, '--out', out, '--maintainer', 'T <t@example.org>', '--quiet', ...args], {
    XDG_CACHE_HOME: cache,
    HOME: dir,
    ...env,
  });
  assert.equal(r.exitCode, status, `exit status for ${code}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `more than one line on stderr:\n${r.stderr}`);
  assert.match(lines[0] ?? '', new RegExp(`^py2pkg: error\\[${code}\\]: .+\\(.+\\)$`));
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace without --debug');
  assert.equal(r.stdout, '');
  assert.deepEqual(await readdir(out), [], '--out must stay empty');
  assert.deepEqual(await filesUnder(cache), [], 'nothing may be left in the cache');
  return lines[0] ?? '';
}

const onPath =
  (path: string, answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Hook =>
  (req, res) => {
    if (req.url !== path) return false;
    answer(req, res);
    return true;
  };

test('a project the index does not have: INDEX_NOT_FOUND, exit 9', async () => {
  const s = await serve(RPC);
  const line = await refuse(['no-such-project', '--index-url', s.indexUrl], 'INDEX_NOT_FOUND', 9);
  assert.match(line, /no project named no-such-project on http:\/\/127\.0\.0\.1:\d+\/simple\//);
});

test('HTTP 500 forever: bounded retries (4 requests), then FETCH_FAILED, exit 8', async () => {
  const s = await serve(
    RPC,
    onPath('/simple/rpc4django/', (_q, res) => res.writeHead(500).end('boom')),
  );
  const line = await refuse(['rpc4django', '--index-url', s.indexUrl], 'FETCH_FAILED', 8);
  assert.match(line, /HTTP 500 from .* \(gave up after 4 attempts\)/);
  assert.equal(s.log.filter((l) => l.url === '/simple/rpc4django/').length, 4);
});

test('a download that is not what the index hashed: HASH_MISMATCH, exit 3', async () => {
  const s = await serve([{ name: 'rpc4django', files: [{ ...rpc, servedBytes: Buffer.concat([rpcBytes, Buffer.from('x')]) }] }]);
  const line = await refuse(['rpc4django', '--index-url', s.indexUrl], 'HASH_MISMATCH', 3);
  assert.match(line, new RegExp(`but the index says ${sha256(rpcBytes)}`));
});

test('the index gives no hash: HASH_MISSING, exit 3 (without --allow-no-hash)', async () => {
  const s = await serve([{ name: 'rpc4django', files: [{ ...rpc, hash: 'none' }] }]);
  await refuse(['rpc4django', '--index-url', s.indexUrl], 'HASH_MISSING', 3);
});

test('a truncated body (Content-Length promised, connection closed): retried, then FETCH_TRUNCATED, exit 8', async () => {
  const s = await serve(
    RPC,
    onPath('/files/rpc4django-0.6.3.tar.gz', (_q, res) => {
      res.writeHead(200, { 'content-length': String(rpcBytes.length) });
      res.write(rpcBytes.subarray(0, 1000), () => res.socket?.destroy());
    }),
  );
  await refuse(['rpc4django', '--index-url', s.indexUrl], 'FETCH_TRUNCATED', 8, { PY2PKG_RETRIES: '1' });
  assert.equal(s.log.filter((l) => l.url === '/files/rpc4django-0.6.3.tar.gz').length, 2);
});

test('links that climb out with ../ (PEP 691 filename, encoded in an HTML link): INDEX_UNSAFE_LINK, exit 4', async () => {
  const json = await serve(
    RPC,
    onPath('/simple/rpc4django/', (_q, res) => {
      const body = JSON.stringify({
        meta: { 'api-version': '1.0' },
        name: 'rpc4django',
        files: [{ filename: '../../../tmp/rpc4django-0.6.3.tar.gz', url: '/files/rpc4django-0.6.3.tar.gz', hashes: { sha256: sha256(rpcBytes) } }],
      });
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(body);
    }),
  );
  await refuse(['rpc4django', '--index-url', json.indexUrl], 'INDEX_UNSAFE_LINK', 4);
  const html = await serve(
    RPC,
    onPath('/simple/rpc4django/', (_q, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<a href="/files/..%2F..%2Ftmp%2Frpc4django-0.6.3.tar.gz#sha256=${sha256(rpcBytes)}">rpc4django-0.6.3.tar.gz</a>`);
    }),
  );
  await refuse(['rpc4django', '--index-url', html.indexUrl], 'INDEX_UNSAFE_LINK', 4);
});

test('a javascript: link: INDEX_UNSAFE_LINK, exit 4', async () => {
  const s = await serve(
    RPC,
    onPath('/simple/rpc4django/', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<a href="javascript:fetch(\'//x\')">rpc4django-0.6.3.tar.gz</a>'),
    ),
  );
  const line = await refuse(['rpc4django', '--index-url', s.indexUrl], 'INDEX_UNSAFE_LINK', 4);
  assert.match(line, /a javascript: link/);
});

test('an off-host redirect is not followed: FETCH_REDIRECT, exit 8', async () => {
  const s = await serve(RPC, (req, res) => {
    if (req.headers.host?.startsWith('localhost')) throw new Error('the redirect was followed');
    if (req.url !== '/simple/rpc4django/') return false;
    res.writeHead(302, { location: `http://localhost:${new URL(s.origin).port}/simple/rpc4django/` }).end();
    return true;
  });
  const line = await refuse(['rpc4django', '--index-url', s.indexUrl], 'FETCH_REDIRECT', 8);
  assert.match(line, /off-host redirect refused/);
  assert.equal(s.log.length, 1);
});

test('a 100 MB JSON page is cut at the size cap: INDEX_TOO_LARGE, exit 4 (declared and streamed)', async () => {
  const mib = Buffer.alloc(1024 * 1024, 0x20);
  for (const declare of [true, false]) {
    let sent = 0;
    const s = await serve(
      RPC,
      onPath('/simple/rpc4django/', (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', ...(declare ? { 'content-length': String(100 * mib.length) } : {}) });
        const pump = () => {
          while (sent < 100) {
            sent++;
            if (!res.write(mib)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (sent = 100));
        pump();
      }),
    );
    const t0 = Date.now();
    const line = await refuse(['rpc4django', '--index-url', s.indexUrl], 'INDEX_TOO_LARGE', 4);
    assert.match(line, /larger than the 50 MiB limit/);
    assert.ok(Date.now() - t0 < 20_000);
  }
});

test('only yanked releases: NO_MATCHING_SDIST, exit 9, naming the reason', async () => {
  const s = await serve([{ name: 'rpc4django', files: [{ ...rpc, yanked: 'security hole' }] }]);
  const line = await refuse(['rpc4django', '--index-url', s.indexUrl], 'NO_MATCHING_SDIST', 9);
  assert.match(line, /is yanked \(0\.6\.3: security hole\); pin the exact version with ==/);
});

test('wheels only, or nothing that matches: NO_MATCHING_SDIST, exit 9, naming what was found', async () => {
  const s = await serve([
    { name: 'rpc4django', files: [makeWheel('rpc4django', '0.7.0')] },
    { name: 'sel', files: [makeSdist('sel', '1.0'), makeSdist('sel', '2.0')] },
  ]);
  assert.match(await refuse(['rpc4django', '--index-url', s.indexUrl], 'NO_MATCHING_SDIST', 9), /wheels only \(versions 0\.7\.0\)/);
  assert.match(await refuse(['sel>=3', '--index-url', s.indexUrl], 'NO_MATCHING_SDIST', 9), /no sdist of sel matches '>=3': available 2\.0, 1\.0/);
});

test('malformed HTML and malformed JSON pages: INDEX_MALFORMED, exit 4', async () => {
  const html = await serve(
    RPC,
    onPath('/simple/rpc4django/', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><a href="rpc4django-0.6.3.tar.gz>rpc4django</a>'),
    ),
  );
  await refuse(['rpc4django', '--index-url', html.indexUrl], 'INDEX_MALFORMED', 4);
  const json = await serve(
    RPC,
    onPath('/simple/rpc4django/', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end('{"meta": {"api-version": "1.0"}, "files": ['),
    ),
  );
  await refuse(['rpc4django', '--index-url', json.indexUrl], 'INDEX_MALFORMED', 4);
});

test('--offline with nothing cached: FETCH_OFFLINE, exit 8, and no request is made', async () => {
  const s = await serve(RPC);
  await refuse(['rpc4django', '--index-url', s.indexUrl, '--offline'], 'FETCH_OFFLINE', 8);
  assert.equal(s.log.length, 0);
});

test('usage: a requirement that does not parse, an index URL of another scheme, a CA file that is not one', async () => {
  await refuse(['rpc4django>=>1'], 'USAGE', 2);
  await refuse(['rpc4django', '--index-url', 'ftp://127.0.0.1/simple/'], 'USAGE', 2);
  await refuse(['rpc4django @ https://127.0.0.1/x.tar.gz'], 'USAGE', 2);
  const notPem = join(work, 'not-a-ca.pem');
  await writeFile(notPem, 'hello');
  await refuse(['rpc4django', '--index-url', 'https://127.0.0.1:9/simple/', '--cert', notPem], 'CONFIG', 2);
  await refuse(['./rpc4django-9.9.tar.gz'], 'INPUT_NOT_FOUND', 2);
});
