/**
 * `py2pkg outdated` end to end with the real CLI: a fixture sdist converted, signed and published
 * (and locked) by py2pkg; a loopback index listing a newer signed release (and, in another case,
 * the packaged release yanked); OSV data as a directory of records, the PyPI export's zip
 * (written by Python's zipfile) and the query API (querybatch + vulns/ID on the test server).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signDetached } from '../../fixtures/sign.js';
import { startIndexServer, type IndexServer, type ServedFile } from '../support/index-server.js';
import { fixtureSdist, keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const UP_SEC = join(keysDir, 'upstream-TEST-ONLY.sec.asc');
const RECORD = {
  id: 'PYSEC-2099-1',
  modified: '2099-01-01T00:00:00Z',
  summary: 'tinyclick <b>escapes</b> nothing',
  aliases: ['CVE-2099-0001'],
  affected: [{ package: { ecosystem: 'PyPI', name: 'TinyClick' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.1.4' }] }] }],
};

let work: string;
let repo: string;
let lock: string;
let osvDir: string;
let servers: IndexServer[] = [];

async function served(filename: string, bytes: Buffer, extra: Partial<ServedFile> = {}): Promise<ServedFile> {
  const sig = await signDetached(bytes, await readFile(UP_SEC, 'utf8'));
  return { filename, bytes, signature: Buffer.from(sig as string), gpgSig: true, ...extra };
}

/** OSV's API on the test server: POST /v1/querybatch, GET /v1/vulns/ID. */
function osvApi(records: Array<typeof RECORD>, calls: string[]) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    if (req.url === '/v1/querybatch' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { queries: Array<{ package: { name: string; ecosystem: string }; version: string }> };
      calls.push(`querybatch ${body.queries.map((q) => `${q.package.ecosystem}/${q.package.name}@${q.version}`).join(',')}`);
      const results = body.queries.map((q) => ({
        vulns: records.filter((r) => r.affected.some((a) => a.package.name.toLowerCase() === q.package.name)).map((r) => ({ id: r.id, modified: r.modified })),
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
      return true;
    }
    const m = /^\/v1\/vulns\/([^/]+)$/.exec(req.url ?? '');
    if (m) {
      calls.push(`vuln ${m[1]}`);
      const r = records.find((x) => x.id === decodeURIComponent(m[1]!));
      res.writeHead(r ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(r ?? {}));
      return true;
    }
    return false;
  };
}

async function server(files: ServedFile[], hook?: ReturnType<typeof osvApi>): Promise<IndexServer> {
  const s = await startIndexServer({ projects: [{ name: 'tinyclick', files }], ...(hook ? { hook } : {}) });
  servers.push(s);
  return s;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-outdated-'));
  repo = join(work, 'repo');
  lock = join(work, 'py2pkg.lock');
  const r = await py2pkg([
    fixtureSdist('tinyclick'),
    '--trusted-keys',
    upstreamPub,
    '--sign-key',
    ORG_SEC,
    '--repo',
    repo,
    '--out',
    join(work, 'out'),
    '--lock',
    lock,
    '--quiet',
  ]);
  assert.equal(r.exitCode, 0, r.stderr);
  osvDir = join(work, 'osv');
  await mkdir(osvDir);
  await writeFile(join(osvDir, 'PYSEC-2099-1.json'), JSON.stringify(RECORD));
  await writeFile(
    join(osvDir, 'PYSEC-2099-2.json'),
    JSON.stringify({ ...RECORD, id: 'PYSEC-2099-2', affected: [{ package: { ecosystem: 'PyPI', name: 'other' }, versions: ['8.1.3'] }] }),
  );
});

after(async () => {
  for (const s of servers) await s.close();
  servers = [];
  await rm(work, { recursive: true, force: true });
});

