/**
 * The signed Apt repository, judged by apt itself inside the cached Debian 12 root: the
 * repository is published into the root (/srv/...) and used through the .sources snippet
 * py2pkg wrote (Signed-By with the key inline), with an isolated apt configuration
 * (only that source, its own lists directory) and Acquire::Check-Valid-Until=true.
 *
 * apt accepts the good repository and installs from it; it refuses a tampered InRelease,
 * tampered Packages, a tampered .deb in the pool, an unsigned suite, the wrong key and
 * expired metadata — and `py2pkg verify` agrees on each, naming the link that failed.
 * Finally a publish is SIGKILLed at random points again and again: apt must accept the
 * repository every time.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { freshRoot, type DebRoot } from '../support/debroot.js';
import { fixtureSdist, keysDir, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const OTHER_PUB = join(keysDir, 'other-TEST-ONLY.pub.asc');
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const KILL_LOOPS = Number(process.env.PY2PKG_KILL_LOOPS ?? 30);

let root: DebRoot;
let srv: string;
let good: string;
let snippet: string;

/** A minimal .deb built with dpkg-deb. */
async function tinyDeb(dir: string, name: string, version: string): Promise<string> {
  const r = join(dir, `${name}-${version}`);
  await mkdir(join(r, 'DEBIAN'), { recursive: true });
  await mkdir(join(r, 'usr/share', name), { recursive: true });
  await writeFile(
    join(r, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: apt repository test\n tiny\n`,
  );
  await writeFile(join(r, 'usr/share', name, 'hello.txt'), `${name} ${version}\n`);
  const out = join(dir, `${name}_${version}_all.deb`);
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '-Zxz', '--build', r, out], { env: sys, extendEnv: false });
  return out;
}

/** A copy of the good repository at /srv/<name> (the symlinks are relative, so they move along). */
async function copyRepo(name: string): Promise<string> {
  const dst = join(srv, name);
  await cp(good, dst, { recursive: true, verbatimSymlinks: true });
  return dst;
}

/** The real file behind dists/<suite>/<rel> in a repository copy. */
async function genFile(repo: string, rel: string): Promise<string> {
  const link = join(repo, 'dists/stable');
  return join(dirname(link), await readlink(link), rel);
}

interface AptRun {
  exitCode: number;
  out: string;
}

/** apt-get with only this repository's source (the .sources py2pkg wrote, at /srv/<name>), own lists dir. */
async function apt(name: string, args: string[], opts: { sources?: string; extra?: string[] } = {}): Promise<AptRun> {
  const etc = join(srv, `etc-${name}`);
  if (args[0] === 'update') {
    // a fresh source and lists for every update: nothing cached from an earlier run
    await rm(etc, { recursive: true, force: true });
    await mkdir(join(etc, 'sources.list.d'), { recursive: true });
    await mkdir(join(etc, 'lists', 'partial'), { recursive: true });
    const text = (opts.sources ?? snippet).replace(/^URIs: .*$/m, `URIs: file:///srv/${name}`);
    await writeFile(join(etc, 'sources.list.d', 'py2pkg.sources'), text);
  }
  const o = [
    '-o',
    'Dir::Etc::SourceList=/dev/null',
    '-o',
    `Dir::Etc::SourceParts=/srv/etc-${name}/sources.list.d`,
    '-o',
    `Dir::State::Lists=/srv/etc-${name}/lists`,
    '-o',
    'Acquire::Check-Valid-Until=true',
    '-o',
    'APT::Update::Error-Mode=any',
    ...(opts.extra ?? []),
  ];
  const r = await root.run(['apt-get', ...o, ...args]);
  return { exitCode: r.exitCode, out: `${r.stdout}\n${r.stderr}` };
}

async function update(name: string, opts: { sources?: string; extra?: string[] } = {}): Promise<AptRun> {
  return apt(name, ['update'], opts);
}

const verify = (repo: string, key = ORG_PUB, extra: string[] = []) => py2pkg(['verify', repo, '--key', key, ...extra]);

before(async () => {
  root = await freshRoot();
  srv = join(root.dir, 'srv');
  await mkdir(srv, { recursive: true });
  good = join(srv, 'repo');
  // the real path: convert, sign, publish in one run
  const out = await mkdtemp(join(srv, 'out-'));
  const c = await py2pkg(
    [
      '--format',
      'deb',
      '--trusted-keys',
      upstreamPub,
      '--maintainer',
      'T <t@example.org>',
      '--out',
      out,
      '--sign-key',
      ORG_SEC,
      '--repo',
      good,
      '--repo-url',
      'file:///srv/repo',
      '--label',
      'py2pkg e2e',
      '--valid-for',
      '7',
      '--quiet',
      fixtureSdist('rpc4django'),
    ],
    { SOURCE_DATE_EPOCH: '1767225600' },
  );
  assert.equal(c.exitCode, 0, c.stderr);
  const p = await py2pkg([
    'publish',
    await tinyDeb(out, 'py2pkg-tiny', '1.0-1'),
    '--repo',
    good,
    '--sign-key',
    ORG_SEC,
    '--valid-for',
    '7',
    '--label',
    'py2pkg e2e',
    '--repo-url',
    'file:///srv/repo',
    '--quiet',
  ]);
  assert.equal(p.exitCode, 0, p.stderr);
  snippet = await readFile(join(good, 'py2pkg-e2e.sources'), 'utf8');
});

after(async () => {
  await root?.dispose();
});

test('apt-get update and install from the signed repository (Signed-By from the snippet, Check-Valid-Until on); py2pkg verify agrees', async () => {
  const u = await update('repo');
  assert.equal(u.exitCode, 0, u.out);
  assert.doesNotMatch(u.out, /^(W|E): /m, u.out);
  const i = await apt('repo', ['install', '-y', 'python3-rpc4django', 'py2pkg-tiny']);
  assert.equal(i.exitCode, 0, i.out);
  const imp = await root.run(['python3', '-c', 'import rpc4django; print(rpc4django.__name__)']);
  assert.equal(imp.stdout.trim(), 'rpc4django', imp.stderr);
  const v = await verify(good);
  assert.equal(v.exitCode, 0, v.stderr);
});

test('a tampered InRelease: apt refuses (bad signature), py2pkg verify exits 11 naming InRelease', async () => {
  const repo = await copyRepo('t-inrelease');
  const f = await genFile(repo, 'InRelease');
  await writeFile(f, (await readFile(f, 'utf8')).replace('Label: py2pkg e2e', 'Label: py2pkg e2f'));
  const u = await update('t-inrelease');
  assert.notEqual(u.exitCode, 0, u.out);
  assert.match(u.out, /BADSIG|signatures were invalid/);
  const v = await verify(repo);
  assert.equal(v.exitCode, 11, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_BAD_SIGNATURE\]: dists\/stable\/InRelease: /);
});

