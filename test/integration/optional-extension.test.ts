/**
 * Pure or compiled is decided by what the build produces, not by reading setup.py: the
 * optspeedup fixture declares a C extension (`ext_modules`, `Extension(`) that setup.py
 * builds only when OPTSPEEDUP_COMPILE=1 (MarkupSafe's shape). py2pkg's sandbox passes no
 * such variable, the wheel is py3-none-any, and the project converts as pure Python — for
 * the host's Debian and for a target whose Python is not the host's (el9). The static
 * reading only warns. The refusal of a build that does produce a .so is in cli-refusals.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../src/exec.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, py2pkg, upstreamPub } from '../support/project.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-optext-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function convert(format: 'deb' | 'rpm', target: string): Promise<{ file: string; stderr: string }> {
  const out = join(work, target);
  await import('node:fs/promises').then((fs) => fs.mkdir(out));
  const r = await py2pkg(
    ['--format', format, '--target', target, '--trusted-keys', upstreamPub, '--out', out, '--maintainer', TEST_MAINTAINER, fixtureSdist('optspeedup')],
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  const files = await readdir(out);
  assert.equal(files.length, 1, `one package in --out: ${files.join(', ')}`);
  return { file: join(out, files[0] as string), stderr: r.stderr };
}

const earlyWarning = /^py2pkg: warning: setup\.py mentions compiled extensions \(ext_modules\); the build decides whether the package is pure Python$/m;

test('an optional C speed-up that the build does not compile converts as pure for debian12 (Architecture: all)', async () => {
  const { file, stderr } = await convert('deb', 'debian12');
  assert.match(stderr, earlyWarning);
  assert.match(file, /\/python3-optspeedup_2\.1\.2-1_all\.deb$/);
  const arch = await run('dpkg-deb', ['--field', file, 'Architecture']);
  assert.equal(arch.stdout.trim(), 'all');
  const list = (await run('dpkg-deb', ['--contents', file])).stdout;
  assert.match(list, /\/usr\/lib\/python3\/dist-packages\/optspeedup\/_native\.py\n/);
  assert.doesNotMatch(list, /\.so\b/, 'no shared object in a pure package');
});

test("the same sdist converts as pure for el9 (noarch), whose Python is not the host's", async () => {
  const { file, stderr } = await convert('rpm', 'el9');
  assert.match(stderr, earlyWarning);
  assert.match(file, /\.noarch\.rpm$/);
  const arch = await run('rpm', ['-qp', '--qf', '%{ARCH}', file]);
  assert.equal(arch.stdout.trim(), 'noarch');
  const list = (await run('rpm', ['-qlp', file])).stdout;
  assert.match(list, /\/usr\/lib\/python3\.9\/site-packages\/optspeedup\/_native\.py\n/);
  assert.doesNotMatch(list, /\.so\b/);
});
