/**
 * The source package in a build farm's shoes, for one pure and one C-extension fixture:
 * py2pkg --source writes the signed 3.0 (quilt) package; in a clean Debian 12 buildd root
 * (mmdebstrap --variant=buildd, cached) dpkg-source -x unpacks it, `apt-get build-dep ./`
 * installs exactly its Build-Depends from Debian's archive, and dpkg-buildpackage -b builds it
 * there without the network (what sbuild does, without sbuild's user and subuid set-up, so it
 * runs as root in `make test`). lintian reports 0 errors on the source and the built .deb;
 * apt-get installs the .deb in a clean Debian 12 root and the module imports (the C one from
 * its .so). Skips only when deb.debian.org cannot be reached.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../src/exec.js';
import { ensureBuilddTarball, freshRoot, type DebRoot } from '../support/debroot.js';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, keysDir, py2pkg, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const NET = { network: true, timeoutMs: 15 * 60_000 };
const APT = ['-o', 'Acquire::Retries=2', '-o', 'Acquire::http::Timeout=30'];

/** deb.debian.org on port 80 within 10 s: the only condition this file skips on. */
function archiveReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: 'deb.debian.org', port: 80, timeout: 10_000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('timeout', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(false));
  });
}

let work: string;
let reachable = false;

before(async () => {
  reachable = await archiveReachable();
  work = await mkdtemp(join(tmpdir(), 'py2pkg-srcbuild-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Case {
  fixture: string;
  source: string;
  deb: RegExp;
  check: string;
  expect: RegExp;
}

const CASES: Case[] = [
  {
    fixture: 'rpc4django',
    source: 'python-rpc4django_0.6.3-1.dsc',
    deb: /^python3-rpc4django_0\.6\.3-1_all\.deb$/,
    check: 'import rpc4django, sys; print(rpc4django.__file__)',
    expect: /^\/usr\/lib\/python3\/dist-packages\/rpc4django\/__init__\.py$/,
  },
  {
    fixture: 'cextension',
    source: 'python-cextension_0.1-1.dsc',
    deb: /^python3-cextension_0\.1-1_amd64\.deb$/,
    check: 'import cext._speed as s; print(s.__file__)',
    expect: /^\/usr\/lib\/python3\/dist-packages\/cext\/_speed\.cpython-311-x86_64-linux-gnu\.so$/,
  },
];

async function lintianErrors(file: string): Promise<string[]> {
  const r = await run('/usr/bin/lintian', ['--no-tag-display-limit', '--display-level', '>=error', file], { check: false, timeoutMs: 10 * 60_000 });
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^E: /.test(l));
}

for (const c of CASES) {
  test(`${c.fixture}: built from the .dsc with only its Build-Depends in a clean buildd root; lintian 0 errors; installs and imports`, async (t) => {
    if (!reachable) return t.skip("deb.debian.org is not reachable: the buildd root installs the Build-Depends from Debian's archive");
    const out = join(work, c.fixture);
    const r = await py2pkg(
      [
        '--source',
        '--format',
        'deb',
        '--trusted-keys',
        upstreamPub,
        '--sign-key',
        ORG_SEC,
        '--maintainer',
        TEST_MAINTAINER,
        '--out',
        out,
        '--quiet',
        fixtureSdist(c.fixture),
      ],
      { SOURCE_DATE_EPOCH: TEST_EPOCH },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await lintianErrors(join(out, c.source)), [], 'lintian on the source package');

    const started = Date.now();
    const buildd: DebRoot = await freshRoot(await ensureBuilddTarball());
    let built: string;
    try {
      const b = join(buildd.dir, 'build');
      await mkdir(b);
      for (const f of await readdir(out)) await copyFile(join(out, f), join(b, f));
      const x = await buildd.run(['dpkg-source', '-x', `/build/${c.source}`, '/build/src']);
      assert.equal(x.exitCode, 0, x.stderr);
      const u = await buildd.run(['apt-get', ...APT, 'update'], NET);
      assert.equal(u.exitCode, 0, `apt-get update:\n${u.stdout}\n${u.stderr}`);
      const dep = await buildd.run(['sh', '-c', `cd /build/src && apt-get ${APT.join(' ')} build-dep -y --no-install-recommends ./`], NET);
      assert.equal(dep.exitCode, 0, `apt-get build-dep ./:\n${dep.stdout}\n${dep.stderr}`);
      // the build itself has no network, as on a buildd
      const bp = await buildd.run(['sh', '-c', 'cd /build/src && dpkg-buildpackage -b -us -uc'], { timeoutMs: 15 * 60_000 });
      assert.equal(bp.exitCode, 0, `dpkg-buildpackage:\n${bp.stdout.slice(-4000)}\n${bp.stderr.slice(-4000)}`);
      const debs = (await readdir(b)).filter((f) => c.deb.test(f));
      assert.equal(debs.length, 1, `built: ${(await readdir(b)).join(' ')}`);
      built = join(work, `${c.fixture}-${debs[0]!}`);
      await copyFile(join(b, debs[0]!), built);
    } finally {
      await buildd.dispose();
    }
    t.diagnostic(`buildd root: build-dep + build in ${Math.round((Date.now() - started) / 1000)} s`);
    assert.deepEqual(await lintianErrors(built), [], 'lintian on the built .deb');
    const files = await run('/usr/bin/dpkg-deb', ['-c', built], { timeoutMs: 60_000 });
    assert.match(files.stdout, /\/usr\/share\/doc\/python3-[a-z0-9]+\/provenance\.json$/m, 'the provenance travels into the built package');
    assert.match(files.stdout, /\/usr\/share\/doc\/python3-[a-z0-9]+\/sbom\.cdx\.json$/m);

    const root = await freshRoot();
    try {
      await copyFile(built, join(root.dir, 'tmp', 'pkg.deb'));
      const u = await root.run(['apt-get', ...APT, 'update'], NET);
      assert.equal(u.exitCode, 0, `apt-get update:\n${u.stdout}\n${u.stderr}`);
      const i = await root.run(['apt-get', ...APT, 'install', '-y', '--no-install-recommends', '/tmp/pkg.deb'], NET);
      assert.equal(i.exitCode, 0, `${i.stdout}\n${i.stderr}`);
      const imp = await root.run(['python3', '-c', c.check]);
      assert.equal(imp.exitCode, 0, imp.stderr);
      assert.match(imp.stdout.trim(), c.expect);
    } finally {
      await root.dispose();
    }
  });
}