test('a newer signed release and an OSV record: exit 15 SECURITY_UPDATE, --json shape, outdated.json and the page', async () => {
  const bytes = await readFile(fixtureSdist('tinyclick'));
  const s = await server([
    await served('tinyclick-8.1.3.tar.gz', bytes),
    await served('tinyclick-8.1.4.tar.gz', Buffer.concat([bytes, Buffer.from('newer')])),
    await served('tinyclick-9.0rc1.tar.gz', Buffer.from('pre')),
  ]);
  const table = await py2pkg(['outdated', repo, '--index-url', s.indexUrl, '--osv', osvDir]);
  assert.equal(table.exitCode, 15, table.stderr);
  assert.match(table.stdout, /^tinyclick\s+8\.1\.3\s+8\.1\.4\s+SECURITY UPDATE\s+PYSEC-2099-1 \(fixed in 8\.1\.4\)$/m);
  assert.match(table.stderr, /^py2pkg: error\[SECURITY_UPDATE\]: .*tinyclick 8\.1\.3 -> 8\.1\.4 \(PYSEC-2099-1\)/m);

  const r = await py2pkg(['outdated', repo, '--index-url', s.indexUrl, '--osv', osvDir, '--json']);
  assert.equal(r.exitCode, 15);
  const doc = JSON.parse(r.stdout) as Record<string, any>;
  assert.deepEqual(Object.keys(doc).sort(), ['checkedAt', 'exitStatus', 'from', 'osv', 'packages', 'securityUpdates', 'unknown']);
  assert.equal(doc.exitStatus, 15);
  assert.deepEqual(doc.from, { kind: 'apt', path: repo });
  assert.deepEqual({ ...doc.osv, where: '' }, { kind: 'dir', where: '', read: 2 });
  const row = doc.packages[0];
  assert.equal(doc.packages.length, 1);
  assert.equal(row.project, 'tinyclick');
  assert.equal(row.version, '8.1.3');
  assert.deepEqual(row.packages, ['pool/main/p/python3-tinyclick/python3-tinyclick_8.1.3-1_all.deb']);
  assert.equal(row.evidence[0].method, 'pgp');
  assert.equal(row.newest.version, '8.1.4', 'the pre-release is not taken without --pre');
  assert.equal(row.newestListed, '9.0rc1');
  assert.equal(row.outdated, true);
  assert.equal(row.yanked, false);
  assert.deepEqual(row.advisories, [
    { id: 'PYSEC-2099-1', aliases: ['CVE-2099-0001'], summary: 'tinyclick <b>escapes</b> nothing', fixedIn: '8.1.4', fixAvailable: true },
  ]);
  assert.equal(row.securityUpdate, true);

  const kept = JSON.parse(await readFile(join(repo, '.py2pkg/outdated.json'), 'utf8')) as { packages: unknown[] };
  assert.equal(kept.packages.length, 1);
  const page = await readFile(join(repo, 'index.html'), 'utf8');
  assert.match(page, /class="security">SECURITY UPDATE<br>newest admitted: 8\.1\.4/);
  assert.ok(page.includes('tinyclick &lt;b&gt;escapes&lt;/b&gt; nothing'));
});

