/**
 * The architecture-specific .deb of a required C extension (cextension, for debian12) installs
 * with dpkg -i into a clean Debian 12 root (mmdebstrap, cached) and its compiled module
 * imports: cext._speed is the .so, not a pure fallback (the fixture has none).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshRoot, type DebRoot } from '../support/debroot.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, py2pkg, upstreamPub } from '../support/project.js';

let root: DebRoot;
let work: string;
let deb: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-compiled-e2e-'));
  const r = await py2pkg(
    [
      '--format',
      'deb',
      '--target',
      'debian12',
      '--trusted-keys',
      upstreamPub,
      '--out',
      work,
      '--maintainer',
      TEST_MAINTAINER,
      '--quiet',
      fixtureSdist('cextension'),
    ],
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  // the package, not its -dbgsym companion (test/e2e/compiled-libyaml.test.ts installs both)
  deb = join(work, 'python3-cextension_0.1-1_amd64.deb');
  assert.ok((await readdir(work)).includes(basename(deb)));
  root = await freshRoot();
});
after(async () => {
  await root?.dispose();
  await rm(work, { recursive: true, force: true });
});

test('dpkg -i installs the amd64 .deb in a clean Debian 12 root; the C module imports and runs', async () => {
  await mkdir(join(root.dir, 'debs'), { recursive: true });
  await copyFile(deb, join(root.dir, 'debs', basename(deb)));
  const inst = await root.run(['dpkg', '-i', `/debs/${basename(deb)}`]);
  assert.equal(inst.exitCode, 0, `dpkg -i failed:\n${inst.stdout}\n${inst.stderr}`);
  const imp = await root.run(['python3', '-c', 'import cext._speed as s; print(s.add(2, 3), s.__file__)']);
  assert.equal(imp.exitCode, 0, imp.stderr);
  assert.match(imp.stdout.trim(), /^5 \/usr\/lib\/python3\/dist-packages\/cext\/_speed\.cpython-311-x86_64-linux-gnu\.so$/);
  const status = await root.run(['dpkg-query', '-W', '-f=${Status} ${Architecture}', 'python3-cextension']);
  assert.equal(status.stdout, 'install ok installed amd64');
  const purge = await root.run(['dpkg', '--purge', 'python3-cextension']);
  assert.equal(purge.exitCode, 0, purge.stderr);
  const left = await root.run(['/usr/bin/find', '/usr/lib/python3/dist-packages/cext']);
  assert.notEqual(left.exitCode, 0, `files left after purge: ${left.stdout}`);
});
