/**
 * A required C extension (the cextension fixture, bitarray's shape) for the target that is
 * this machine (debian12 on Debian 12): an architecture-specific .deb, as debhelper makes
 * one. Architecture from dpkg --print-architecture, Depends from dpkg-shlibdeps plus the
 * Python ABI (dh_python3's pair), the extension module stripped like dh_strip does, lintian
 * 0 errors and no warning outside test/lintian-allowed.txt; the debug symbols in a -dbgsym
 * companion (its layout and fields: test/integration/compiled-libyaml.test.ts).
 * Other targets refuse the same sdist (test/integration/cli-refusals.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../src/exec.js';
import { parseShlibsDepends, pythonAbiDepends } from '../../src/formats/deb-binary.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, py2pkg, repoRoot, upstreamPub, withUmask } from '../support/project.js';

let work: string;
let deb: string;
let stderr: string;
const SO = 'usr/lib/python3/dist-packages/cext/_speed.cpython-311-x86_64-linux-gnu.so';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-compiled-'));
  const out = join(work, 'out');
  await mkdir(out);
  const r = await py2pkg(
    ['--format', 'deb', '--target', 'debian12', '--trusted-keys', upstreamPub, '--out', out, '--maintainer', TEST_MAINTAINER, fixtureSdist('cextension')],
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  stderr = r.stderr;
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, ['python3-cextension-dbgsym_0.1-1_amd64.deb', 'python3-cextension_0.1-1_amd64.deb']);
  deb = join(out, 'python3-cextension_0.1-1_amd64.deb');
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('the .deb is architecture-specific: the host architecture in its name and Architecture field', async () => {
  const arch = (await run('dpkg', ['--print-architecture'])).stdout.trim();
  assert.equal(arch, 'amd64', 'this test expects the amd64 host the fixture extension is named for');
  assert.match(deb, /\/python3-cextension_0\.1-1_amd64\.deb$/);
  assert.equal((await run('dpkg-deb', ['--field', deb, 'Architecture'])).stdout.trim(), arch);
  assert.match(stderr, /warning: setup\.py mentions compiled extensions/);
});

test('Depends: the Python ABI (dh_python3 style) and the shared libraries dpkg-shlibdeps found', async () => {
  const depends = (await run('dpkg-deb', ['--field', deb, 'Depends'])).stdout.trim().split(/,\s*/);
  for (const abi of ['python3 (>= 3.11~)', 'python3 (<< 3.12)']) assert.ok(depends.includes(abi), `${abi} in ${depends.join(', ')}`);
  assert.ok(
    depends.some((d) => /^libc6 \(>= 2\.[0-9.]+\)$/.test(d)),
    `libc6 from dpkg-shlibdeps in ${depends.join(', ')}`,
  );
  assert.ok(depends.includes('python3:any'));
});

test('the extension module ships stripped (no .symtab, .comment or debug sections), mode 0644', async () => {
  const x = join(work, 'x');
  await run('dpkg-deb', ['-x', deb, x]);
  const sections = (await run('readelf', ['-SW', join(x, SO)])).stdout;
  assert.match(sections, /\.dynsym/, 'readelf reads the module');
  // dh_strip keeps .note.gnu.build-id (the -dbgsym link) and adds .gnu_debuglink; so does py2pkg
  assert.doesNotMatch(sections, /\.symtab|\.comment|\.debug_/);
  assert.match(sections, /\.note\.gnu\.build-id[\s\S]*\.gnu_debuglink/);
  const list = (await run('dpkg-deb', ['--contents', deb])).stdout;
  assert.match(list, new RegExp(`^-rw-r--r-- .* \\./${SO.replace(/\./g, '\\.')}$`, 'm'));
});

test('lintian: 0 errors, no warning outside test/lintian-allowed.txt', async () => {
  const allowed = readFileSync(join(repoRoot, 'test', 'lintian-allowed.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const r = await run('/usr/bin/lintian', ['--no-tag-display-limit', '--display-level', '>=warning', deb], { check: false, timeoutMs: 10 * 60_000 });
  const lines = r.stdout.split('\n').filter((l) => /^[EW]: /.test(l));
  assert.deepEqual(
    lines.filter((l) => l.startsWith('E: ')),
    [],
    r.stdout,
  );
  assert.deepEqual(
    lines.filter((l) => !allowed.includes(l.split(' ')[2] ?? '')),
    [],
    r.stdout,
  );
});

test('reproducible: the same sdist and SOURCE_DATE_EPOCH give a byte-identical amd64 .deb (compiler output included), under umask 077 too', async () => {
  const again = join(work, 'again');
  await mkdir(again);
  // umask 077 once made the -dbgsym's DEBIAN/ 0700, which dpkg-deb refuses, and `./` 0700 in the .deb
  const r = await withUmask(0o077, () =>
    py2pkg(
      [
        '--format',
        'deb',
        '--target',
        'debian12',
        '--trusted-keys',
        upstreamPub,
        '--out',
        again,
        '--maintainer',
        TEST_MAINTAINER,
        '--quiet',
        fixtureSdist('cextension'),
      ],
      { SOURCE_DATE_EPOCH: TEST_EPOCH },
    ),
  );
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(readFileSync(join(again, 'python3-cextension_0.1-1_amd64.deb')).equals(readFileSync(deb)));
  assert.ok(
    readFileSync(join(again, 'python3-cextension-dbgsym_0.1-1_amd64.deb')).equals(
      readFileSync(join(dirname(deb), 'python3-cextension-dbgsym_0.1-1_amd64.deb')),
    ),
  );
});

test('the relation helpers: dpkg-shlibdeps -O output and the ABI pair for other Pythons', () => {
  assert.deepEqual(parseShlibsDepends('shlibs:Depends=libc6 (>= 2.2.5), libyaml-0-2\n'), ['libc6 (>= 2.2.5)', 'libyaml-0-2']);
  assert.deepEqual(parseShlibsDepends('nothing\n'), []);
  assert.deepEqual(pythonAbiDepends('3.9'), ['python3 (>= 3.9~)', 'python3 (<< 3.10)']);
});
