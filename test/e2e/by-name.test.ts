/**
 * End to end by name: `py2pkg rpc4django --index-url <https test index> --trusted-keys …`
 * writes the same .deb, byte for byte, as converting the file directly (same
 * SOURCE_DATE_EPOCH); so does a second run with --offline once the index is gone; and the
 * package installs with apt-get into a clean Debian 12 root, where its module imports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshRoot, type DebRoot } from '../support/debroot.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { sha256, startIndexServer, type IndexServer } from '../support/index-server.js';
import { makeTestCa } from '../support/test-network.js';
import { fixtureSdist, py2pkg, upstreamPub } from '../support/project.js';

const sdist = fixtureSdist('rpc4django');
const bytes = readFileSync(sdist);

let work: string;
let server: IndexServer;
let caFile: string;
let root: DebRoot | undefined;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-by-name-'));
  const ca = await makeTestCa(join(work, 'ca'));
  caFile = ca.caFile;
  server = await startIndexServer({
    projects: [{ name: 'rpc4django', files: [{ filename: basename(sdist), bytes, signature: readFileSync(`${sdist}.asc`) }] }],
    tls: { cert: ca.cert, key: ca.key },
  });
});

after(async () => {
  await server?.close();
  await root?.dispose();
  await rm(work, { recursive: true, force: true });
});

async function convert(input: string, out: string, extra: string[] = []) {
  await mkdir(out, { recursive: true });
  const r = await py2pkg(['--format', 'deb', '--trusted-keys', upstreamPub, '--out', out, '--maintainer', TEST_MAINTAINER, '--json', ...extra, input], {
    SOURCE_DATE_EPOCH: TEST_EPOCH,
    XDG_CACHE_HOME: join(work, 'cache'),
    HOME: work,
  });
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as { package: { path: string }; provenance: { sdist: { sha256: string }; source?: Record<string, unknown> } };
}

test('by name over HTTPS: the same .deb bytes as the file itself, the route in --json, then --offline', async () => {
  const direct = await convert(sdist, join(work, 'direct'));
  const byName = await convert('rpc4django', join(work, 'by-name'), ['--index-url', server.indexUrl, '--cert', caFile]);
  assert.equal(basename(byName.package.path), basename(direct.package.path));
  assert.ok((await readFile(byName.package.path)).equals(await readFile(direct.package.path)), 'the .deb files differ');
  assert.equal(direct.provenance.source, undefined);
  assert.deepEqual(byName.provenance.source, {
    requirement: 'rpc4django',
    index: server.indexUrl,
    url: `${server.origin}/files/rpc4django-0.6.3.tar.gz`,
    indexSha256: sha256(bytes),
    signatureUrl: `${server.origin}/files/rpc4django-0.6.3.tar.gz.asc`,
    // the index links no PEP 740 provenance for this file
    provenanceUrl: null,
  });
  assert.equal(byName.provenance.sdist.sha256, sha256(bytes));

  await server.close();
  const offline = await convert('rpc4django==0.6.3', join(work, 'offline'), ['--index-url', server.indexUrl, '--offline']);
  assert.ok((await readFile(offline.package.path)).equals(await readFile(direct.package.path)), 'the --offline .deb differs');
});

test('the by-name package installs into a clean Debian 12 root and imports', async () => {
  const deb = join(work, 'by-name', 'python3-rpc4django_0.6.3-1_all.deb');
  root = await freshRoot();
  await copyFile(deb, join(root.dir, 'tmp', basename(deb)));
  const inst = await root.run(['apt-get', 'install', '-y', `/tmp/${basename(deb)}`]);
  assert.equal(inst.exitCode, 0, `${inst.stdout}\n${inst.stderr}`);
  const imp = await root.run(['python3', '-c', 'import rpc4django; print(rpc4django.__file__)']);
  assert.equal(imp.exitCode, 0, imp.stderr);
  assert.match(imp.stdout, /^\/usr\/lib\/python3\/dist-packages\/rpc4django\/__init__\.py/);
});
