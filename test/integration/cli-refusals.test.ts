/**
 * Refusals through the real CLI: each bad input is built in code, signed (or not) as the
 * case needs, and py2pkg must answer with one line on stderr, the documented exit status,
 * and an --out directory left empty. Nothing is ever packaged from them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signDetached } from '../../fixtures/sign.js';
import { buildTgz, buildZip, type TarEntry } from '../support/tarbuilder.js';
import { fixtureSdist, keysDir, py2pkg, upstreamPub } from '../support/project.js';

const upstreamSec = readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8');
const otherSec = readFileSync(join(keysDir, 'other-TEST-ONLY.sec.asc'), 'utf8');
const revokedSec = readFileSync(join(keysDir, 'upstream-revoked-TEST-ONLY.sec.asc'), 'utf8');
const revokedPub = join(keysDir, 'upstream-revoked-TEST-ONLY.pub.asc');

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-refuse-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Case {
  /** file name of the sdist to write */
  file: string;
  bytes: Buffer;
  /** secret key that signs it, or none */
  signWith?: string;
  /** sign these bytes instead of the sdist's */
  signBytes?: Buffer;
  keys?: string;
  extraArgs?: string[];
}

let n = 0;
async function refuse(c: Case, code: string, status: number): Promise<string> {
  const dir = join(work, `case-${++n}`);
  const out = join(dir, 'out');
  await import('node:fs/promises').then((fs) => fs.mkdir(out, { recursive: true }));
  const sdist = join(dir, c.file);
  await writeFile(sdist, c.bytes);
  if (c.signWith) await writeFile(`${sdist}.asc`, (await signDetached(c.signBytes ?? c.bytes, c.signWith)) as string);
  const r = await py2pkg([
    '--format',
    'deb',
    '--trusted-keys',
    c.keys ?? upstreamPub,
    '--out',
    out,
    '--maintainer',
    'T <t@example.org>',
    '--quiet',
    ...(c.extraArgs ?? []),
    sdist,
  ]);
  assert.equal(r.exitCode, status, `exit status for ${code}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `more than one line on stderr:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^py2pkg: error\\[${code}\\]: .+\\(.+\\)$`));
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace without --debug');
  assert.equal(r.stdout, '');
  assert.deepEqual(await readdir(out), [], '--out must stay empty');
  return r.stderr;
}

/** A small, well-formed sdist (legacy setup.py) with optional extra entries. */
function sdistEntries(extra: TarEntry[] = []): TarEntry[] {
  return [
    { path: 'evil-1.0/', type: 'dir' },
    { path: 'evil-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: evil\nVersion: 1.0\nSummary: x\n' },
    { path: 'evil-1.0/setup.py', data: 'from setuptools import setup\nsetup(name="evil", version="1.0", py_modules=["evil"])\n' },
    { path: 'evil-1.0/evil.py', data: 'X = 1\n' },
    ...extra,
  ];
}

const rpc = () => readFileSync(fixtureSdist('rpc4django'));

test('no signature beside the sdist: SIG_MISSING, exit 3', async () => {
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: rpc() }, 'SIG_MISSING', 3);
});

test('signed by a key that is not trusted: SIG_UNTRUSTED, exit 3', async () => {
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: rpc(), signWith: otherSec }, 'SIG_UNTRUSTED', 3);
});

test('a signature over other bytes: SIG_INVALID, exit 3', async () => {
  const bytes = rpc();
  const tampered = Buffer.from(bytes);
  tampered.writeUInt8(tampered.readUInt8(tampered.length - 100) ^ 0x01, tampered.length - 100);
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: tampered, signWith: upstreamSec, signBytes: bytes }, 'SIG_INVALID', 3);
});

test('signed by a revoked key: SIG_REVOKED, exit 3', async () => {
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: rpc(), signWith: revokedSec, keys: revokedPub }, 'SIG_REVOKED', 3);
});

test('no trusted keys at all: SIG_NO_KEYS, exit 3', async () => {
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: rpc(), signWith: upstreamSec, keys: join(work, 'no-such-keyring.asc') }, 'SIG_NO_KEYS', 3);
});

test('a corrupt tarball, correctly signed: ARCHIVE_CORRUPT, exit 4', async () => {
  const bytes = rpc().subarray(0, 700);
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes, signWith: upstreamSec }, 'ARCHIVE_CORRUPT', 4);
});

const attacks: Array<[string, TarEntry[], string]> = [
  ['absolute path', [{ path: '/tmp/py2pkg-abs-escape', data: 'x' }], 'ARCHIVE_UNSAFE'],
  ['../ escape', [{ path: 'evil-1.0/../../py2pkg-dotdot-escape', data: 'x' }], 'ARCHIVE_UNSAFE'],
  [
    'symlink leaving the tree, then a write through it',
    [
      { path: 'evil-1.0/link', type: 'symlink', linkpath: '/tmp' },
      { path: 'evil-1.0/link/py2pkg-through-link', data: 'x' },
    ],
    'ARCHIVE_UNSAFE',
  ],
  ['relative symlink leaving the tree', [{ path: 'evil-1.0/up', type: 'symlink', linkpath: '../../..' }], 'ARCHIVE_UNSAFE'],
  ['hardlink to a file outside', [{ path: 'evil-1.0/passwd', type: 'link', linkpath: '/etc/passwd' }], 'ARCHIVE_UNSAFE'],
  ['character device', [{ path: 'evil-1.0/null', type: 'char' }], 'ARCHIVE_UNSAFE'],
  ['block device', [{ path: 'evil-1.0/sda', type: 'block' }], 'ARCHIVE_UNSAFE'],
  ['FIFO', [{ path: 'evil-1.0/pipe', type: 'fifo' }], 'ARCHIVE_UNSAFE'],
];

for (const [name, extra, code] of attacks) {
  test(`unpack attack, correctly signed — ${name}: ${code}, exit 4`, async () => {
    await refuse({ file: 'evil-1.0.tar.gz', bytes: buildTgz(sdistEntries(extra)), signWith: upstreamSec }, code, 4);
  });
}

test('zip bomb (expands past --max-unpacked-size), correctly signed: ARCHIVE_TOO_LARGE, exit 4', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024);
  await refuse(
    {
      file: 'evil-1.0.tar.gz',
      bytes: buildTgz(sdistEntries([{ path: 'evil-1.0/zeros.bin', data: big }])),
      signWith: upstreamSec,
      extraArgs: ['--max-unpacked-size', '1'],
    },
    'ARCHIVE_TOO_LARGE',
    4,
  );
});

test('too many entries, correctly signed: ARCHIVE_TOO_LARGE, exit 4', async () => {
  const many: TarEntry[] = Array.from({ length: 20_001 }, (_, i) => ({ path: `evil-1.0/f${i}`, data: '' }));
  await refuse({ file: 'evil-1.0.tar.gz', bytes: buildTgz(sdistEntries(many)), signWith: upstreamSec }, 'ARCHIVE_TOO_LARGE', 4);
});

test('a PKG-INFO of 50 MiB of plausible metadata, correctly signed: METADATA_TOO_LARGE, exit 4, fast (issue 13)', async () => {
  // it used to take 27 s and 1.8 GB and end in "Maximum call stack size exceeded" (exit 1)
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n';
  const pkgInfo = `Metadata-Version: 2.1\nName: evil\nVersion: 1.0\nSummary: x\nDescription: start\n${`        ${line}`.repeat(Math.ceil((50 * 1024 * 1024) / (line.length + 8)))}`;
  const entries = sdistEntries().map((e) => (e.path === 'evil-1.0/PKG-INFO' ? { ...e, data: pkgInfo } : e));
  const started = Date.now();
  await refuse({ file: 'evil-1.0.tar.gz', bytes: buildTgz(entries), signWith: upstreamSec }, 'METADATA_TOO_LARGE', 4);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});

test('a zip archive named .tar.gz, correctly signed: ARCHIVE_CORRUPT, exit 4 (issue 13)', async () => {
  const zip = buildZip(sdistEntries().map((e) => ({ name: e.path, ...(e.data !== undefined ? { data: e.data } : {}) })));
  await refuse({ file: 'evil-1.0.tar.gz', bytes: zip, signWith: upstreamSec }, 'ARCHIVE_CORRUPT', 4);
});

test('a file name that lies about its contents, correctly signed: METADATA_MISMATCH, exit 4', async () => {
  await refuse({ file: 'other-2.0.tar.gz', bytes: buildTgz(sdistEntries()), signWith: upstreamSec }, 'METADATA_MISMATCH', 4);
});

// debian12 (this machine) gets an amd64 .deb instead (test/integration/compiled-deb.test.ts)
for (const [target, format] of [
  ['debian13', 'deb'],
  ['el9', 'rpm'],
] as const) {
  test(`a C extension whose build produces a compiled module, for ${target}: UNSUPPORTED_EXTENSION, exit 5, pointing to --source`, async () => {
    const stderr = await refuse(
      {
        file: 'cextension-0.1.tar.gz',
        bytes: readFileSync(fixtureSdist('cextension')),
        signWith: upstreamSec,
        extraArgs: ['--format', format, '--target', target],
      },
      'UNSUPPORTED_EXTENSION',
      5,
    );
    // refused for what the build produced (the .so), not for what setup.py seemed to say
    assert.match(stderr, /extension module _speed\.cpython-311-x86_64-linux-gnu\.so/);
    assert.match(
      stderr,
      new RegExp(
        `built only for the deb target matching this machine \\(debian bookworm, Python 3\\.11\\), not for ${target}; --source writes a source package its build farm builds`,
      ),
    );
  });
}

test('a build that fails in the sandbox: BUILD_FAILED, exit 6', async () => {
  const entries = sdistEntries().map((e) => (e.path === 'evil-1.0/setup.py' ? { ...e, data: 'raise SystemExit("this build fails on purpose")\n' } : e));
  await refuse({ file: 'evil-1.0.tar.gz', bytes: buildTgz(entries), signWith: upstreamSec }, 'BUILD_FAILED', 6);
});

test('bad usage: unknown target, exit 2', async () => {
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: rpc(), signWith: upstreamSec, extraArgs: ['--target', 'nope'] }, 'USAGE', 2);
});

test('an invalid maintainer is refused, never None <None>: MAINTAINER, exit 2', async () => {
  await refuse({ file: 'rpc4django-0.6.3.tar.gz', bytes: rpc(), signWith: upstreamSec, extraArgs: ['--maintainer', 'None <None>'] }, 'MAINTAINER', 2);
});
