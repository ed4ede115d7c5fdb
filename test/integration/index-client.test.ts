/**
 * The resolve + fetch stage against real index servers on 127.0.0.1 (test/support/
 * index-server.ts): PEP 691 JSON and PEP 503 HTML by content negotiation, a static file://
 * index, find-links directories, several indexes, ETag revalidation, --offline, the gpg-sig
 * hint, --allow-no-hash, and concurrent runs sharing one cache.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Py2pkgError } from '../../src/errors.js';
import { parseByName, sourceSettings, type SourceFlags } from '../../src/source/options.js';
import { resolveAndFetch } from '../../src/source/stage.js';
import { makeSdist, sha256, startIndexServer, writeStaticIndex, type IndexServer, type ServedFile } from '../support/index-server.js';
import { fixtureSdist, fixturesDist, keysDir, py2pkg, repoRoot, SYSTEM_PATH } from '../support/project.js';

const rpcPath = fixtureSdist('rpc4django');
const rpc: ServedFile = { filename: 'rpc4django-0.6.3.tar.gz', bytes: readFileSync(rpcPath), signature: readFileSync(`${rpcPath}.asc`) };
const rpcSha = sha256(rpc.bytes);

let work: string;
let n = 0;
const servers: IndexServer[] = [];
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-index-client-'));
});
after(async () => {
  for (const s of servers) await s.close();
  await rm(work, { recursive: true, force: true });
});

async function serve(...args: Parameters<typeof startIndexServer>): Promise<IndexServer> {
  const s = await startIndexServer(...args);
  servers.push(s);
  return s;
}

interface Run {
  cache: string;
  warnings: string[];
  messages: string[];
}

async function fetchByName(req: string, flags: SourceFlags, cache?: string) {
  const run: Run = { cache: cache ?? join(work, `cache-${++n}`), warnings: [], messages: [] };
  const settings = await sourceSettings(flags, { XDG_CACHE_HOME: run.cache, HOME: work });
  const result = await resolveAndFetch(parseByName(req), settings, {
    pythonVersion: '3.11.2',
    maxFileBytes: 64 * 1024 * 1024,
    fetchSignature: true,
    progress: (m) => run.messages.push(m),
    warn: (m) => run.warnings.push(m),
  });
  return { run, result };
}

/** where the cache keeps a blob, for an XDG_CACHE_HOME */
const blobIn = (xdg: string, sha: string) => join(xdg, 'py2pkg', 'blobs', 'sha256', sha.slice(0, 2), sha);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []))
    if (e.isFile()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  return out;
}

test('content negotiation: JSON is asked for first; JSON-only and HTML-only servers give the same file', async () => {
  const picks: string[] = [];
  for (const mode of ['negotiate', 'json', 'html'] as const) {
    const s = await serve({ projects: [{ name: 'rpc4django', files: [rpc] }], mode });
    const { result } = await fetchByName('rpc4django', { indexUrl: s.indexUrl });
    try {
      assert.equal(result.sdist.sha256, rpcSha);
      assert.equal(result.source.indexSha256, rpcSha);
      assert.equal(result.source.signatureUrl, `${s.origin}/files/rpc4django-0.6.3.tar.gz.asc`);
      assert.deepEqual(readFileSync(result.signaturePath ?? ''), rpc.signature);
      picks.push(`${result.sdist.filename} ${result.sdist.sha256}`);
    } finally {
      await result.dispose();
    }
    const page = s.log.find((l) => l.url === '/simple/rpc4django/');
    assert.match(
      String(page?.headers.accept),
      /^application\/vnd\.pypi\.simple\.v1\+json, application\/vnd\.pypi\.simple\.v1\+html;q=0\.2, text\/html;q=0\.01$/,
    );
  }
  assert.equal(new Set(picks).size, 1, picks.join('\n'));
});

test('a static file:// index and a find-links directory resolve to the same bytes', async () => {
  const dir = join(work, 'static');
  const url = await writeStaticIndex(dir, [{ name: 'rpc4django', files: [rpc] }]);
  const a = await fetchByName('rpc4django==0.6.3', { indexUrl: url });
  const b = await fetchByName('rpc4django', { indexUrl: `file://${join(work, 'empty-index')}/`, findLinks: [fixturesDist] });
  try {
    assert.equal(a.result.sdist.sha256, rpcSha);
    assert.equal(a.result.source.indexSha256, rpcSha);
    assert.equal(b.result.sdist.sha256, rpcSha);
    assert.equal(b.result.source.indexSha256, null, 'a find-links directory has no hashes (local files need none)');
    assert.ok(b.result.signaturePath, 'the .asc beside the file in find-links');
  } finally {
    await a.result.dispose();
    await b.result.dispose();
  }
});

