/**
 * An interrupted py2pkg (Ctrl-C, a CI runner's SIGTERM) leaves no tool running and nothing of
 * its own behind (src/interrupt.ts). Each test runs the real CLI with a private TMPDIR, waits
 * until the tool named is running as py2pkg's child, stops that child (SIGSTOP: it cannot finish
 * on its own, so the signal surely lands while it runs, and a child left behind would stay), then
 * signals py2pkg. Before src/interrupt.ts, the stopped rpmbuild outlived py2pkg and the work
 * directories stayed in TMPDIR.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { twoRpms } from '../support/fixture-rpms.js';
import { fixtureSdist, keysDir, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-interrupt-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The state letter of /proc/PID/stat, or undefined when the process is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** A child of `parent` whose command name is `comm`, polled every 2 ms for up to `ms`. */
async function childNamed(parent: number, comm: string, ms = 60_000): Promise<number | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === parent && name === comm) return Number(d);
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return undefined;
}

/** Start the CLI, stop its child `comm` when it appears, send `signal`; what was left. */
async function interrupt(args: string[], comm: string, signal: 'SIGINT' | 'SIGTERM', tmp: string) {
  const cli: ResultPromise = execa(process.execPath, [join(repoRoot, 'bin', 'py2pkg.js'), ...args], {
    env: { PATH: SYSTEM_PATH, HOME: work, LANG: 'C.UTF-8', TMPDIR: tmp, PY2PKG_NO_CACHE: '1', SOURCE_DATE_EPOCH: TEST_EPOCH },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  const child = await childNamed(cli.pid!, comm);
  try {
    assert.ok(child !== undefined, `${comm} never ran under py2pkg`);
    process.kill(child, 'SIGSTOP');
    process.kill(cli.pid!, signal);
    const r = await cli;
    return { r, childState: procState(child) };
  } finally {
    if (child !== undefined && procState(child) !== undefined && procState(child) !== 'Z') process.kill(child, 'SIGKILL');
  }
}

test('SIGINT while rpmbuild runs: py2pkg dies by SIGINT, rpmbuild with it, TMPDIR and --out left as they were', async () => {
  const tmp = join(work, 'tmp-convert');
  await mkdir(tmp);
  const out = join(work, 'out-convert');
  const { r, childState } = await interrupt(
    ['--format', 'rpm', '--trusted-keys', upstreamPub, '--maintainer', TEST_MAINTAINER, '--out', out, fixtureSdist('rpc4django')],
    'rpmbuild',
    'SIGINT',
    tmp,
  );
  assert.equal(r.signal, 'SIGINT', `exit ${String(r.exitCode)}: ${String(r.stderr)}`);
  assert.match(String(r.stderr), /^py2pkg: interrupted by SIGINT: stopped 1 running tool; work files removed, nothing half-written left$/m);
  // killed: gone, or a zombie until init reaps it; a stopped (T) or running rpmbuild would be an orphan
  assert.ok(childState === undefined || childState === 'Z', `rpmbuild left in state ${childState}`);
  assert.deepEqual(await readdir(tmp), [], 'work directories left in TMPDIR');
  assert.equal(existsSync(out), false, '--out (made by this run) left behind');
});

test('SIGTERM while createrepo_c runs: the repository keeps its last generation, the next publish lands, py2pkg verify accepts it', async () => {
  const tmp = join(work, 'tmp-publish');
  await mkdir(tmp);
  const [first, second] = await twoRpms(join(work, 'rpms'));
  const repo = join(work, 'yum');
  const pub = (file: string) => ['publish', '--repo', repo, '--sign-key', ORG_SEC, '--quiet', file];
  const one = await py2pkg(pub(first));
  assert.equal(one.exitCode, 0, one.stderr);

  const { r, childState } = await interrupt(pub(second), 'createrepo_c', 'SIGTERM', tmp);
  assert.equal(r.signal, 'SIGTERM', `exit ${String(r.exitCode)}: ${String(r.stderr)}`);
  // createrepo_c, and perhaps rpm2cpio reading the new package for the page beside it
  assert.match(String(r.stderr), /^py2pkg: interrupted by SIGTERM: stopped [12] running tools?;/m);
  assert.ok(childState === undefined || childState === 'Z', `createrepo_c left in state ${childState}`);
  assert.deepEqual(await readdir(tmp), [], 'work directories left in TMPDIR');
  const before = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(before.exitCode, 0, `the interrupted repository no longer verifies: ${before.stderr}`);
  assert.doesNotMatch(before.stdout, /tinyclick/, 'the interrupted publish must not be visible');

  const again = await py2pkg(pub(second));
  assert.equal(again.exitCode, 0, again.stderr);
  const verified = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(verified.exitCode, 0, verified.stderr);
  assert.match(verified.stdout, /tinyclick/);
  // nothing of the interrupted run is left under the repository's state directory
  const partials = (await execa('/usr/bin/find', [repo, '-name', '*.partial'], { env: { PATH: SYSTEM_PATH }, extendEnv: false })).stdout;
  assert.equal(partials, '');
});
