/**
 * --recursive end to end (issue 15, "How it is proven"): a local simple-API index (loopback
 * HTTP) holds a three-level tree, e2etop -> e2emid -> e2eleaf, where e2etop also requires
 * idna, which Debian 12 has (python3-idna) and the two others Debian does not. py2pkg plans
 * against this host's bookworm apt lists, converts exactly the projects Debian lacks, signs and
 * publishes them into one Apt repository; in a clean Debian 12 root (mmdebstrap, cached) apt
 * installs the top project from that repository and pulls python3-idna from deb.debian.org.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshRoot, SUITE, type DebRoot } from '../support/debroot.js';
import { startIndexServer, type IndexServer } from '../support/index-server.js';
import { keysDir, py2pkg, upstreamPub } from '../support/project.js';
import { treeProjects } from '../support/tree-index.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const HOST_LISTS = '/var/lib/apt/lists';

let root: DebRoot;
let server: IndexServer;
let repo: string;
let plan: { convert: Array<{ name: string; version: string }>; reuse: Array<{ project: string; package: string; version: string }> };
let run: { exitCode: number; stdout: string; stderr: string };

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
  server = await startIndexServer({
    projects: await treeProjects([
      { name: 'e2etop', version: '1.0', requires: ['e2emid>=1.0', 'idna>=3'] },
      { name: 'e2emid', version: '1.2', requires: ['e2eleaf'] },
      { name: 'e2eleaf', version: '0.5' },
      // on the index too: the archive's package must win over converting it
      { name: 'idna', version: '3.4' },
    ]),
  });
  root = await freshRoot();
  const srv = join(root.dir, 'srv');
  await mkdir(srv, { recursive: true });
  repo = join(srv, 'repo');
  const cache = join(srv, 'cache');
  const args = [
    '--recursive',
    'e2etop',
    '--target',
    'debian12',
    '--index-url',
    server.indexUrl,
    '--trusted-keys',
    upstreamPub,
    '--maintainer',
    'T <t@example.org>',
  ];
  const dry = await py2pkg([...args, '--dry-run', '--json'], { XDG_CACHE_HOME: cache });
  assert.equal(dry.exitCode, 0, dry.stderr);
  plan = (JSON.parse(dry.stdout) as { plan: typeof plan }).plan;
  run = await py2pkg(
    [...args, '--out', join(srv, 'out'), '--sign-key', ORG_SEC, '--repo', repo, '--repo-url', 'file:///srv/repo', '--label', 'py2pkg recursive', '-j', '2'],
    { XDG_CACHE_HOME: cache, SOURCE_DATE_EPOCH: '1767225600' },
  );
  assert.equal(run.exitCode, 0, run.stderr);
  const snippet = (await readdir(repo)).find((f) => f.endsWith('.sources'));
  assert.ok(snippet, 'py2pkg wrote a .sources snippet');
  await writeFile(join(root.dir, 'etc/apt/sources.list.d/py2pkg.sources'), await readFile(join(repo, snippet), 'utf8'));
  await seedLists(root);
});

after(async () => {
  await root?.dispose();
  await server?.close();
});

test('the plan reuses python3-idna from Debian 12 and converts exactly the projects Debian lacks', () => {
  assert.deepEqual(
    plan.convert.map((c) => `${c.name} ${c.version}`),
    ['e2etop 1.0', 'e2emid 1.2', 'e2eleaf 0.5'],
  );
  assert.equal(plan.reuse.length, 1);
  assert.equal(plan.reuse[0]!.package, 'python3-idna');
  assert.match(plan.reuse[0]!.version, /^3\./);
  // the real run printed the same plan before converting, and published the three together
  assert.match(run.stderr, /^└─ idna>=3 {2}reuse python3-idna 3\.\S+ from the archive$/m);
  assert.match(run.stderr, /^py2pkg: published 3 package\(s\) into /m);
  assert.ok(!server.log.some((l) => l.url.includes('idna-3.4.tar.gz')), "the reused project's sdist is never downloaded");
});

test('apt installs the top project from the signed repository, pulling python3-idna from deb.debian.org', async () => {
  const before = await root.run(['dpkg-query', '-W', '-f=${db:Status-Status}', 'python3-idna']);
  assert.notEqual(before.stdout, 'installed', 'the clean root must not have python3-idna yet');
  const net = { network: true, timeoutMs: 10 * 60_000 };
  const u = await root.run(['apt-get', '-o', 'Acquire::Retries=2', '-o', 'Acquire::http::Timeout=30', '-o', 'APT::Update::Error-Mode=any', 'update'], net);
  assert.equal(u.exitCode, 0, `apt-get update (Debian's archive needs the network):\n${u.stdout}\n${u.stderr}`);
  const i = await root.run(['apt-get', '-o', 'Acquire::Retries=2', 'install', '-y', '--no-install-recommends', 'python3-e2etop'], net);
  assert.equal(i.exitCode, 0, `${i.stdout}\n${i.stderr}`);
  assert.match(i.stdout, /^Get:\d+ http:\/\/deb\.debian\.org\/debian bookworm\/main amd64 python3-idna all 3\./m, i.stdout);
  for (const p of ['e2etop', 'e2emid', 'e2eleaf'])
    assert.match(i.stdout, new RegExp(`^Get:\\d+ file:/srv/repo stable/main (amd64|all) python3-${p} all `, 'm'), i.stdout);
  const status = await root.run([
    'dpkg-query',
    '-W',
    '-f=${Package} ${db:Status-Status}\n',
    'python3-e2etop',
    'python3-e2emid',
    'python3-e2eleaf',
    'python3-idna',
  ]);
  assert.deepEqual(status.stdout.trim().split('\n').sort(), [
    'python3-e2eleaf installed',
    'python3-e2emid installed',
    'python3-e2etop installed',
    'python3-idna installed',
  ]);
  const imp = await root.run(['python3', '-c', 'import e2etop, e2emid, e2eleaf, idna; print(e2etop.VERSION, e2emid.VERSION, e2eleaf.VERSION, idna.__file__)']);
  assert.equal(imp.exitCode, 0, imp.stderr);
  assert.equal(imp.stdout.trim(), '1.0 1.2 0.5 /usr/lib/python3/dist-packages/idna/__init__.py');
});
