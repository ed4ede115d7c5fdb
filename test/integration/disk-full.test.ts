/**
 * A full disk is the user's machine, not a py2pkg bug: one FILE_SYSTEM line naming what could
 * not be written, exit status 7, and nothing half-written. Real file systems: small tmpfs mounts
 * (mounting needs root, which `make test` runs as; elsewhere the tests say so and skip).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { twoRpms } from '../support/fixture-rpms.js';
import { fixtureSdist, keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
let work: string;
const mounts: string[] = [];

async function tmpfs(name: string, size: string): Promise<string | undefined> {
  const dir = join(work, name);
  await execa('/usr/bin/mkdir', [dir], { env, extendEnv: false });
  const r = await execa('/usr/bin/mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { env, extendEnv: false, reject: false });
  if (r.exitCode !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-diskfull-'));
});
after(async () => {
  for (const m of mounts) await execa('/usr/bin/umount', [m], { env, extendEnv: false, reject: false });
  await rm(work, { recursive: true, force: true });
});

test('an .rpm that does not fit in --out: FILE_SYSTEM (exit 7) naming the file, no partial file, the --out it made removed', async (t) => {
  const small = await tmpfs('small', '8k');
  if (!small) return t.skip('mounting a tmpfs needs root');
  const out = join(small, 'out');
  const r = await py2pkg(
    ['--format', 'rpm', '--trusted-keys', upstreamPub, '--maintainer', TEST_MAINTAINER, '--out', out, '--quiet', fixtureSdist('poetrydemo')],
    {
      SOURCE_DATE_EPOCH: TEST_EPOCH,
    },
  );
  assert.equal(r.exitCode, 7, r.stderr);
  assert.match(
    r.stderr,
    /^py2pkg: error\[FILE_SYSTEM\]: no space left on the device \(ENOSPC\): copyfile .*\/out\/\.python3-poetrydemo-0\.11\.7-1\.el9\.noarch\.rpm\.\d+\.partial \(free space on that file system, or point --out, --repo or \$TMPDIR elsewhere\)$/m,
  );
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.equal(existsSync(out), false, '--out left behind');
  assert.deepEqual(await readdir(small), []);
});

test('a publish into a repository whose disk is full: FILE_SYSTEM (exit 7), the repository still verifies, the next publish lands once there is room', async (t) => {
  const disk = await tmpfs('repo', '256k');
  if (!disk) return t.skip('mounting a tmpfs needs root');
  const [first, second] = await twoRpms(join(work, 'rpms'));
  const repo = join(disk, 'yum');
  const pub = (file: string) => py2pkg(['publish', '--repo', repo, '--sign-key', ORG_SEC, '--quiet', file]);
  assert.equal((await pub(first)).exitCode, 0);

  // fill what is left
  const filler = join(disk, 'filler');
  await writeFile(filler, '');
  await execa('/usr/bin/dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k', 'count=1024'], { env, extendEnv: false, reject: false });
  const full = await pub(second);
  assert.equal(full.exitCode, 7, full.stderr);
  assert.match(full.stderr, /^py2pkg: error\[FILE_SYSTEM\]: no space left on the device \(ENOSPC\): /m);
  assert.doesNotMatch(full.stderr, /internal error/);
  const still = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(still.exitCode, 0, `the repository no longer verifies after the failed publish: ${still.stderr}`);

  await rm(filler);
  const again = await pub(second);
  assert.equal(again.exitCode, 0, again.stderr);
  const verified = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(verified.exitCode, 0, verified.stderr);
  assert.match(verified.stdout, /tinyclick/);
  const partials = (await execa('/usr/bin/find', [repo, '-name', '*.partial'], { env, extendEnv: false })).stdout;
  assert.equal(partials, '');
});