test('tampered Packages (all compressions rewritten, not re-signed): apt refuses (hash mismatch), py2pkg verify names the index', async () => {
  const repo = await copyRepo('t-packages');
  for (const arch of ['all', 'amd64']) {
    const f = await genFile(repo, `main/binary-${arch}/Packages`);
    const text = (await readFile(f, 'utf8')).replace(/^Description: (.*)$/m, 'Description: $1 (altered)');
    await writeFile(f, text);
    await writeFile(`${f}.gz`, gzipSync(Buffer.from(text)));
    await execa('/usr/bin/xz', ['-f', '-k', f], { env: sys, extendEnv: false });
  }
  const u = await update('t-packages');
  assert.notEqual(u.exitCode, 0, u.out);
  assert.match(u.out, /Hash Sum mismatch|File has unexpected size/);
  const v = await verify(repo);
  assert.equal(v.exitCode, 11, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_DIGEST_MISMATCH\]: dists\/stable\/main\/binary-\w+\/Packages(\.gz|\.xz)?: does not match/);
});

test('a tampered .deb in the pool: apt-get install refuses it, py2pkg verify names the pool file', async () => {
  const repo = await copyRepo('t-pool');
  const deb = join(repo, 'pool/main/p/py2pkg-tiny/py2pkg-tiny_1.0-1_all.deb');
  const bytes = await readFile(deb);
  bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0x01;
  await writeFile(deb, bytes);
  const u = await update('t-pool');
  assert.equal(u.exitCode, 0, u.out);
  const i = await apt('t-pool', ['install', '-y', '--reinstall', 'py2pkg-tiny']);
  assert.notEqual(i.exitCode, 0, i.out);
  assert.match(i.out, /Hash Sum mismatch|Size mismatch/);
  const v = await verify(repo);
  assert.equal(v.exitCode, 11, v.stderr);
  assert.match(
    v.stderr,
    /error\[VERIFY_DIGEST_MISMATCH\]: pool\/main\/p\/py2pkg-tiny\/py2pkg-tiny_1\.0-1_all\.deb: does not match the SHA256 and size in dists\/stable\//,
  );
});

