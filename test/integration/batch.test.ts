/**
 * Batches, the build cache and the lock, through the real CLI with real builds (bwrap,
 * python3 -m build, dpkg-deb): one failure does not stop the others, the worst exit status,
 * --fail-fast, requirements with --hash, a cache hit that builds nothing, --locked and drift.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureSdist, fixturesDist, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../support/project.js';

let dir: string;
let env: Record<string, string>;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const common = ['--trusted-keys', upstreamPub, '--maintainer', 'T <t@example.org>'];
const byName = ['--find-links', fixturesDist, '--offline'];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py2pkg-batch-'));
  // a private build cache per test file: a hit must be one this file made
  env = { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir, PY2PKG_NO_CACHE: '' };
  // an sdist whose bytes do not match its signature: SIG_INVALID, exit 3
  await copyFile(fixtureSdist('hatchdemo'), join(dir, 'altered-1.0.tar.gz'));
  await copyFile(`${fixtureSdist('flitdemo')}.asc`, join(dir, 'altered-1.0.tar.gz.asc'));
});
after(() => rm(dir, { recursive: true, force: true }));

interface BatchJson {
  exitStatus: number;
  packages: Array<{
    input: string;
    state: string;
    cached: boolean;
    files?: Array<{ name: string; sha256: string }>;
    error?: { code: string; exitStatus: number };
  }>;
}

test('a batch with one failing input converts the others, lists the failure once, exits with the worst status', async () => {
  const out = join(dir, 'out-mixed');
  const r = await py2pkg(
    [fixtureSdist('flitdemo'), join(dir, 'altered-1.0.tar.gz'), 'tinyclick==8.1.3', '-j', '2', '--out', out, '--no-cache', ...common, ...byName],
    env,
  );
  assert.equal(r.exitCode, 3, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['python3-flitdemo_23.0-1_all.deb', 'python3-tinyclick_8.1.3-1_all.deb']);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), [join(out, 'python3-flitdemo_23.0-1_all.deb'), join(out, 'python3-tinyclick_8.1.3-1_all.deb')]);
  // stderr is a pipe: plain lines, no terminal control sequences
  assert.ok(!r.stderr.includes('\u001b['), 'no terminal control sequences');
  assert.match(r.stderr, /^py2pkg: \[\d\/3\] tinyclick==8\.1\.3: converted in [\d.]+ s: /m);
  assert.match(r.stderr, /^py2pkg: batch of 3: 2 converted, 1 failed in [\d.]+ s; exit status 3$/m);
  const summary = r.stderr.split('\n').filter((l) => l.startsWith('py2pkg: failed: '));
  assert.equal(summary.length, 1);
  assert.match(summary[0]!, /altered-1\.0\.tar\.gz: error\[SIG_INVALID\]/);
  for (const f of await readdir(out)) {
    const info = await execa('/usr/bin/dpkg-deb', ['--field', join(out, f), 'Package'], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
    assert.match(info.stdout, /^python3-/);
  }
});

test('--fail-fast starts nothing after the first failure; the skipped are counted', async () => {
  const out = join(dir, 'out-failfast');
  const r = await py2pkg(
    [join(dir, 'altered-1.0.tar.gz'), fixtureSdist('flitdemo'), fixtureSdist('tinyclick'), '--fail-fast', '--out', out, '--json', ...common],
    env,
  );
  assert.equal(r.exitCode, 3, r.stderr);
  const res = JSON.parse(r.stdout) as BatchJson;
  assert.equal(res.exitStatus, 3);
  assert.deepEqual(
    res.packages.map((p) => p.state),
    ['failed', 'skipped', 'skipped'],
  );
  assert.equal(res.packages[0]!.error?.code, 'SIG_INVALID');
  assert.match(r.stderr, /^py2pkg: failed: .*altered-1\.0\.tar\.gz: error\[SIG_INVALID\]/m);
  // nothing was written, so --out was not left behind
  await assert.rejects(readdir(out));
});

test('worst status across kinds: a missing input (2) and a trust failure (3) exit 3, whatever their order', async () => {
  const r = await py2pkg(['/nonexistent/x-1.0.tar.gz', join(dir, 'altered-1.0.tar.gz'), '--out', join(dir, 'out-worst'), '--quiet', ...common], env);
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(r.stderr, /error\[INPUT_NOT_FOUND\]/);
  assert.match(r.stderr, /error\[SIG_INVALID\]/);
  assert.equal(r.stderr.trim().split('\n').length, 2, `--quiet prints only the failures:\n${r.stderr}`);
});

test('requirements with --hash: a match converts, a mismatch and a line without a hash are one-line refusals', async () => {
  const good = sha256(fixtureSdist('flitdemo'));
  const req = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const lock = join(dir, 'hash.lock');
  const ok = await py2pkg(
    [
      '-r',
      req('ok.txt', `# pinned and hashed\nflitdemo==23.0 \\\n    --hash=sha256:${good}\n`),
      '--lock',
      lock,
      '--out',
      join(dir, 'out-hash'),
      ...common,
      ...byName,
    ],
    env,
  );
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.deepEqual(await readdir(join(dir, 'out-hash')), ['python3-flitdemo_23.0-1_all.deb']);

  const bad = await py2pkg(
    [
      '-r',
      req('bad.txt', `flitdemo==23.0 --hash=sha256:${'0'.repeat(64)}\n`),
      '--out',
      join(dir, 'out-hash-bad'),
      '--lock',
      join(dir, 'bad.lock'),
      ...common,
      ...byName,
    ],
    env,
  );
  assert.equal(bad.exitCode, 3, bad.stderr);
  assert.match(
    bad.stderr,
    /^py2pkg: failed: flitdemo==23\.0: error\[HASH_MISMATCH\]: flitdemo-23\.0\.tar\.gz has sha256 [0-9a-f]{64}, but .*bad\.txt:1 allows 0{64}/m,
  );
  await assert.rejects(readdir(join(dir, 'out-hash-bad')));
  await assert.rejects(readdir(join(dir, 'bad.lock')), 'a failed batch writes no lock');

  const missing = await py2pkg(
    ['-r', req('missing.txt', `flitdemo==23.0 --hash=sha256:${good}\ntinyclick==8.1.3\n`), '--out', join(dir, 'out-hash-missing'), ...common, ...byName],
    env,
  );
  assert.equal(missing.exitCode, 3, missing.stderr);
  assert.match(missing.stderr, /^py2pkg: error\[REQUIREMENTS_HASH\]: .*missing\.txt:2: tinyclick==8\.1\.3 has no --hash/m);
  assert.equal(missing.stderr.trim().split('\n').length, 1);

  const option = await py2pkg(['-r', req('opt.txt', '--index-url https://example.org/simple/\nflitdemo\n'), ...common], env);
  assert.equal(option.exitCode, 2);
  assert.match(option.stderr, /^py2pkg: error\[REQUIREMENTS_INVALID\]: .*opt\.txt:1: option --index-url is not supported/m);
});

test('build cache: an unchanged rerun builds nothing and says cached; a damaged entry is rebuilt; --no-cache bypasses it', async () => {
  const out = join(dir, 'out-cache');
  const run = (...extra: string[]) => py2pkg([fixtureSdist('tinyclick'), '--out', out, '--json', ...common, ...extra], env);
  const first = await run();
  assert.equal(first.exitCode, 0, first.stderr);
  const cold = JSON.parse(first.stdout) as { cached: boolean; package: { path: string } };
  const bytes = readFileSync(cold.package.path);
  // the package from the first test of this file was built with --no-cache: this one is the first entry
  const second = await run();
  assert.equal(second.exitCode, 0, second.stderr);
  assert.equal((JSON.parse(second.stdout) as { cached: boolean }).cached, true);
  assert.ok(readFileSync(cold.package.path).equals(bytes));
  // without --json the progress says so, and the build stages never start
  const plain = await py2pkg([fixtureSdist('tinyclick'), '--out', out, ...common], env);
  assert.match(plain.stderr, /^py2pkg: cached python3-tinyclick_8\.1\.3-1_all\.deb$/m);
  assert.doesNotMatch(plain.stderr, /^py2pkg: (unpack|build)/m);

  // damage the cached file: detected by its recorded sha256, removed, rebuilt
  const entries = join(dir, 'cache', 'py2pkg', 'packages');
  const found = (await readdir(entries, { recursive: true })).filter((p) => p.endsWith('/files/python3-tinyclick_8.1.3-1_all.deb'));
  assert.equal(found.length, 1, found.join(', '));
  const cachedFile = join(entries, found[0]!);
  writeFileSync(cachedFile, 'damaged');
  const third = await run();
  assert.equal(third.exitCode, 0, third.stderr);
  assert.equal((JSON.parse(third.stdout) as { cached: boolean }).cached, false);
  assert.ok(readFileSync(cold.package.path).equals(bytes), 'the rebuilt package is byte-identical');
  assert.ok(readFileSync(cachedFile).equals(bytes), 'the entry was written again');

  const bypass = await run('--no-cache');
  assert.equal((JSON.parse(bypass.stdout) as { cached: boolean }).cached, false);
  // another option that reaches the package is another key
  const other = await run('--maintainer', 'Other <o@example.org>');
  assert.equal((JSON.parse(other.stdout) as { cached: boolean }).cached, false);
});

test("build cache: a compiled project's -dbgsym package is cached and restored with it", async () => {
  const out = join(dir, 'out-cache-dbgsym');
  const run = () => py2pkg([fixtureSdist('cextension'), '--format', 'deb', '--target', 'debian12', '--out', out, '--json', ...common], env);
  const first = await run();
  assert.equal(first.exitCode, 0, first.stderr);
  const cold = JSON.parse(first.stdout) as { cached: boolean; package: { path: string; debugSymbols?: { path: string } } };
  assert.ok(cold.package.debugSymbols, 'a compiled project has a -dbgsym package');
  const main = readFileSync(cold.package.path);
  const dbg = readFileSync(cold.package.debugSymbols.path);
  await rm(out, { recursive: true, force: true });
  const second = await run();
  assert.equal(second.exitCode, 0, second.stderr);
  const warm = JSON.parse(second.stdout) as { cached: boolean; package: { path: string; debugSymbols?: { path: string } } };
  assert.equal(warm.cached, true);
  assert.ok(warm.package.debugSymbols, 'the cache hit reports the -dbgsym package too');
  assert.ok(readFileSync(warm.package.path).equals(main));
  assert.ok(readFileSync(warm.package.debugSymbols.path).equals(dbg), 'the -dbgsym package is restored byte for byte');
});

test('lock: written after a batch, --locked reproduces it byte for byte, drift is refused with exit 14', async () => {
  const lock = join(dir, 'py2pkg.lock');
  writeFileSync(join(dir, 'lockreq.txt'), 'flitdemo==23.0\ntinyclick==8.1.3\n');
  const write = await py2pkg(['-r', 'lockreq.txt', '--out', 'out-lock', '-j', '2', ...common, ...byName], env, dir);
  assert.equal(write.exitCode, 0, write.stderr);
  assert.match(write.stderr, /^py2pkg: wrote .*py2pkg\.lock$/m);
  const recorded = JSON.parse(readFileSync(lock, 'utf8')) as {
    lockfileVersion: number;
    packages: Array<{
      input: string;
      project: string;
      version: string;
      rule: string;
      sdist: { sha256: string; filename: string };
      files: Array<{ name: string; sha256: string }>;
    }>;
  };
  assert.equal(recorded.lockfileVersion, 1);
  assert.deepEqual(
    recorded.packages.map((p) => [p.input, p.project, p.version, p.sdist.filename]),
    [
      ['flitdemo==23.0', 'flitdemo', '23.0', 'flitdemo-23.0.tar.gz'],
      ['tinyclick==8.1.3', 'tinyclick', '8.1.3', 'tinyclick-8.1.3.tar.gz'],
    ],
  );
  assert.equal(recorded.packages[0]!.sdist.sha256, sha256(fixtureSdist('flitdemo')));
  assert.equal(recorded.packages[0]!.rule, 'default any: pgp');
  assert.equal(recorded.packages[1]!.files[0]!.sha256, sha256(join(dir, 'out-lock', 'python3-tinyclick_8.1.3-1_all.deb')));

  // --locked without the cache: rebuilt from the pinned sdists, every file's sha256 as recorded
  const again = await py2pkg(['--locked', '--no-cache', '--out', 'out-locked', '--json', ...common, ...byName], env, dir);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual(
    (JSON.parse(again.stdout) as BatchJson).packages.map((p) => [p.state, p.files?.[0]?.sha256]),
    recorded.packages.map((p) => ['converted', p.files[0]!.sha256]),
  );

  // drift: an input the lock does not have
  const extra = await py2pkg(['-r', 'lockreq.txt', 'hatchdemo', '--locked', '--out', 'out-drift', ...common, ...byName], env, dir);
  assert.equal(extra.exitCode, 14, extra.stderr);
  assert.match(extra.stderr, /^py2pkg: error\[LOCK_DRIFT\]: hatchdemo is not in the lock /m);
  // drift: another sdist
  const tampered = structuredClone(recorded);
  tampered.packages[0]!.sdist.sha256 = 'f'.repeat(64);
  writeFileSync(join(dir, 'sdist-drift.lock'), JSON.stringify(tampered));
  const sd = await py2pkg(['--locked', '--lock', 'sdist-drift.lock', '--out', 'out-drift2', ...common, ...byName], env, dir);
  assert.equal(sd.exitCode, 14, sd.stderr);
  assert.match(
    sd.stderr,
    /^py2pkg: failed: flitdemo==23\.0: error\[LOCK_DRIFT\]: flitdemo-23\.0\.tar\.gz has sha256 [0-9a-f]{64}, but the lock records sha256 f{64}/m,
  );
  // drift: a package file whose bytes differ from the record (removed from --out)
  const files = structuredClone(recorded);
  files.packages[1]!.files[0]!.sha256 = 'e'.repeat(64);
  writeFileSync(join(dir, 'file-drift.lock'), JSON.stringify(files));
  const fd = await py2pkg(['--locked', '--lock', 'file-drift.lock', '--out', 'out-drift3', ...common, ...byName], env, dir);
  assert.equal(fd.exitCode, 14, fd.stderr);
  assert.match(
    fd.stderr,
    /error\[LOCK_DRIFT\]: tinyclick==8\.1\.3 produced python3-tinyclick_8\.1\.3-1_all\.deb with sha256 [0-9a-f]{64}, but the lock records e{64}/,
  );
  assert.deepEqual(await readdir(join(dir, 'out-drift3')), ['python3-flitdemo_23.0-1_all.deb']);
  // a lock py2pkg did not write
  writeFileSync(join(dir, 'junk.lock'), '{"lockfileVersion": 7}');
  const junk = await py2pkg(['--locked', '--lock', 'junk.lock', ...common], env, dir);
  assert.equal(junk.exitCode, 2);
  assert.match(junk.stderr, /^py2pkg: error\[LOCK_INVALID\]/m);
});

test('on a terminal the batch display redraws in place (pseudo-terminal from python3 pty)', async () => {
  const r = await execa(
    '/usr/bin/python3',
    [
      '-c',
      'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)',
      process.execPath,
      join(repoRoot, 'bin', 'py2pkg.js'),
      fixtureSdist('flitdemo'),
      fixtureSdist('tinyclick'),
      '--out',
      join(dir, 'out-tty'),
      ...common,
    ],
    { env: { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', ...env }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 600_000 },
  );
  assert.equal(r.exitCode, 0, r.stdout);
  // eslint-disable-next-line no-control-regex
  assert.match(r.stdout, /\u001b\[\d+F\u001b\[J/, 'the live block is erased and redrawn');
  assert.match(r.stdout, /✓.*flitdemo-23\.0\.tar\.gz: (converted|cached) in/);
  assert.match(r.stdout, /py2pkg: \[2\/2\] 2 ok/);
});

test('--repo: a batch signs each package and publishes them once at the end; with a failure nothing is published', async () => {
  const orgSec = join(repoRoot, 'fixtures/keys/org-repo-TEST-ONLY.sec.asc');
  const orgPub = join(repoRoot, 'fixtures/keys/org-repo-TEST-ONLY.pub.asc');
  const repo = join(dir, 'apt');
  const ok = await py2pkg(
    [fixtureSdist('flitdemo'), fixtureSdist('tinyclick'), '-j', '2', '--sign-key', orgSec, '--repo', repo, '--out', join(dir, 'out-repo'), ...common],
    env,
  );
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.equal(ok.stderr.match(/^py2pkg: publish \d+ package\(s\) into /gm)?.length, 1, ok.stderr);
  assert.match(ok.stderr, /^py2pkg: published 2 package\(s\) into /m);
  const verified = await py2pkg(['verify', repo, '--key', orgPub], env);
  assert.equal(verified.exitCode, 0, verified.stderr + verified.stdout);
  const packages = readFileSync(join(repo, 'dists', 'stable', 'main', 'binary-all', 'Packages'), 'utf8');
  assert.deepEqual([...packages.matchAll(/^Package: (.+)$/gm)].map((m) => m[1]).sort(), ['python3-flitdemo', 'python3-tinyclick']);

  const bad = await py2pkg(
    [fixtureSdist('hatchdemo'), join(dir, 'altered-1.0.tar.gz'), '--sign-key', orgSec, '--repo', repo, '--out', join(dir, 'out-repo2'), ...common],
    env,
  );
  assert.equal(bad.exitCode, 3, bad.stderr);
  assert.match(bad.stderr, /^py2pkg: nothing published into .*: 1 package\(s\) failed$/m);
  assert.doesNotMatch(readFileSync(join(repo, 'dists', 'stable', 'main', 'binary-all', 'Packages'), 'utf8'), /hatchdemo/);
});

test('build cache: a hit gives the warnings the build gave', async () => {
  const run = () => py2pkg([fixtureSdist('optspeedup'), '--out', join(dir, 'out-warn'), ...common], env);
  const cold = await run();
  const warm = await run();
  assert.equal(warm.exitCode, 0, warm.stderr);
  assert.match(warm.stderr, /^py2pkg: cached /m);
  const warnings = (s: string) => s.split('\n').filter((l) => l.startsWith('py2pkg: warning: '));
  assert.ok(
    warnings(cold.stderr).some((l) => /mentions compiled extensions/.test(l)),
    cold.stderr,
  );
  assert.deepEqual(warnings(warm.stderr), warnings(cold.stderr));
});
