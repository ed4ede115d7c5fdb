/**
 * `py2pkg publish` into a Yum repository: rpms header-signed into Packages/, createrepo_c
 * --update metadata switched in by a symlink, repomd.xml.asc, key and .repo snippet; the
 * same rules as Apt for conflicts, --replace, --remove and parallel publishers. rpmkeys
 * checks the package signatures; dnf judges the repository in test/e2e/dnf-repo.test.ts.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { keysDir, py2pkg, SYSTEM_PATH } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

let work: string;

/** A minimal noarch .rpm built by rpmbuild (`salt` changes its bytes, not its version). */
async function testRpm(name: string, version: string, salt = ''): Promise<string> {
  const dir = await mkdtemp(join(work, 'rpm-'));
  const spec = join(dir, `${name}.spec`);
  await writeFile(
    spec,
    `Name: ${name}\nVersion: ${version}\nRelease: 1\nSummary: py2pkg repo test\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n%description\nrepo test ${salt}\n%install\nmkdir -p %{buildroot}/opt/${name}\necho '${name} ${version} ${salt}' > %{buildroot}/opt/${name}/hello.txt\n%files\n/opt/${name}/hello.txt\n`,
  );
  await execa('/usr/bin/rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${dir}/top`, '--define', '_build_id_links none', spec], {
    env: { ...sys, HOME: dir },
    extendEnv: false,
  });
  return join(dir, 'top/RPMS/noarch', `${name}-${version}-1.noarch.rpm`);
}

const publish = (repo: string, args: string[]) => py2pkg(['publish', '--repo', repo, '--sign-key', ORG_SEC, '--quiet', ...args]);

async function listed(repo: string): Promise<string[]> {
  const repomd = await readFile(join(repo, 'repodata/repomd.xml'), 'utf8');
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)![1]!;
  const xml = gunzipSync(await readFile(join(repo, href))).toString('utf8');
  return [...xml.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1]!).sort();
}

async function checksig(rpm: string): Promise<number> {
  const db = await mkdtemp(join(work, 'db-'));
  await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--import', ORG_PUB], { env: sys, extendEnv: false });
  const r = await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--define', '_pkgverify_level signature', '--checksig', rpm], {
    env: sys,
    extendEnv: false,
    reject: false,
  });
  return r.exitCode ?? -1;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-repo-yum-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('a new Yum repository: signed rpms in Packages/, repodata with repomd.xml.asc, key.asc and a .repo with gpgcheck and repo_gpgcheck', async () => {
  const repo = join(work, 'new');
  const r = await publish(repo, [await testRpm('py2pkg-ya', '1.0'), '--label', 'Example Org', '--repo-url', 'https://yum.example.org/org']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await listed(repo), ['Packages/p/py2pkg-ya-1.0-1.noarch.rpm']);
  assert.equal(await checksig(join(repo, 'Packages/p/py2pkg-ya-1.0-1.noarch.rpm')), 0, 'the pool copy carries the header signature');
  assert.match(await readlink(join(repo, 'repodata')), /^\.py2pkg\/yum\/g[^/]+\/repodata$/);
  assert.ok(existsSync(join(repo, 'repodata/repomd.xml.asc')));
  const snippet = await readFile(join(repo, 'example-org.repo'), 'utf8');
  for (const l of ['[example-org]', 'baseurl=https://yum.example.org/org', 'gpgcheck=1', 'repo_gpgcheck=1', 'gpgkey=https://yum.example.org/org/key.asc'])
    assert.ok(snippet.includes(l), l);
  const v = await py2pkg(['verify', repo, '--key', ORG_PUB]);
  assert.equal(v.exitCode, 0, v.stderr);
  assert.match(v.stdout, /repomd\.xml\.asc: good signature/);
});

test('adding keeps what is there; same NEVRA with other bytes refused unless --replace; --remove; parallel publishes both land', async () => {
  const repo = join(work, 'rules');
  const a = await testRpm('py2pkg-ya', '1.0');
  assert.equal((await publish(repo, [a])).exitCode, 0);
  assert.equal((await publish(repo, [await testRpm('py2pkg-yb', '2.0')])).exitCode, 0);
  assert.deepEqual(await listed(repo), ['Packages/p/py2pkg-ya-1.0-1.noarch.rpm', 'Packages/p/py2pkg-yb-2.0-1.noarch.rpm']);
  const same = await publish(repo, [a]);
  assert.equal(same.exitCode, 0, same.stderr);

  const a2 = await testRpm('py2pkg-ya', '1.0', 'other bytes');
  const conflict = await publish(repo, [a2]);
  assert.equal(conflict.exitCode, 13);
  assert.match(conflict.stderr, /error\[REPO_CONFLICT\]: py2pkg-ya-1\.0-1\.noarch is already published with different contents/);
  const replaced = await publish(repo, [a2, '--replace']);
  assert.equal(replaced.exitCode, 0, replaced.stderr);
  const now = await listed(repo);
  assert.match(now[0]!, /^Packages\/p\/[0-9a-f]{16}\/py2pkg-ya-1\.0-1\.noarch\.rpm$/);
  assert.equal(existsSync(join(repo, 'Packages/p/py2pkg-ya-1.0-1.noarch.rpm')), false, 'the replaced rpm is collected');

  const removed = await publish(repo, ['--remove', 'py2pkg-yb=2.0-1']);
  assert.equal(removed.exitCode, 0, removed.stderr);
  assert.equal((await listed(repo)).length, 1);
  assert.equal((await publish(repo, ['--remove', 'py2pkg-nothing'])).exitCode, 13);
  const apt = await publish(repo, ['--suite', 'x']);
  assert.equal(apt.exitCode, 2, 'Apt options are refused for a Yum repository');

  const rpms = await Promise.all(['yc', 'yd', 'ye'].map((n) => testRpm(`py2pkg-${n}`, '1.0')));
  const results = await Promise.all(rpms.map((r) => publish(repo, [r])));
  for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((await listed(repo)).length, 4);
  assert.equal((await py2pkg(['verify', repo, '--key', ORG_PUB])).exitCode, 0);
  const gens = await import('node:fs/promises').then((fs) => fs.readdir(join(repo, '.py2pkg/yum')));
  assert.equal(gens.length, 1, 'old generations are collected');
});
