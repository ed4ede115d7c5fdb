/**
 * A real client vouches for the test indexes and for py2pkg's choice: Debian's pip
 * (`python3 -m pip download --no-deps --no-binary :all:`) must fetch the very file py2pkg
 * picks, from the same index: PEP 691 JSON (negotiated), PEP 503 HTML, a file:// index and
 * HTTPS with the test CA, across epochs, pre-releases, yanked files, wheels and
 * Requires-Python. pip runs isolated: no config, a throw-away HOME, the system PATH.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parseByName, sourceSettings, type SourceFlags } from '../../src/source/options.js';
import { resolveAndFetch } from '../../src/source/stage.js';
import { makeSdist, makeWheel, sha256, startIndexServer, writeStaticIndex, type IndexServer, type ServedProject } from '../support/index-server.js';
import { makeTestCa } from '../support/test-network.js';
import { fixtureSdist, SYSTEM_PATH } from '../support/project.js';

const run = promisify(execFile);

const PROJECTS: ServedProject[] = [
  {
    name: 'sel',
    files: [
      makeSdist('sel', '1.0'),
      makeSdist('sel', '2.0'),
      makeSdist('sel', '2.1rc1'),
      makeSdist('sel', '1!0.5'),
      makeWheel('sel', '3.0'),
      { ...makeSdist('sel', '2.5'), yanked: 'broken build' },
      makeSdist('sel', '4.0', { requiresPython: '>=3.99' }),
    ],
  },
  { name: 'onlypre', files: [makeSdist('onlypre', '0.1b1'), makeSdist('onlypre', '0.2a1')] },
  { name: 'rpc4django', files: [{ filename: 'rpc4django-0.6.3.tar.gz', bytes: readFileSync(fixtureSdist('rpc4django')) }] },
];

let work: string;
let n = 0;
const servers: IndexServer[] = [];
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-index-pip-'));
});
after(async () => {
  for (const s of servers) await s.close();
  await rm(work, { recursive: true, force: true });
});

/** pip download into a fresh directory; the one file it saved, and its sha256. */
async function pipDownload(indexUrl: string, req: string, extra: string[] = []): Promise<{ file: string; sha256: string }> {
  const dir = join(work, `pip-${++n}`);
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const args = [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--no-binary',
    ':all:',
    '--no-build-isolation',
    '--disable-pip-version-check',
    '--no-input',
    '--index-url',
    indexUrl,
    '-d',
    join(dir, 'out'),
    ...extra,
    req,
  ];
  const env = { PIP_CONFIG_FILE: '/dev/null', HOME: home, PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
  try {
    await run('/usr/bin/python3', args, { env, timeout: 120_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`pip download ${req} failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
  const files = await readdir(join(dir, 'out'));
  assert.equal(files.length, 1, files.join(', '));
  const file = files[0] ?? '';
  return { file, sha256: sha256(await readFile(join(dir, 'out', file))) };
}

async function py2pkgPick(req: string, flags: SourceFlags): Promise<{ file: string; sha256: string }> {
  const settings = await sourceSettings(flags, { XDG_CACHE_HOME: join(work, `cache-${++n}`), HOME: work });
  const r = await resolveAndFetch(parseByName(req), settings, {
    pythonVersion: '3.11.2',
    maxFileBytes: 1 << 26,
    fetchSignature: false,
    progress: () => {},
    warn: () => {},
  });
  await r.dispose();
  return { file: r.sdist.filename, sha256: r.sdist.sha256 };
}

async function agree(indexUrl: string, req: string, expected: string, opts: { pre?: boolean; cert?: string } = {}): Promise<void> {
  const ours = await py2pkgPick(req, { indexUrl, ...(opts.pre ? { pre: true } : {}), ...(opts.cert ? { cert: opts.cert } : {}) });
  const pips = await pipDownload(indexUrl, req, [...(opts.pre ? ['--pre'] : []), ...(opts.cert ? ['--cert', opts.cert] : [])]);
  assert.equal(ours.file, expected, `py2pkg's pick for ${req}`);
  assert.deepEqual(pips, ours, `pip and py2pkg disagree on ${req} at ${indexUrl}`);
}

const CASES: Array<[string, string, { pre?: boolean }?]> = [
  ['sel', 'sel-1!0.5.tar.gz'], // an epoch beats every version without one
  ['sel<1!0', 'sel-2.0.tar.gz'], // 4.0 wants Python >= 3.99, 3.0 is a wheel, 2.5 is yanked, 2.1rc1 a pre-release
  ['sel==2.5', 'sel-2.5.tar.gz'], // pinned: the yanked file is taken
  ['sel>=2.1rc1,<1!0', 'sel-2.1rc1.tar.gz'], // the specifier names a pre-release
  ['sel<1!0', 'sel-2.1rc1.tar.gz', { pre: true }],
  ['onlypre', 'onlypre-0.2a1.tar.gz'], // nothing final: pre-releases are taken
];

test('PEP 691 JSON by content negotiation: pip and py2pkg pick the same file', async () => {
  const s = await startIndexServer({ projects: PROJECTS, mode: 'negotiate' });
  servers.push(s);
  for (const [req, want, opts] of CASES) await agree(s.indexUrl, req, want, opts);
  const pipPages = s.log.filter((l) => l.url === '/simple/sel/' && !String(l.headers['user-agent']).startsWith('py2pkg'));
  assert.ok(
    pipPages.length > 0 && pipPages.every((l) => /^application\/vnd\.pypi\.simple\.v1\+json/.test(String(l.headers.accept))),
    'pip asked for JSON first',
  );
});

test('PEP 503 HTML: pip and py2pkg pick the same file', async () => {
  const s = await startIndexServer({ projects: PROJECTS, mode: 'html' });
  servers.push(s);
  for (const [req, want, opts] of CASES.slice(0, 3)) await agree(s.indexUrl, req, want, opts);
});

test('a static file:// index: pip and py2pkg pick the same file', async () => {
  const url = await writeStaticIndex(join(work, 'static'), PROJECTS);
  for (const [req, want, opts] of CASES.slice(0, 3)) await agree(url, req, want, opts);
});

test('HTTPS with the test CA (--cert for both): the same rpc4django sdist', async () => {
  const ca = await makeTestCa(join(work, 'ca'));
  const s = await startIndexServer({ projects: PROJECTS, tls: { cert: ca.cert, key: ca.key } });
  servers.push(s);
  await agree(s.indexUrl, 'rpc4django', 'rpc4django-0.6.3.tar.gz', { cert: ca.caFile });
});
