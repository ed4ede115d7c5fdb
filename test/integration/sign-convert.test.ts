/**
 * Signing inside a conversion: the key is opened only after the sandboxed build is done,
 * and hostile build code finds neither the key file nor the passphrase (not in its
 * environment, not in /proc). The passphrase file may be a pipe, and it is read only once
 * the build and the package are done: the test writes into the FIFO only after py2pkg has
 * said "sign", so an early read would hang the run.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeSignedProbeSdist } from '../support/signed-sdist.js';
import { fixtureSdist, keysDir, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const PROT_SEC = join(keysDir, 'org-repo-protected-TEST-ONLY.sec.asc');
const PROT_PUB = join(keysDir, 'org-repo-protected-TEST-ONLY.pub.asc');
const PASSPHRASE = 'TEST-ONLY passphrase, never use';
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

let work: string;
let keyCopy: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-sign-convert-'));
  keyCopy = join(work, 'org-repo.sec.asc');
  await copyFile(PROT_SEC, keyCopy);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('hostile build code cannot reach the signing key or its passphrase; the package is signed after the build', async () => {
  const keyLine = (await readFile(PROT_SEC, 'utf8')).split('\n').find((l) => /^[A-Za-z0-9+/]{50,}$/.test(l))!;
  const setupPy = String.raw`
import json, os
from setuptools import setup
found = {"key_file_visible": os.path.exists(${JSON.stringify(keyCopy)}), "keys_dir_visible": os.path.exists(${JSON.stringify(keysDir)})}
leaks = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for what in ("environ", "cmdline"):
        try:
            data = open(f"/proc/{pid}/{what}", "rb").read()
            if ${JSON.stringify(PASSPHRASE)}.encode() in data or ${JSON.stringify(keyLine)}.encode() in data or b"PY2PKG_PASSPHRASE" in data:
                leaks.append(f"{pid}/{what}")
        except OSError:
            pass
found["leaks"] = leaks
found["env"] = sorted(os.environ)
open("probe/findings.py", "w").write("# " + json.dumps(found) + "\n")
setup(name="keyprobe", version="1.0", packages=["probe"])
`;
  const sdist = await writeSignedProbeSdist(work, 'keyprobe', setupPy);
  const out = join(work, 'out');
  await mkdir(out);
  const r = await py2pkg(['--trusted-keys', upstreamPub, '--out', out, '--maintainer', 'T <t@example.org>', '--sign-key', keyCopy, sdist], {
    PY2PKG_PASSPHRASE: PASSPHRASE,
  });
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stderr.split('\n').map((l) => l.replace(/^py2pkg: /, '').split(' ')[0]);
  assert.ok(
    lines.indexOf('sign') > lines.indexOf('package') && lines.indexOf('package') > lines.indexOf('build'),
    `sign comes after build and package:\n${r.stderr}`,
  );
  const deb = join(out, 'python3-keyprobe_1.0-1_all.deb');
  const x = join(work, 'x');
  await execa('/usr/bin/dpkg-deb', ['-x', deb, x], { env: sys, extendEnv: false });
  const found = JSON.parse((await readFile(join(x, 'usr/lib/python3/dist-packages/probe/findings.py'), 'utf8')).slice(2)) as {
    key_file_visible: boolean;
    keys_dir_visible: boolean;
    leaks: string[];
    env: string[];
  };
  assert.equal(found.key_file_visible, false, 'the key file is visible inside the build');
  assert.equal(found.keys_dir_visible, false);
  assert.deepEqual(found.leaks, [], 'the passphrase or key was readable from /proc during the build');
  for (const k of found.env) assert.doesNotMatch(k, /PASSPHRASE|GNUPG/);
  const v = await py2pkg(['verify', deb, '--key', PROT_PUB]);
  assert.equal(v.exitCode, 0, v.stderr);
});

test('--passphrase-file may be a pipe; it is read only after the build and the package are done', async () => {
  const fifo = join(work, 'pass.fifo');
  await execa('/usr/bin/mkfifo', ['-m', '600', fifo]);
  const out = join(work, 'out-fifo');
  await mkdir(out);
  const child = execa(
    process.execPath,
    [
      join(repoRoot, 'bin', 'py2pkg.js'),
      '--trusted-keys',
      upstreamPub,
      '--out',
      out,
      '--maintainer',
      'T <t@example.org>',
      '--sign-key',
      keyCopy,
      '--passphrase-file',
      fifo,
      fixtureSdist('rpc4django'),
    ],
    {
      // a build-cache hit would never read the passphrase: this test is about the order of a real build
      env: { ...sys, HOME: process.env.HOME ?? '/root', PY2PKG_NO_CACHE: '1' },
      extendEnv: false,
      reject: false,
      timeout: 120_000,
    },
  );
  let stderr = '';
  let wrote = false;
  const writing = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!wrote && /py2pkg: sign /.test(stderr)) {
        wrote = true;
        assert.match(stderr, /py2pkg: build[\s\S]*py2pkg: package/, 'the build and the package came first');
        writeFile(fifo, `${PASSPHRASE}\n`).then(resolve, reject);
      }
    });
  });
  const r = await child;
  assert.equal(r.exitCode, 0, stderr);
  assert.ok(wrote);
  await writing;
  const v = await py2pkg(['verify', join(out, 'python3-rpc4django_0.6.3-1_all.deb'), '--key', PROT_PUB]);
  assert.equal(v.exitCode, 0, v.stderr);
});

test('a wrong passphrase after the build leaves --out untouched (the unsigned package never lands)', async () => {
  const out = join(work, 'out-wrong');
  await mkdir(out);
  const r = await py2pkg(
    ['--trusted-keys', upstreamPub, '--out', out, '--maintainer', 'T <t@example.org>', '--sign-key', keyCopy, fixtureSdist('rpc4django')],
    { PY2PKG_PASSPHRASE: 'not the passphrase' },
  );
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /error\[KEY_PASSPHRASE\]/);
  assert.deepEqual(await import('node:fs/promises').then((fs) => fs.readdir(out)), []);
});