test('the wrong key: apt refuses (NO_PUBKEY), py2pkg verify exits 12', async () => {
  const other = (await readFile(OTHER_PUB, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l}`))
    .join('\n');
  const sources = snippet.replace(/^Signed-By:\n(?: .*\n)+/m, `Signed-By:\n${other}\n`);
  const u = await update('repo', { sources });
  assert.notEqual(u.exitCode, 0, u.out);
  assert.match(u.out, /NO_PUBKEY|not signed/);
  const v = await verify(good, OTHER_PUB);
  assert.equal(v.exitCode, 12, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_UNKNOWN_KEY\]: dists\/stable\/InRelease: signed by key/);
});

test('an unsigned suite (InRelease and Release.gpg gone): apt refuses, py2pkg verify exits 10', async () => {
  const repo = await copyRepo('t-unsigned');
  await rm(await genFile(repo, 'InRelease'));
  await rm(await genFile(repo, 'Release.gpg'));
  const u = await update('t-unsigned');
  assert.notEqual(u.exitCode, 0, u.out);
  assert.match(u.out, /is not signed/);
  const v = await verify(repo);
  assert.equal(v.exitCode, 10, v.stderr);
});

test('expired metadata: apt refuses a Release past its validity, py2pkg verify --at a date past Valid-Until exits 11', async () => {
  // apt caps validity at Date + Acquire::Max-ValidTime; the Release was signed seconds ago
  await new Promise((r) => setTimeout(r, 1500));
  const u = await update('repo', { extra: ['-o', 'Acquire::Max-ValidTime=1'] });
  assert.notEqual(u.exitCode, 0, u.out);
  assert.match(u.out, /is expired/);
  const later = new Date(Date.now() + 8 * 86400_000).toISOString();
  const v = await verify(good, ORG_PUB, ['--at', later]);
  assert.equal(v.exitCode, 11, v.stderr);
  assert.match(v.stderr, /error\[VERIFY_EXPIRED\]: dists\/stable\/InRelease: Valid-Until .* has passed/);
  assert.equal((await verify(good, ORG_PUB, ['--at', new Date(Date.now() + 6 * 86400_000).toISOString()])).exitCode, 0);
});

test(`a publish SIGKILLed at random points (${KILL_LOOPS} times) always leaves a repository apt accepts`, async () => {
  const krepo = join(srv, 'krepo');
  const debs = join(srv, 'kdebs');
  const ktmp = join(srv, 'ktmp');
  await mkdir(debs, { recursive: true });
  await mkdir(ktmp, { recursive: true });
  const seed = await py2pkg([
    'publish',
    await tinyDeb(debs, 'py2pkg-k0', '1-1'),
    '--repo',
    krepo,
    '--sign-key',
    ORG_SEC,
    '--valid-for',
    '7',
    '--repo-url',
    'file:///srv/krepo',
    '--quiet',
  ]);
  assert.equal(seed.exitCode, 0, seed.stderr);
  const files: string[] = [];
  for (let i = 1; i <= KILL_LOOPS; i++) files.push(await tinyDeb(debs, `py2pkg-k${i % 5}`, `${i}-1`));
  const args = (i: number) => (i % 4 === 3 ? ['--remove', `py2pkg-k${(i - 1) % 5}=${i - 1}-1`] : [files[i - 1]!]);
  const t0 = Date.now();
  const timed = await py2pkg(['publish', ...args(1), '--repo', krepo, '--sign-key', ORG_SEC, '--valid-for', '7', '--repo-url', 'file:///srv/krepo', '--quiet']);
  assert.equal(timed.exitCode, 0, timed.stderr);
  const span = Date.now() - t0;
  let killed = 0;
  let killedHoldingLock = 0;
  for (let i = 2; i <= KILL_LOOPS; i++) {
    const child = execa(
      process.execPath,
      [
        join(repoRoot, 'bin/py2pkg.js'),
        'publish',
        ...args(i),
        '--repo',
        krepo,
        '--sign-key',
        ORG_SEC,
        '--valid-for',
        '7',
        '--repo-url',
        'file:///srv/krepo',
        '--quiet',
      ],
      {
        // a killed publish cannot remove its private temp dir: keep those in the test's tree
        env: { ...sys, HOME: process.env.HOME ?? '/root', TMPDIR: ktmp },
        extendEnv: false,
        reject: false,
      },
    );
    // node's start-up takes the first part of the span; aim most kills at the work after it
    const delay = span * (0.25 + Math.random() * 0.8);
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    const r = await child;
    clearTimeout(timer);
    if (r.signal === 'SIGKILL') {
      killed++;
      if (existsSync(join(krepo, '.py2pkg/lock'))) killedHoldingLock++;
    } else assert.ok(r.exitCode === 0 || /REPO_NOT_FOUND/.test(String(r.stderr)), `publish ${i} failed on its own: ${r.stderr}`);
    const u = await update('krepo');
    assert.equal(u.exitCode, 0, `after publish ${i} (${r.signal ?? `exit ${r.exitCode}`} at ${Math.round(delay)} ms) apt refuses the repository:\n${u.out}`);
    assert.doesNotMatch(u.out, /^(W|E): /m, u.out);
  }
  assert.ok(killed >= KILL_LOOPS / 4, `only ${killed} runs were actually killed mid-way`);
  assert.ok(killedHoldingLock >= 3, `only ${killedHoldingLock} runs were killed while they held the lock (inside the publish proper)`);
  // and the next publish cleans up after the killed ones (stale lock, half-written files)
  const last = await py2pkg([
    'publish',
    await tinyDeb(debs, 'py2pkg-final', '1-1'),
    '--repo',
    krepo,
    '--sign-key',
    ORG_SEC,
    '--valid-for',
    '7',
    '--repo-url',
    'file:///srv/krepo',
    '--quiet',
  ]);
  assert.equal(last.exitCode, 0, last.stderr);
  const v = await verify(krepo);
  assert.equal(v.exitCode, 0, v.stderr);
  const leftovers = await execa('/usr/bin/find', [krepo, '-name', '*.partial', '-o', '-name', '*.signing', '-o', '-name', 'lock*'], {
    env: sys,
    extendEnv: false,
  });
  assert.equal(leftovers.stdout.trim(), '', 'temp files and locks of killed runs are cleaned up');
  const u = await update('krepo');
  assert.equal(u.exitCode, 0, u.out);
  const i = await apt('krepo', ['install', '-y', 'py2pkg-final']);
  assert.equal(i.exitCode, 0, i.out);
  process.stderr.write(
    `# kill loop: ${killed} of ${KILL_LOOPS - 1} publishes killed, ${killedHoldingLock} of them while holding the lock (publish span ${span} ms)\n`,
  );
});
