/**
 * An extension module linking a system library, end to end: the yamlish fixture (PyYAML 6.0's
 * shape, _yamlish links libyaml) converted for debian12, signed and published with its
 * -dbgsym companion into a signed Apt repository; in a clean Debian 12 root (mmdebstrap,
 * cached), apt-get installs both from that repository, pulling libyaml-0-2 from Debian's own
 * archive (the root reaches deb.debian.org for this; its lists start from this machine's
 * copies when they are there), and the compiled module is what loads: yamlish.__with_libyaml__
 * is true and _yamlish is the .so, calling into libyaml. The installed debug file is the one
 * the module's build id names.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshRoot, SUITE, type DebRoot } from '../support/debroot.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const HOST_LISTS = '/var/lib/apt/lists';
const SO = '/usr/lib/python3/dist-packages/_yamlish.cpython-311-x86_64-linux-gnu.so';

let root: DebRoot;

/** This machine's bookworm main lists (apt verified them): apt-get update then only revalidates. */
async function seedLists(r: DebRoot): Promise<void> {
  if (!existsSync(HOST_LISTS)) return;
  const prefix = `deb.debian.org_debian_dists_${SUITE}_`;
  for (const f of readdirSync(HOST_LISTS).filter(
    (n) => n.startsWith(prefix) && (n.endsWith('_InRelease') || /_main_binary-amd64_Packages(\.[a-z0-9]+)?$/.test(n)),
  )) {
    await copyFile(join(HOST_LISTS, f), join(r.dir, 'var/lib/apt/lists', f));
  }
}

before(async () => {
  root = await freshRoot();
  const srv = join(root.dir, 'srv');
  await mkdir(srv, { recursive: true });
  const repo = join(srv, 'repo');
  const c = await py2pkg(
    [
      '--format',
      'deb',
      '--target',
      'debian12',
      '--trusted-keys',
      upstreamPub,
      '--maintainer',
      TEST_MAINTAINER,
      '--out',
      join(srv, 'out'),
      '--sign-key',
      ORG_SEC,
      '--repo',
      repo,
      '--repo-url',
      'file:///srv/repo',
      '--label',
      'py2pkg libyaml',
      '--quiet',
      fixtureSdist('yamlish'),
    ],
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  assert.equal(c.exitCode, 0, c.stderr);
  const snippet = (await readdir(repo)).find((f) => f.endsWith('.sources'));
  assert.ok(snippet, 'py2pkg wrote a .sources snippet');
  // Debian's archive (the root's sources.list, from mmdebstrap) and the organization's repository
  await writeFile(join(root.dir, 'etc/apt/sources.list.d/py2pkg.sources'), await readFile(join(repo, snippet), 'utf8'));
  await seedLists(root);
});

after(async () => {
  await root?.dispose();
});

test('apt-get installs the .deb and its -dbgsym from the signed repository, libyaml-0-2 from Debian; the C module loads', async () => {
  const before = await root.run(['dpkg-query', '-W', '-f=${db:Status-Status}', 'libyaml-0-2']);
  assert.notEqual(before.stdout, 'installed', 'the clean root must not have libyaml-0-2 yet');
  const net = { network: true, timeoutMs: 10 * 60_000 };
  const u = await root.run(['apt-get', '-o', 'Acquire::Retries=2', '-o', 'Acquire::http::Timeout=30', '-o', 'APT::Update::Error-Mode=any', 'update'], net);
  assert.equal(u.exitCode, 0, `apt-get update (Debian's archive needs the network):\n${u.stdout}\n${u.stderr}`);
  const i = await root.run(
    ['apt-get', '-o', 'Acquire::Retries=2', 'install', '-y', '--no-install-recommends', 'python3-yamlish', 'python3-yamlish-dbgsym'],
    net,
  );
  assert.equal(i.exitCode, 0, `${i.stdout}\n${i.stderr}`);
  // libyaml-0-2 came from Debian's archive, the two packages from the file:// repository
  assert.match(i.stdout, /^Get:\d+ http:\/\/deb\.debian\.org\/debian bookworm\/main amd64 libyaml-0-2 amd64 /m, i.stdout);
  assert.match(i.stdout, /^Get:\d+ file:\/srv\/repo stable\/main amd64 python3-yamlish amd64 6\.0-1/m, i.stdout);
  const status = await root.run(['dpkg-query', '-W', '-f=${Package} ${db:Status-Status}\n', 'libyaml-0-2', 'python3-yamlish', 'python3-yamlish-dbgsym']);
  assert.deepEqual(status.stdout.trim().split('\n').sort(), ['libyaml-0-2 installed', 'python3-yamlish installed', 'python3-yamlish-dbgsym installed']);

  const imp = await root.run([
    'python3',
    '-c',
    'import yamlish; assert yamlish.__with_libyaml__, "fallback loaded"; import _yamlish; print(_yamlish.__file__); print(yamlish.get_version_string(), _yamlish.get_version())',
  ]);
  assert.equal(imp.exitCode, 0, imp.stderr);
  const [file, versions] = imp.stdout.trim().split('\n');
  assert.equal(file, SO);
  assert.match(versions ?? '', /^0\.2\.5 0\.2\.5$/, 'libyaml 0.2.5 (Debian 12) answers from C');
});

test("the installed debug file is the one the installed module's build id names", async () => {
  const notes = await execa('/usr/bin/readelf', ['-n', join(root.dir, SO)], { env: { PATH: SYSTEM_PATH, LC_ALL: 'C' }, extendEnv: false });
  const id = /Build ID: ([0-9a-f]+)/.exec(notes.stdout)?.[1];
  assert.ok(id, notes.stdout);
  const debug = join(root.dir, 'usr/lib/debug/.build-id', id.slice(0, 2), `${id.slice(2)}.debug`);
  assert.ok(existsSync(debug), `${debug} installed by python3-yamlish-dbgsym`);
  const sections = await execa('/usr/bin/readelf', ['-S', '-W', debug], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
  assert.match(sections.stdout, /\] \.debug_info\s/);
});
