/**
 * End to end, with the real consumer: every fixture .deb installs with apt-get into a clean
 * Debian 12 root (mmdebstrap, cached), next to Debian's own python3-django and
 * python3-defusedxml; its modules import, its console scripts run, and apt-get purge
 * leaves no file behind.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshRoot, type DebRoot } from '../support/debroot.js';
import { convertedFixtures, type ConvertedFixture } from '../support/fixture-debs.js';

let root: DebRoot;
let debs: ConvertedFixture[];

/** What each fixture must provide once installed (import names and console scripts). */
const EXPECT: Record<string, { imports: string[]; scripts: Array<[string, string[], RegExp]> }> = {
  'python3-rpc4django': { imports: ['rpc4django'], scripts: [] },
  'python3-tinyclick': { imports: ['tinyclick'], scripts: [] },
  'python3-hatchdemo': { imports: ['hatchdemo'], scripts: [] },
  'python3-flitdemo': { imports: ['flitdemo'], scripts: [] },
  'python3-poetrydemo': { imports: ['poetrydemo'], scripts: [] },
  'python3-slugger': { imports: ['slugger'], scripts: [['slugger', ['Hello World'], /hello-world/]] },
  'python3-acme.widgets': { imports: ['acme.widgets'], scripts: [] },
  'python3-nastymeta': { imports: ['nastymeta'], scripts: [['nastymeta', [], /^/]] },
  'python3-extrasmarkers': { imports: ['extrasmarkers'], scripts: [] },
  'python3-certsdemo': { imports: ['certsdemo', 'certsdemo.certs', 'certsdemo.diagnose'], scripts: [] },
  // the optional C speed-up was not built: the pure fallback is what imports
  'python3-optspeedup': { imports: ['optspeedup', 'optspeedup._native'], scripts: [] },
};

async function listTree(r: DebRoot, dirs: string[]): Promise<string[]> {
  const res = await r.run(['/usr/bin/find', ...dirs, '-not', '-path', '*/__pycache__*']);
  assert.equal(res.exitCode, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean).sort();
}

before(async () => {
  debs = await convertedFixtures();
  root = await freshRoot();
});

after(async () => {
  await root?.dispose();
});

test('every converted fixture has an expectation (and vice versa)', () => {
  assert.deepEqual(debs.map((d) => d.packageName).sort(), Object.keys(EXPECT).sort());
});

test('apt-get installs each .deb into a clean Debian 12 root; modules import, scripts run, purge is clean', async () => {
  const watched = ['/usr/lib/python3/dist-packages', '/usr/bin', '/usr/share/doc'];
  const before = await listTree(root, watched);
  await mkdir(join(root.dir, 'debs'), { recursive: true });
  for (const d of debs) await copyFile(d.path, join(root.dir, 'debs', basename(d.path)));

  for (const d of debs) {
    const expect = EXPECT[d.packageName];
    assert.ok(expect, `no expectation for ${d.packageName}`);
    const inst = await root.run(['apt-get', 'install', '-y', `/debs/${basename(d.path)}`]);
    assert.equal(inst.exitCode, 0, `apt-get install ${basename(d.path)} failed:\n${inst.stdout}\n${inst.stderr}`);
    for (const mod of expect.imports) {
      const imp = await root.run(['python3', '-c', `import ${mod}; print(${mod}.__name__)`]);
      assert.equal(imp.exitCode, 0, `import ${mod} failed: ${imp.stderr}`);
      assert.equal(imp.stdout.trim(), mod);
    }
    for (const [script, args, pattern] of expect.scripts) {
      const ran = await root.run([`/usr/bin/${script}`, ...args]);
      assert.equal(ran.exitCode, 0, `${script} failed: ${ran.stderr}`);
      assert.match(ran.stdout, pattern);
    }
    // postinst byte-compiled the modules on the target, as dh_python3's snippet does
    const pyc = await root.run(['/usr/bin/find', '/usr/lib/python3/dist-packages', '-name', '*.pyc', '-newer', '/debs']);
    assert.ok(pyc.stdout.trim().length > 0, `py3compile left no .pyc for ${d.packageName}`);
    const status = await root.run(['dpkg-query', '-W', '-f=${Status} ${Version}', d.packageName]);
    assert.equal(status.stdout, `install ok installed ${d.version}`);
  }

  for (const d of debs) {
    const purge = await root.run(['apt-get', 'purge', '-y', d.packageName]);
    assert.equal(purge.exitCode, 0, `apt-get purge ${d.packageName} failed: ${purge.stderr}`);
  }
  const afterPurge = await listTree(root, watched);
  const left = afterPurge.filter((p) => !before.includes(p));
  assert.deepEqual(left, [], `files left after purge: ${left.join(', ')}`);
  const pycLeft = await root.run(['/usr/bin/find', '/usr/lib/python3/dist-packages', '-name', '*.pyc', '-newer', '/debs']);
  assert.equal(pycLeft.stdout.trim(), '', 'byte-compiled files left after purge');
});

test("the root is really Debian 12 with Debian's own django (epoch 3)", async () => {
  const v = await root.run(['dpkg-query', '-W', '-f=${Version}', 'python3-django']);
  assert.match(v.stdout, /^3:3\.2\./);
  const entries = await readdir(join(root.dir, 'etc'));
  assert.ok(entries.includes('debian_version'));
});