test("--find-links pages over HTTP: a flat page of links, only this project's files count", async () => {
  const s = await serve({ projects: [{ name: 'sel', files: [makeSdist('sel', '1.0'), makeSdist('other', '9.0')] }], mode: 'html', htmlLinks: 'absolute' });
  const { run, result } = await fetchByName('sel', { indexUrl: `file://${join(work, 'no-index')}/`, findLinks: [`${s.indexUrl}sel/`], allowNoHash: false });
  await result.dispose();
  assert.equal(result.sdist.filename, 'sel-1.0.tar.gz');
  assert.equal(result.source.index, `${s.indexUrl}sel/`);
  assert.deepEqual(run.warnings, []);
});

test('every index is asked; the newest version wins and the run says the project is on several', async () => {
  const old = await serve({ projects: [{ name: 'sel', files: [makeSdist('sel', '1.0')] }] });
  const extra = await serve({ projects: [{ name: 'sel', files: [makeSdist('sel', '2.0'), makeSdist('sel', '3.0b1')] }] });
  const { run, result } = await fetchByName('sel', { indexUrl: old.indexUrl, extraIndexUrl: [extra.indexUrl] });
  await result.dispose();
  assert.equal(result.sdist.filename, 'sel-2.0.tar.gz');
  assert.equal(result.source.index, extra.indexUrl);
  assert.match(run.warnings.join('\n'), /sel is listed on 2 locations/);
  const pre = await fetchByName('sel', { indexUrl: old.indexUrl, extraIndexUrl: [extra.indexUrl], pre: true });
  await pre.result.dispose();
  assert.equal(pre.result.sdist.filename, 'sel-3.0b1.tar.gz');
});

test('ETag revalidation: the second run gets 304 and takes the file from the cache; --offline needs no server', async () => {
  const s = await serve({ projects: [{ name: 'rpc4django', files: [rpc] }] });
  const first = await fetchByName('rpc4django', { indexUrl: s.indexUrl });
  await first.result.dispose();
  const cache = first.run.cache;
  const blob = blobIn(cache, rpcSha);
  assert.deepEqual(await readFile(blob), rpc.bytes);
  s.log.length = 0;
  const second = await fetchByName('rpc4django', { indexUrl: s.indexUrl }, cache);
  await second.result.dispose();
  const page = s.log.find((l) => l.url === '/simple/rpc4django/');
  assert.ok(page?.headers['if-none-match'], 'revalidates with If-None-Match');
  assert.equal(page?.headers['if-modified-since'], 'Wed, 01 Jan 2025 00:00:00 GMT');
  assert.equal(page?.status, 304);
  assert.ok(!s.log.some((l) => l.url === '/files/rpc4django-0.6.3.tar.gz'), 'the sdist is not downloaded again');
  assert.match(second.run.messages.join('\n'), /rpc4django-0\.6\.3\.tar\.gz \(cached\)/);

  await s.close();
  const offline = await fetchByName('rpc4django', { indexUrl: s.indexUrl, offline: true }, cache);
  assert.equal(offline.result.sdist.sha256, rpcSha);
  assert.deepEqual(readFileSync(offline.result.signaturePath ?? ''), rpc.signature);
  await offline.result.dispose();
  await assert.rejects(
    fetchByName('rpc4django', { indexUrl: s.indexUrl, offline: true }),
    (e: unknown) => e instanceof Py2pkgError && e.code === 'FETCH_OFFLINE',
  );
});

test('a damaged cached file is noticed and fetched again', async () => {
  const s = await serve({ projects: [{ name: 'rpc4django', files: [rpc] }] });
  const first = await fetchByName('rpc4django', { indexUrl: s.indexUrl });
  await first.result.dispose();
  await writeFile(blobIn(first.run.cache, rpcSha), 'garbage');
  s.log.length = 0;
  const again = await fetchByName('rpc4django', { indexUrl: s.indexUrl }, first.run.cache);
  await again.result.dispose();
  assert.equal(again.result.sdist.sha256, rpcSha);
  assert.ok(s.log.some((l) => l.url === '/files/rpc4django-0.6.3.tar.gz' && l.status === 200));
});

test('the gpg-sig hint: false means no probe, absent means probe (404 = no signature), true means fetch', async () => {
  const unsigned = makeSdist('sel', '1.0');
  for (const [hint, signature, expectProbe, expectSig] of [
    [false, 'sig', false, false],
    [undefined, undefined, true, false],
    [undefined, 'sig', true, true],
    [true, 'sig', true, true],
  ] as const) {
    const s = await serve({
      projects: [{ name: 'sel', files: [{ ...unsigned, ...(hint !== undefined ? { gpgSig: hint } : {}), ...(signature ? { signature } : {}) }] }],
    });
    const { result } = await fetchByName('sel', { indexUrl: s.indexUrl });
    await result.dispose();
    assert.equal(
      s.log.some((l) => l.url.endsWith('.asc')),
      expectProbe,
      `hint ${hint}: probe`,
    );
    assert.equal(Boolean(result.signaturePath), expectSig, `hint ${hint}: signature`);
  }
});

