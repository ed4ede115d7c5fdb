/**
 * `py2pkg publish` into an Apt repository, its rules and its lock: adding keeps what is
 * there, the same name+version with other bytes is refused unless --replace, --remove,
 * suites sharing a pool, refusing foreign directories and a second key, two publishers at
 * once, a stale lock from a killed publisher. GnuPG's gpgv (what apt runs) checks the
 * signatures; apt itself judges the repository in test/e2e/apt-repo.test.ts.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { keysDir, py2pkg, SYSTEM_PATH } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const ED_SEC = join(keysDir, 'org-repo-ed-TEST-ONLY.sec.asc');
const ED_PUB = join(keysDir, 'org-repo-ed-TEST-ONLY.pub.asc');
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

let work: string;

async function tinyDeb(name: string, version: string, salt = ''): Promise<string> {
  const dir = await mkdtemp(join(work, 'deb-'));
  const root = join(dir, 'root');
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr/share', name), { recursive: true });
  await writeFile(
    join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test package\n tiny ${salt}\n`,
  );
  await writeFile(join(root, 'usr/share', name, 'hello.txt'), `${name} ${version} ${salt}\n`);
  const out = join(dir, `${name}_${version}_all.deb`);
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, out], { env: sys, extendEnv: false });
  return out;
}

const publish = (repo: string, args: string[], key = ORG_SEC) => py2pkg(['publish', '--repo', repo, '--sign-key', key, '--quiet', ...args]);
const verify = (repo: string, key = ORG_PUB) => py2pkg(['verify', repo, '--key', key]);

async function packages(repo: string, suite = 'stable'): Promise<string[]> {
  const text = await readFile(join(repo, 'dists', suite, 'main/binary-amd64/Packages'), 'utf8');
  return [...text.matchAll(/^Package: (.+)\nVersion: (.+)$/gm)].map((m) => `${m[1]}=${m[2]}`).sort();
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-repo-apt-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('a new repository: pool, dists with Packages{,.gz,.xz}, InRelease and Release.gpg that gpgv accepts, key.asc and a .sources with Signed-By', async () => {
  const repo = join(work, 'new');
  const a = await tinyDeb('py2pkg-a', '1.0-1');
  const r = await publish(repo, [
    a,
    '--label',
    'Example Org',
    '--origin',
    'Example',
    '--suite',
    'bookworm-org',
    '--repo-url',
    'https://apt.example.org/org',
    '--valid-for',
    '30',
  ]);
  assert.equal(r.exitCode, 0, r.stderr);
  for (const f of [
    'pool/main/p/py2pkg-a/py2pkg-a_1.0-1_all.deb',
    'dists/bookworm-org/InRelease',
    'dists/bookworm-org/Release',
    'dists/bookworm-org/Release.gpg',
    'key.asc',
    'example-org.sources',
  ]) {
    assert.ok(existsSync(join(repo, f)), f);
  }
  for (const arch of ['all', 'amd64'])
    for (const ext of ['', '.gz', '.xz']) assert.ok(existsSync(join(repo, `dists/bookworm-org/main/binary-${arch}/Packages${ext}`)), `${arch} ${ext}`);
  const release = await readFile(join(repo, 'dists/bookworm-org/Release'), 'utf8');
  for (const f of [
    'Origin: Example',
    'Label: Example Org',
    'Suite: bookworm-org',
    'Architectures: all amd64',
    'Components: main',
    'Valid-Until: ',
    'SHA256:',
    'SHA512:',
  ])
    assert.ok(release.includes(f), f);
  const sources = await readFile(join(repo, 'example-org.sources'), 'utf8');
  assert.match(sources, /^URIs: https:\/\/apt\.example\.org\/org$/m);
  assert.match(sources, /^Suites: bookworm-org$/m);
  assert.match(sources, /^Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n \.\n/m);
  const gnupg = await mkdtemp(join(work, 'gnupg-'));
  const ring = join(gnupg, 'org.gpg');
  await execa('/usr/bin/gpg', ['--homedir', gnupg, '--batch', '--output', ring, '--dearmor', join(repo, 'key.asc')], { env: sys, extendEnv: false });
  const g1 = await execa('/usr/bin/gpgv', ['--homedir', gnupg, '--keyring', ring, join(repo, 'dists/bookworm-org/InRelease')], {
    env: sys,
    extendEnv: false,
    reject: false,
  });
  assert.equal(g1.exitCode, 0, g1.stderr);
  const g2 = await execa(
    '/usr/bin/gpgv',
    ['--homedir', gnupg, '--keyring', ring, join(repo, 'dists/bookworm-org/Release.gpg'), join(repo, 'dists/bookworm-org/Release')],
    { env: sys, extendEnv: false, reject: false },
  );
  assert.equal(g2.exitCode, 0, g2.stderr);
  // apt-ftparchive reads the same pool into the same stanza fields
  const ftp = await execa('/usr/bin/apt-ftparchive', ['packages', 'pool'], { cwd: repo, env: sys, extendEnv: false });
  const ours = await readFile(join(repo, 'dists/bookworm-org/main/binary-all/Packages'), 'utf8');
  for (const f of ['Filename', 'Size', 'SHA256'])
    assert.equal(new RegExp(`^${f}: (.+)$`, 'm').exec(ours)?.[1], new RegExp(`^${f}: (.+)$`, 'm').exec(ftp.stdout)?.[1], f);
  const v = await verify(repo);
  assert.equal(v.exitCode, 0, v.stderr);
});

test('adding keeps what is there; the same package again is a no-op; other bytes under the same version are refused unless --replace', async () => {
  const repo = join(work, 'add');
  const a = await tinyDeb('py2pkg-a', '1.0-1');
  const b = await tinyDeb('py2pkg-b', '2.0-1');
  assert.equal((await publish(repo, [a])).exitCode, 0);
  assert.equal((await publish(repo, [b])).exitCode, 0);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.0-1', 'py2pkg-b=2.0-1']);
  const again = await py2pkg(['publish', '--repo', repo, '--sign-key', ORG_SEC, a]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /already published/);

  const a2 = await tinyDeb('py2pkg-a', '1.0-1', 'rebuilt with other bytes');
  const conflict = await publish(repo, [a2]);
  assert.equal(conflict.exitCode, 13, conflict.stderr);
  assert.match(conflict.stderr, /^py2pkg: error\[REPO_CONFLICT\]: py2pkg-a 1\.0-1 \(all\) is already in stable with different contents/);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.0-1', 'py2pkg-b=2.0-1']);

  const oldSha = /^SHA256: (.+)$/m.exec((await readFile(join(repo, 'dists/stable/main/binary-all/Packages'), 'utf8')).split('\n\n')[0]!)![1];
  const replaced = await publish(repo, [a2, '--replace']);
  assert.equal(replaced.exitCode, 0, replaced.stderr);
  const text = await readFile(join(repo, 'dists/stable/main/binary-all/Packages'), 'utf8');
  const filename = /^Filename: (pool\/main\/p\/py2pkg-a\/.+)$/m.exec(text)![1]!;
  assert.match(
    filename,
    /^pool\/main\/p\/py2pkg-a\/[0-9a-f]{16}\/py2pkg-a_1\.0-1_all\.deb$/,
    'the new bytes get a new path: clients holding the old index still find the old file until they update',
  );
  assert.ok(!text.includes(oldSha!));
  assert.equal(existsSync(join(repo, 'pool/main/p/py2pkg-a/py2pkg-a_1.0-1_all.deb')), false, 'the replaced file is collected');
  assert.equal((await verify(repo)).exitCode, 0);
});

test('--remove NAME=VERSION and NAME; nothing matching is an error; pool files go too', async () => {
  const repo = join(work, 'remove');
  const debs = [await tinyDeb('py2pkg-a', '1.0-1'), await tinyDeb('py2pkg-a', '1.1-1'), await tinyDeb('py2pkg-b', '2.0-1')];
  assert.equal((await publish(repo, debs)).exitCode, 0);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.0-1', 'py2pkg-a=1.1-1', 'py2pkg-b=2.0-1']);
  const one = await publish(repo, ['--remove', 'py2pkg-a=1.0-1']);
  assert.equal(one.exitCode, 0, one.stderr);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.1-1', 'py2pkg-b=2.0-1']);
  assert.equal(existsSync(join(repo, 'pool/main/p/py2pkg-a/py2pkg-a_1.0-1_all.deb')), false);
  const all = await publish(repo, ['--remove', 'py2pkg-a']);
  assert.equal(all.exitCode, 0, all.stderr);
  assert.deepEqual(await packages(repo), ['py2pkg-b=2.0-1']);
  const none = await publish(repo, ['--remove', 'py2pkg-zzz']);
  assert.equal(none.exitCode, 13);
  assert.match(none.stderr, /error\[REPO_NOT_FOUND\]/);
  assert.equal((await verify(repo)).exitCode, 0);
});

test('two suites share the pool; removing from one keeps the file for the other', async () => {
  const repo = join(work, 'suites');
  const a = await tinyDeb('py2pkg-a', '1.0-1');
  assert.equal((await publish(repo, [a, '--suite', 'testing'])).exitCode, 0);
  assert.equal((await publish(repo, [a, '--suite', 'stable'])).exitCode, 0);
  assert.equal((await publish(repo, ['--remove', 'py2pkg-a', '--suite', 'testing'])).exitCode, 0);
  assert.deepEqual(await packages(repo, 'testing'), []);
  assert.deepEqual(await packages(repo, 'stable'), ['py2pkg-a=1.0-1']);
  assert.ok(existsSync(join(repo, 'pool/main/p/py2pkg-a/py2pkg-a_1.0-1_all.deb')));
  assert.equal((await verify(repo)).exitCode, 0);
});

test('foreign directories, another key and the wrong package kind are refused before anything changes', async () => {
  const foreign = join(work, 'foreign');
  await mkdir(foreign);
  await writeFile(join(foreign, 'README'), 'not ours');
  const a = await tinyDeb('py2pkg-a', '1.0-1');
  const f = await publish(foreign, [a]);
  assert.equal(f.exitCode, 13);
  assert.match(f.stderr, /error\[REPO_INVALID\].*not empty and was not made by py2pkg/);

  const repo = join(work, 'keyed');
  assert.equal((await publish(repo, [a])).exitCode, 0);
  const before = await readlink(join(repo, 'dists/stable'));
  const other = await publish(repo, [await tinyDeb('py2pkg-b', '1.0-1')], ED_SEC);
  assert.equal(other.exitCode, 13);
  assert.match(other.stderr, /error\[REPO_INVALID\].*is signed with key .*every client trusts that key/);
  assert.equal(await readlink(join(repo, 'dists/stable')), before);
  const rpm = join(work, 'x.rpm');
  await writeFile(rpm, 'not really');
  const kind = await publish(repo, [rpm]);
  assert.equal(kind.exitCode, 13);
  assert.match(kind.stderr, /error\[REPO_INVALID\].*is an Apt repository; \.rpm packages go into a Yum repository/);
  const mixed = await publish(repo, [a, rpm]);
  assert.equal(mixed.exitCode, 2);
  const noKey = await py2pkg(['publish', '--repo', repo, a]);
  assert.equal(noKey.exitCode, 2);
  assert.match(noKey.stderr, /error\[USAGE\].*--sign-key FILE or --gpg-key/);
  assert.equal((await verify(repo, ED_PUB)).exitCode, 12, 'the repository is still signed by the original key only');
});

test('two publishes at once both land (the lock serialises them)', async () => {
  const repo = join(work, 'parallel');
  assert.equal((await publish(repo, [await tinyDeb('py2pkg-seed', '1-1')])).exitCode, 0);
  const debs = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((n) => tinyDeb(`py2pkg-${n}`, '1.0-1')));
  const results = await Promise.all(debs.map((d) => publish(repo, [d])));
  for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await packages(repo), ['py2pkg-p1=1.0-1', 'py2pkg-p2=1.0-1', 'py2pkg-p3=1.0-1', 'py2pkg-p4=1.0-1', 'py2pkg-seed=1-1']);
  assert.equal((await verify(repo)).exitCode, 0);
});

test("a lock held by a live process makes publish wait (and give up after --lock-timeout); a dead owner's lock is broken", async () => {
  const repo = join(work, 'locked');
  assert.equal((await publish(repo, [await tinyDeb('py2pkg-a', '1.0-1')])).exitCode, 0);
  const lock = join(repo, '.py2pkg', 'lock');
  // a live owner: this test process
  const { processStart } = await import('../../src/repo/lock.js');
  await writeFile(lock, JSON.stringify({ pid: process.pid, start: processStart(process.pid), host: hostname(), nonce: 'test-live' }));
  const t0 = Date.now();
  const waited = await publish(repo, [await tinyDeb('py2pkg-b', '1.0-1'), '--lock-timeout', '1']);
  assert.equal(waited.exitCode, 13, waited.stderr);
  assert.match(waited.stderr, /error\[REPO_LOCKED\].*locked by process \d+/);
  assert.ok(Date.now() - t0 >= 1000);
  // the owner dies (a PID that is not running)
  const child = execa('/bin/true', [], { env: sys, extendEnv: false });
  const deadPid = child.pid!;
  await child;
  await writeFile(lock, JSON.stringify({ pid: deadPid, start: '1', host: hostname(), nonce: 'test-dead' }));
  const broke = await publish(repo, [await tinyDeb('py2pkg-b', '1.0-1'), '--lock-timeout', '20']);
  assert.equal(broke.exitCode, 0, broke.stderr);
  assert.equal(existsSync(lock), false);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.0-1', 'py2pkg-b=1.0-1']);
});

test('a publish with no packages re-signs the metadata (a new Date and Valid-Until), keeping every package', async () => {
  const repo = join(work, 'refresh');
  assert.equal((await publish(repo, [await tinyDeb('py2pkg-a', '1.0-1'), '--valid-for', '1'])).exitCode, 0);
  const before = await readFile(join(repo, 'dists/stable/Release'), 'utf8');
  await new Promise((r) => setTimeout(r, 1100));
  const r = await publish(repo, ['--valid-for', '30']);
  assert.equal(r.exitCode, 0, r.stderr);
  const after = await readFile(join(repo, 'dists/stable/Release'), 'utf8');
  const until = (t: string) => Date.parse(/^Valid-Until: (.+)$/m.exec(t)![1]!.replace(/UTC$/, 'GMT'));
  assert.ok(until(after) - until(before) > 28 * 86400_000);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.0-1']);
  const empty = await py2pkg(['publish', '--repo', join(work, 'never-made'), '--sign-key', ORG_SEC]);
  assert.equal(empty.exitCode, 2);
  assert.match(empty.stderr, /nothing to publish/);
});

test('garbage: files a killed publish landed are swept by the next one (apt-dirty mark); a clean publish does not walk the pool', async () => {
  const repo = join(work, 'dirty');
  assert.equal((await publish(repo, [await tinyDeb('py2pkg-a', '1.0-1')])).exitCode, 0);
  assert.equal(existsSync(join(repo, '.py2pkg/apt-dirty')), false, 'the mark is cleared after the garbage is collected');
  // what a publish killed after landing its pool file leaves: the file and the mark
  const orphan = join(repo, 'pool/main/p/py2pkg-x/py2pkg-x_9-1_all.deb');
  await mkdir(join(repo, 'pool/main/p/py2pkg-x'), { recursive: true });
  await writeFile(orphan, 'landed, never switched in');
  await writeFile(join(repo, '.py2pkg/apt-dirty'), '1\n');
  assert.equal((await publish(repo, [await tinyDeb('py2pkg-b', '1.0-1')])).exitCode, 0);
  assert.equal(existsSync(orphan), false, 'swept');
  assert.equal(existsSync(join(repo, 'pool/main/p/py2pkg-x')), false, 'and its empty directory');
  assert.equal(existsSync(join(repo, '.py2pkg/apt-dirty')), false);
  assert.deepEqual(await packages(repo), ['py2pkg-a=1.0-1', 'py2pkg-b=1.0-1']);
  assert.equal((await verify(repo)).exitCode, 0);
});