test('only an unsigned newer release: not admitted under the default policy, so no security update (exit 0)', async () => {
  const bytes = await readFile(fixtureSdist('tinyclick'));
  const s = await server([await served('tinyclick-8.1.3.tar.gz', bytes), { filename: 'tinyclick-8.1.4.tar.gz', bytes: Buffer.from('unsigned') }]);
  const r = await py2pkg(['outdated', repo, '--index-url', s.indexUrl, '--osv', join(osvDir, 'PYSEC-2099-1.json'), '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const row = (JSON.parse(r.stdout) as { packages: Array<Record<string, any>> }).packages[0]!;
  assert.equal(row.newest.version, '8.1.3');
  assert.equal(row.advisories[0].fixAvailable, false);
  // --trust-default unsigned admits it
  const u = await py2pkg(['outdated', repo, '--index-url', s.indexUrl, '--osv', join(osvDir, 'PYSEC-2099-1.json'), '--trust-default', 'unsigned']);
  assert.equal(u.exitCode, 15, u.stderr);
});

test('the packaged release is yanked (PEP 592): reported with its reason', async () => {
  const bytes = await readFile(fixtureSdist('tinyclick'));
  const s = await server([await served('tinyclick-8.1.3.tar.gz', bytes, { yanked: 'broken upload' })]);
  const r = await py2pkg(['outdated', repo, '--index-url', s.indexUrl, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { osv: unknown; packages: Array<Record<string, any>> };
  assert.equal(doc.osv, null);
  assert.equal(doc.packages[0]!.yanked, 'broken upload');
  assert.equal(doc.packages[0]!.newest, null);
  const t = await py2pkg(['outdated', repo, '--index-url', s.indexUrl]);
  assert.match(t.stdout, /^tinyclick\s+8\.1\.3\s+-\s+yanked \(yanked: broken upload\)/m);
  assert.match(await readFile(join(repo, 'index.html'), 'utf8'), /yanked: broken upload/);
});

test('--lock input with the OSV query API (querybatch, then each record) on the test server', async () => {
  const bytes = await readFile(fixtureSdist('tinyclick'));
  const calls: string[] = [];
  const s = await server([await served('tinyclick-8.1.3.tar.gz', bytes), await served('tinyclick-8.1.4.tar.gz', Buffer.from('x'))], osvApi([RECORD], calls));
  const r = await py2pkg(['outdated', '--lock', lock, '--index-url', s.indexUrl, '--osv', s.origin, '--json']);
  assert.equal(r.exitCode, 15, r.stderr);
  const doc = JSON.parse(r.stdout) as { from: { kind: string }; osv: { kind: string }; packages: Array<Record<string, any>> };
  assert.equal(doc.from.kind, 'lock');
  assert.equal(doc.osv.kind, 'api');
  assert.equal(doc.packages[0]!.packages[0], 'python3-tinyclick_8.1.3-1_all.deb');
  assert.deepEqual(calls, ['querybatch PyPI/tinyclick@8.1.3', 'vuln PYSEC-2099-1']);
  const both = await py2pkg(['outdated', repo, '--lock', lock]);
  assert.equal(both.exitCode, 2);
});

test("OSV's PyPI export zip is read; malformed OSV data is OSV_INVALID (exit 4)", async () => {
  const bytes = await readFile(fixtureSdist('tinyclick'));
  const s = await server([await served('tinyclick-8.1.3.tar.gz', bytes), await served('tinyclick-8.1.4.tar.gz', Buffer.from('x'))]);
  const zip = join(work, 'all.zip');
  await execa(
    '/usr/bin/python3',
    [
      '-c',
      'import sys,zipfile,os\nz=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)\nfor f in sorted(os.listdir(sys.argv[2])): z.write(os.path.join(sys.argv[2],f),f)\nz.close()',
      zip,
      osvDir,
    ],
    { env: { PATH: SYSTEM_PATH }, extendEnv: false },
  );
  const r = await py2pkg(['outdated', '--lock', lock, '--index-url', s.indexUrl, '--osv', zip, '--json']);
  assert.equal(r.exitCode, 15, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { osv: { kind: string; read: number } }).osv.kind, 'zip');

  const bad = join(work, 'bad');
  await mkdir(bad);
  await writeFile(
    join(bad, 'X-1.json'),
    JSON.stringify({
      ...RECORD,
      id: 'X-1',
      affected: [{ package: { ecosystem: 'PyPI', name: 'tinyclick' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '<img>' }] }] }],
    }),
  );
  const b = await py2pkg(['outdated', '--lock', lock, '--index-url', s.indexUrl, '--osv', bad]);
  assert.equal(b.exitCode, 4, b.stderr);
  assert.match(b.stderr, /^py2pkg: error\[OSV_INVALID\]: OSV record X-1: "<img>" is not a PEP 440 version/m);
  await writeFile(join(bad, 'X-1.json'), '{"id": "X-1", "modified": ');
  const c = await py2pkg(['outdated', '--lock', lock, '--index-url', s.indexUrl, '--osv', bad]);
  assert.equal(c.exitCode, 4);
  assert.match(c.stderr, /error\[OSV_INVALID\]: .*X-1\.json: not JSON/);
  // a zip bomb member (2 MiB of spaces in a few KiB) and an oversized record file: refused before they are parsed
  const bomb = join(work, 'bomb.zip');
  await execa(
    '/usr/bin/python3',
    [
      '-c',
      'import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)\nz.writestr("PYSEC-1.json", "{" + " "*(2*1024*1024) + "}")\nz.close()',
      bomb,
    ],
    { env: { PATH: SYSTEM_PATH }, extendEnv: false },
  );
  const z = await py2pkg(['outdated', '--lock', lock, '--index-url', s.indexUrl, '--osv', bomb]);
  assert.equal(z.exitCode, 4, z.stderr);
  assert.match(z.stderr, /error\[OSV_INVALID\]: .*bomb\.zip/);
  await writeFile(join(bad, 'X-1.json'), `{${' '.repeat(1024 * 1024 + 1)}}`);
  const big = await py2pkg(['outdated', '--lock', lock, '--index-url', s.indexUrl, '--osv', bad]);
  assert.equal(big.exitCode, 4);
  assert.match(big.stderr, /larger than 1048576 bytes/);
  assert.ok(existsSync(join(repo, 'index.html')));
});