test('--allow-no-hash: a file the index gives no sha256 for is refused unless asked for by name', async () => {
  const s = await serve({ projects: [{ name: 'sel', files: [{ ...makeSdist('sel', '1.0'), hash: 'none' }] }] });
  await assert.rejects(
    fetchByName('sel', { indexUrl: s.indexUrl }),
    (e: unknown) => e instanceof Py2pkgError && e.code === 'HASH_MISSING' && e.exitStatus === 3,
  );
  const { result } = await fetchByName('sel', { indexUrl: s.indexUrl, allowNoHash: true });
  await result.dispose();
  assert.equal(result.source.indexSha256, null);
  assert.equal(result.sdist.sha256, sha256(makeSdist('sel', '1.0').bytes));
});

test('four processes fetching into one cache at once: all succeed, one blob, no temp files left', async () => {
  const big = { ...makeSdist('sel', '1.0'), bytes: Buffer.concat([makeSdist('sel', '1.0').bytes, Buffer.alloc(4 * 1024 * 1024, 7)]) };
  const s = await serve({ projects: [{ name: 'sel', files: [big] }] });
  const cache = join(work, 'shared-cache');
  const script = `
    const { parseByName, sourceSettings } = await import(${JSON.stringify(join(repoRoot, 'dist/src/source/options.js'))});
    const { resolveAndFetch } = await import(${JSON.stringify(join(repoRoot, 'dist/src/source/stage.js'))});
    const s = await sourceSettings({ indexUrl: process.argv[1] }, { XDG_CACHE_HOME: process.argv[2], HOME: process.argv[2] });
    const r = await resolveAndFetch(parseByName('sel'), s, { pythonVersion: '3.11.2', maxFileBytes: 1 << 30, fetchSignature: false, progress() {}, warn() {} });
    console.log(r.sdist.sha256); await r.dispose();`;
  const run = promisify(execFile);
  const outs = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, ['--input-type=module', '-e', script, s.indexUrl, cache])));
  const want = sha256(big.bytes);
  for (const o of outs) assert.equal(o.stdout.trim(), want);
  const files = await filesUnder(cache);
  assert.deepEqual(
    files.filter((f) => f.includes('/blobs/')),
    [blobIn(cache, want)],
  );
  assert.deepEqual(
    files.filter((f) => f.includes('/py2pkg/tmp/')),
    [],
  );
  assert.deepEqual(await readFile(blobIn(cache, want)), big.bytes);
});

test('a download progress line on a terminal only (script(1) gives py2pkg a pty)', async () => {
  const slow = await serve({
    projects: [{ name: 'rpc4django', files: [rpc] }],
    hook: (req, res) => {
      if (req.url !== '/files/rpc4django-0.6.3.tar.gz') return false;
      res.writeHead(200, { 'content-length': String(rpc.bytes.length) });
      const parts = [0, 700, 1400, 2100, rpc.bytes.length];
      let i = 0;
      const next = () => {
        if (i >= parts.length - 1) return void res.end();
        res.write(rpc.bytes.subarray(parts[i], parts[i + 1]));
        i++;
        setTimeout(next, 150);
      };
      next();
      return true;
    },
  });
  // signed by a key that is not trusted: the run stops with SIG_UNTRUSTED right after the download
  const args = ['rpc4django', '--index-url', slow.indexUrl, '--trusted-keys', join(keysDir, 'other-TEST-ONLY.pub.asc')];
  const env = { XDG_CACHE_HOME: join(work, 'tty-cache'), HOME: work };
  const cmd = [process.execPath, join(repoRoot, 'bin', 'py2pkg.js'), ...args].map((a) => `'${a}'`).join(' ');
  const tty = await promisify(execFile)('/usr/bin/script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', ...env } }).catch(
    (e: { stdout: string }) => e,
  );
  // eslint-disable-next-line no-control-regex -- the live line is drawn with the ANSI erase-line escape
  assert.match(tty.stdout, /\r\x1b\[Kpy2pkg: download rpc4django-0\.6\.3\.tar\.gz [\d.]+ (B|KiB) \/ [\d.]+ KiB \(\d+%\)/);
  assert.match(tty.stdout, /error\[SIG_UNTRUSTED\]/);
  const plain = await py2pkg(args, { ...env, XDG_CACHE_HOME: join(work, 'plain-cache') });
  assert.equal(plain.exitCode, 3);
  assert.doesNotMatch(plain.stderr, /\r|download rpc4django/);
});
