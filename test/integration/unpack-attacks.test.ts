/**
 * The unpack stage against hostile sdists. In the style of node-tar's test/ghsa-* tests:
 * each attack is a named test that builds its archive in code (test/support/tarbuilder.ts
 * writes raw headers that real archivers refuse to produce).
 *
 * Escapes are aimed at a second directory this test owns ("outside"), never at a real
 * system file. Every refusal checks the error code, that oneLine() is one line, and that
 * nothing outside destDir changed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import * as tar from 'tar';
import { Py2pkgError, type ErrorCode } from '../../src/errors.js';
import { unpackSdist, type UnpackLimits } from '../../src/sdist/unpack.js';
import { buildTar, buildTgz, buildZip, gzip, paxHeader, tarEntry, tarHeader, type TarEntry } from '../support/tarbuilder.js';

const made: string[] = [];
after(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

interface Ctx {
  base: string;
  /** the caller's private unpack directory */
  dest: string;
  /** a directory the attacks aim at; holds secret.txt */
  outside: string;
  secret: string;
  archive: string;
}

async function setup(archive: Buffer, filename = 'pkg-1.0.tar.gz'): Promise<Ctx> {
  const base = await mkdtemp(join(tmpdir(), 'py2pkg-unpack-'));
  made.push(base);
  const dest = join(base, 'dest');
  await mkdir(dest, { mode: 0o700 });
  const outside = join(base, 'outside');
  await mkdir(outside);
  const secret = join(outside, 'secret.txt');
  await writeFile(secret, 'do not touch\n');
  await mkdir(join(base, 'in'));
  const path = join(base, 'in', filename);
  await writeFile(path, archive);
  return { base, dest, outside, secret, archive: path };
}

/** Every path under dir (lstat type, size, mode, link count), except under skip. */
function snapshot(dir: string, skip?: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = fs.lstatSync(p);
      out.push(`${relative(dir, p)} ${st.mode.toString(8)} ${st.size} ${st.nlink}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Unpack, expect the given refusal, and check nothing outside dest changed. */
async function refuses(
  archive: Buffer,
  code: ErrorCode,
  opts: { limits?: Partial<UnpackLimits>; filename?: string; message?: RegExp; destEmpty?: boolean } = {},
): Promise<{ err: Py2pkgError; ctx: Ctx }> {
  const ctx = await setup(archive, opts.filename);
  const before = snapshot(ctx.base, ctx.dest);
  let err: unknown;
  try {
    await unpackSdist(ctx.archive, ctx.dest, opts.limits);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Py2pkgError, `expected a Py2pkgError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  const line = err.oneLine();
  assert.ok(!/[\r\n]/.test(line), `oneLine() has a newline: ${JSON.stringify(line)}`);
  if (opts.message) assert.match(err.message, opts.message);
  assert.deepEqual(snapshot(ctx.base, ctx.dest), before, 'something outside destDir changed');
  assert.equal(fs.readFileSync(ctx.secret, 'utf8'), 'do not touch\n');
  assert.equal(fs.statSync(ctx.secret).nlink, 1);
  // tar refusals are found by the first (read-only) pass: nothing is written at all
  if (opts.destEmpty !== false) assert.deepEqual(fs.readdirSync(ctx.dest), [], 'the refused archive left files in destDir');
  return { err, ctx };
}

const PKG_INFO = 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n';

// ---------------------------------------------------------------------------------------
// paths

test('absolute path is refused', async () => {
  const probe = await mkdtemp(join(tmpdir(), 'py2pkg-abs-'));
  made.push(probe);
  const target = join(probe, 'abs-pwned');
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: target, data: 'pwned' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /absolute/ },
  );
  assert.equal(fs.existsSync(target), false);
});

test('../ escape is refused', async () => {
  const { ctx } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: '../escape-pwned', data: 'pwned' },
    ]),
    'ARCHIVE_UNSAFE',
    {
      message: /'\.\.'/,
    },
  );
  assert.equal(fs.existsSync(join(ctx.base, 'escape-pwned')), false);
});

test('a/../../x escape is refused', async () => {
  const { ctx } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/../../x-pwned', data: 'pwned' },
    ]),
    'ARCHIVE_UNSAFE',
  );
  assert.equal(fs.existsSync(join(ctx.base, 'x-pwned')), false);
});

test('.. hidden in a pax path header is refused', async () => {
  const archive = gzip(
    Buffer.concat([
      tarEntry({ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }),
      paxHeader({ path: 'pkg-1.0/../../pax-pwned' }),
      tarEntry({ path: 'pkg-1.0/innocent.txt', data: 'pwned' }),
      Buffer.alloc(1024),
    ]),
  );
  const { ctx } = await refuses(archive, 'ARCHIVE_UNSAFE');
  assert.equal(fs.existsSync(join(ctx.base, 'pax-pwned')), false);
});

test('a newline in an entry name is refused and the message stays one line', async () => {
  const { err } = await refuses(buildTgz([{ path: 'pkg-1.0/evil\nname\x1b[31m', data: 'x' }]), 'ARCHIVE_UNSAFE', { message: /control characters/ });
  assert.ok(!err.message.includes('\n'));
});

// ---------------------------------------------------------------------------------------
// symlinks

test('symlink to an absolute directory, then a file written through it, is refused', async () => {
  const probe = await mkdtemp(join(tmpdir(), 'py2pkg-etc-'));
  made.push(probe);
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: 'pkg-1.0/etc', type: 'symlink', linkpath: probe },
      { path: 'pkg-1.0/etc/passwd', data: 'root::0:0::/:/bin/sh\n' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /absolute/ },
  );
  assert.deepEqual(fs.readdirSync(probe), []);
});

test('symlink with a relative target escaping the top directory is refused', async () => {
  const { ctx } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: 'pkg-1.0/out', type: 'symlink', linkpath: '../../outside' },
      { path: 'pkg-1.0/out/pwned', data: 'pwned' },
    ]),
    'ARCHIVE_UNSAFE',
  );
  assert.equal(fs.existsSync(join(ctx.outside, 'pwned')), false);
});

test('symlink pointing just above the top directory (into destDir) is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/up', type: 'symlink', linkpath: '..' },
    ]),
    'ARCHIVE_UNSAFE',
  );
});

test('symlink escaping through another symlink (lexically inside, really outside) is refused', async () => {
  // s -> ../../.. is pkg-1.0 itself; t -> s/../../.. looks like pkg-1.0/a but the kernel
  // resolves s first and lands three levels above pkg-1.0
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/a/b/c/', type: 'dir' },
      { path: 'pkg-1.0/a/b/c/s', type: 'symlink', linkpath: '../../..' },
      { path: 'pkg-1.0/a/b/c/t', type: 'symlink', linkpath: 's/../../..' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /resolves outside/ },
  );
});

test('symlink made unsafe by a later symlink is refused', async () => {
  // t -> x/../.. is pkg-1.0/a while x does not exist; then x -> ../.. (pkg-1.0) arrives
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/a/b/', type: 'dir' },
      { path: 'pkg-1.0/a/b/t', type: 'symlink', linkpath: 'x/../..' },
      { path: 'pkg-1.0/a/b/x', type: 'symlink', linkpath: '../..' },
    ]),
    'ARCHIVE_UNSAFE',
  );
});

test('a path through an earlier (even in-tree) symlink is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/sub/', type: 'dir' },
      { path: 'pkg-1.0/l', type: 'symlink', linkpath: 'sub' },
      { path: 'pkg-1.0/l/x', data: 'x' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /goes through the symlink/ },
  );
});

test('a symlink replacing a directory that already has files is refused', async () => {
  const { ctx } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/a/x', data: 'x' },
      { path: 'pkg-1.0/sub/', type: 'dir' },
      { path: 'pkg-1.0/a', type: 'symlink', linkpath: 'sub' },
      { path: 'pkg-1.0/a/y', data: 'y' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /twice/ },
  );
  assert.equal(fs.existsSync(join(ctx.outside, 'y')), false);
});

test('symlink through a case-variant of an escaping-capable symlink is refused (case-insensitive file systems)', async () => {
  // on macOS pkg-1.0/d/L is pkg-1.0/d/l (-> .. = pkg-1.0), so t would land above pkg-1.0
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/d/', type: 'dir' },
      { path: 'pkg-1.0/d/l', type: 'symlink', linkpath: '..' },
      { path: 'pkg-1.0/t', type: 'symlink', linkpath: 'd/L/../..' },
    ]),
    'ARCHIVE_UNSAFE',
  );
});

test('symlink loop is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/a', type: 'symlink', linkpath: 'b' },
      { path: 'pkg-1.0/b', type: 'symlink', linkpath: 'a' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /loops/ },
  );
});

// ---------------------------------------------------------------------------------------
// hard links

test('hard link to an absolute path is refused', async () => {
  const ctx0 = await setup(Buffer.alloc(0));
  const { ctx } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: 'pkg-1.0/passwd', type: 'link', linkpath: ctx0.secret },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /absolute/ },
  );
  assert.equal(fs.statSync(ctx0.secret).nlink, 1);
  assert.equal(fs.existsSync(join(ctx.dest, 'pkg-1.0', 'passwd')), false);
});

test('hard link to a relative path outside is refused', async () => {
  const { ctx } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: 'pkg-1.0/secret', type: 'link', linkpath: '../outside/secret.txt' },
    ]),
    'ARCHIVE_UNSAFE',
  );
  assert.equal(fs.statSync(ctx.secret).nlink, 1);
});

test('hard link to an entry that comes later (or never) is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: 'pkg-1.0/h', type: 'link', linkpath: 'pkg-1.0/later' },
      { path: 'pkg-1.0/later', data: 'x' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /not an earlier file/ },
  );
});

test('hard link to a directory or a symlink is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/d/', type: 'dir' },
      { path: 'pkg-1.0/h', type: 'link', linkpath: 'pkg-1.0/d' },
    ]),
    'ARCHIVE_UNSAFE',
  );
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/f', data: 'x' },
      { path: 'pkg-1.0/s', type: 'symlink', linkpath: 'f' },
      { path: 'pkg-1.0/h', type: 'link', linkpath: 'pkg-1.0/s' },
    ]),
    'ARCHIVE_UNSAFE',
  );
});

// ---------------------------------------------------------------------------------------
// entry types

for (const [type, what] of [
  ['char', /character device/],
  ['block', /block device/],
  ['fifo', /FIFO/],
] as const) {
  test(`${type} device entry is refused`, async () => {
    const { ctx } = await refuses(
      buildTgz([
        { path: 'pkg-1.0/', type: 'dir' },
        { path: 'pkg-1.0/dev', type },
      ]),
      'ARCHIVE_UNSAFE',
      { message: what },
    );
    assert.equal(fs.existsSync(join(ctx.dest, 'pkg-1.0', 'dev')), false);
  });
}

test('unknown and vendor entry types (sparse, volume header, made-up) are refused', async () => {
  for (const flag of ['S', 'V', 'Z']) {
    await refuses(
      buildTgz([
        { path: 'pkg-1.0/', type: 'dir' },
        { path: 'pkg-1.0/odd', flag, data: 'x' },
      ]),
      'ARCHIVE_UNSAFE',
      { message: /unsupported entry type/ },
    );
  }
});

test('an entry appearing twice with different types is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/x', data: 'file' },
      { path: 'pkg-1.0/x/', type: 'dir' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /appears twice/ },
  );
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/x/', type: 'dir' },
      { path: 'pkg-1.0/x', type: 'symlink', linkpath: '.' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /appears twice/ },
  );
});

test('an oversized pax header is refused, not skipped', async () => {
  const archive = gzip(
    Buffer.concat([paxHeader({ comment: 'x'.repeat(1024 * 1024 + 10) }), tarEntry({ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }), Buffer.alloc(1024)]),
  );
  await refuses(archive, 'ARCHIVE_UNSAFE', { message: /oversized/ });
});

// ---------------------------------------------------------------------------------------
// sizes and bombs

test('file whose data is longer than its declared size is refused as corrupt', async () => {
  const body = Buffer.alloc(4096, 'A');
  const archive = gzip(
    Buffer.concat([
      tarHeader({ name: 'pkg-1.0/PKG-INFO', flag: '0', size: 1024 }),
      body,
      tarEntry({ path: 'pkg-1.0/next.txt', data: 'x' }),
      Buffer.alloc(1024),
    ]),
  );
  await refuses(archive, 'ARCHIVE_CORRUPT');
});

test('file whose declared size runs past the end of the archive is refused as corrupt', async () => {
  await refuses(
    buildTgz(
      [
        { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
        { path: 'pkg-1.0/big', size: 64 * 1024, data: 'short' },
      ],
      { end: false },
    ),
    'ARCHIVE_CORRUPT',
  );
});

test('30000 tiny entries hit the entry limit before anything is written', async () => {
  const entries: TarEntry[] = [{ path: 'pkg-1.0/', type: 'dir' }];
  for (let i = 0; i < 30000; i++) entries.push({ path: `pkg-1.0/f${i}` });
  await refuses(buildTgz(entries), 'ARCHIVE_TOO_LARGE', { message: /20000 entries/ });
});

test('one entry over the byte limit is refused before its data is written', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/zeros', data: Buffer.alloc(2 * 1024 * 1024) },
    ]),
    'ARCHIVE_TOO_LARGE',
    {
      limits: { maxBytes: 1024 * 1024 },
    },
  );
});

test('many entries that together pass the byte limit are refused', async () => {
  const entries: TarEntry[] = [{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }];
  for (let i = 0; i < 5; i++) entries.push({ path: `pkg-1.0/part${i}`, data: Buffer.alloc(300 * 1024, i) });
  await refuses(buildTgz(entries), 'ARCHIVE_TOO_LARGE', { limits: { maxBytes: 1024 * 1024 } });
});

test('maxEntryBytes caps a single file', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/big', data: Buffer.alloc(100 * 1024) },
    ]),
    'ARCHIVE_TOO_LARGE',
    {
      limits: { maxEntryBytes: 64 * 1024 },
    },
  );
});

test('a gzip bomb of padding after the end of the tar stops early', async () => {
  const tarBuf = Buffer.concat([buildTar([{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]), Buffer.alloc(64 * 1024 * 1024)]);
  const started = Date.now();
  await refuses(gzip(tarBuf), 'ARCHIVE_TOO_LARGE', { limits: { maxBytes: 1024 * 1024, maxEntries: 100 }, message: /tar stream/ });
  assert.ok(Date.now() - started < 5000);
});

// ---------------------------------------------------------------------------------------
// corrupt input

test('truncated gzip is refused as corrupt', async () => {
  const whole = buildTgz([
    { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
    { path: 'pkg-1.0/data', data: Buffer.from('abc'.repeat(20000)) },
  ]);
  await refuses(whole.subarray(0, Math.floor(whole.length / 2)), 'ARCHIVE_CORRUPT');
});

test('gzip with a damaged checksum trailer is refused as corrupt', async () => {
  const whole = Buffer.from(buildTgz([{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]));
  const at = whole.length - 8;
  whole[at] = whole[at]! ^ 0xff;
  await refuses(whole, 'ARCHIVE_CORRUPT');
});

test('random bytes are refused as corrupt', async () => {
  let x = 0x12345678;
  const buf = Buffer.alloc(64 * 1024);
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  buf[0] = 0x42; // not accidentally a gzip/zip magic
  buf[1] = 0x00;
  await refuses(buf, 'ARCHIVE_CORRUPT');
  await refuses(gzip(buf), 'ARCHIVE_CORRUPT');
});

test('an empty file is refused as corrupt', async () => {
  await refuses(Buffer.alloc(0), 'ARCHIVE_CORRUPT');
});

test('a tar.gz inside a .tar.gz is refused (no second decompression)', async () => {
  await refuses(gzip(buildTgz([{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }])), 'ARCHIVE_CORRUPT', { message: /another compressed stream/ });
});

test('bzip2 sdists are refused as unsupported', async () => {
  await refuses(Buffer.from('BZh91AY&SY' + 'x'.repeat(100)), 'ARCHIVE_CORRUPT', { filename: 'pkg-1.0.tar.bz2', message: /bzip2/ });
});

// ---------------------------------------------------------------------------------------
// layout

test('two top-level directories are refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'other-1.0/PKG-INFO', data: PKG_INFO },
    ]),
    'ARCHIVE_LAYOUT',
    {
      message: /more than one top-level/,
    },
  );
});

test('a file at the top level is refused', async () => {
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'setup.py', data: 'import os' },
    ]),
    'ARCHIVE_LAYOUT',
  );
  await refuses(buildTgz([{ path: 'PKG-INFO', data: PKG_INFO }]), 'ARCHIVE_LAYOUT');
});

test('an empty archive is refused', async () => {
  await refuses(buildTgz([]), 'ARCHIVE_LAYOUT', { message: /empty/ });
  await refuses(buildTgz([{ path: './', type: 'dir' }]), 'ARCHIVE_LAYOUT', { message: /empty/ });
});

// ---------------------------------------------------------------------------------------
// good archives

function mode(p: string): number {
  return fs.lstatSync(p).mode & 0o7777;
}

test('a good sdist-shaped archive extracts with safe modes', async () => {
  const longName = `pkg-1.0/pkg/${'deep/'.repeat(25)}module.py`;
  const archive = buildTgz([
    { path: 'pkg-1.0/', type: 'dir', mode: 0o777 },
    { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO, mode: 0o666, mtime: 1600000000 },
    { path: 'pkg-1.0/README.md', data: '# pkg\n' },
    { path: 'pkg-1.0/pkg/__init__.py', data: '__version__ = "1.0"\n' },
    { path: 'pkg-1.0/docs/README.md', type: 'symlink', linkpath: '../README.md' },
    { path: 'pkg-1.0/pkg/same.py', type: 'link', linkpath: 'pkg-1.0/pkg/__init__.py' },
    { path: 'pkg-1.0/bin/tool', data: '#!/bin/sh\necho hi\n', mode: 0o6777 },
    { path: 'pkg-1.0/sticky/', type: 'dir', mode: 0o1777 },
    { path: longName, data: 'x = 1\n' },
  ]);
  const ctx = await setup(archive);
  const r = await unpackSdist(ctx.archive, ctx.dest);
  const root = join(fs.realpathSync(ctx.dest), 'pkg-1.0');
  assert.equal(r.root, root);
  assert.equal(r.entries, 9);
  assert.equal(await readFile(join(root, 'PKG-INFO'), 'utf8'), PKG_INFO);
  assert.equal(await readFile(join(root, 'pkg', '__init__.py'), 'utf8'), '__version__ = "1.0"\n');
  assert.equal(await readFile(join(root, 'pkg', 'same.py'), 'utf8'), '__version__ = "1.0"\n');
  assert.equal(await readFile(join(root, longName.slice('pkg-1.0/'.length)), 'utf8'), 'x = 1\n');
  assert.ok(fs.lstatSync(join(root, 'docs', 'README.md')).isSymbolicLink());
  assert.equal(await readlink(join(root, 'docs', 'README.md')), '../README.md');
  assert.equal(await readFile(join(root, 'docs', 'README.md'), 'utf8'), '# pkg\n');
  assert.equal(mode(join(root, 'bin', 'tool')), 0o755);
  assert.equal(mode(join(root, 'PKG-INFO')), 0o644);
  assert.equal(mode(root), 0o755);
  assert.equal(mode(join(root, 'sticky')), 0o755);
  assert.equal(mode(join(root, 'pkg')), 0o755);
  assert.equal(Math.floor(fs.statSync(join(root, 'PKG-INFO')).mtimeMs / 1000), 1600000000);
  const dataBytes = Buffer.byteLength(PKG_INFO) + 6 + 20 + 18 + 6;
  assert.equal(r.bytes, dataBytes);
  // nothing world- or group-writable, no set-id bits, anywhere
  for (const line of snapshot(ctx.dest)) {
    const m = parseInt(line.split(' ')[1]!, 8);
    if ((m & 0o170000) === 0o120000) continue;
    assert.equal(m & 0o7022, 0, line);
  }
});

test('a plain .tar with ./-prefixed names and a pax global header extracts', async () => {
  const archive = Buffer.concat([
    paxHeader({ comment: 'made by a test' }, 'g'),
    buildTar([
      { path: './', type: 'dir' },
      { path: './pkg-1.0/', type: 'dir' },
      { path: './pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: './pkg-1.0/setup.py', data: 'from setuptools import setup\nsetup()\n' },
    ]),
  ]);
  const ctx = await setup(archive, 'pkg-1.0.tar');
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(await readFile(join(r.root, 'PKG-INFO'), 'utf8'), PKG_INFO);
  assert.deepEqual(fs.readdirSync(ctx.dest), ['pkg-1.0']);
});

test('an archive made by node-tar itself extracts (real-world pax headers, long names)', async () => {
  const src = await mkdtemp(join(tmpdir(), 'py2pkg-src-'));
  made.push(src);
  const top = join(src, 'pkg-2.0');
  const long = join(top, 'src', 'a'.repeat(120), 'b'.repeat(120));
  await mkdir(long, { recursive: true });
  await writeFile(join(top, 'PKG-INFO'), PKG_INFO);
  await writeFile(join(long, 'mod.py'), 'y = 2\n');
  await writeFile(join(top, 'run.sh'), '#!/bin/sh\n');
  await chmod(join(top, 'run.sh'), 0o755);
  fs.symlinkSync('PKG-INFO', join(top, 'PKG-INFO.link'));
  const file = join(src, 'pkg-2.0.tar.gz');
  await tar.c({ gzip: true, cwd: src, file, portable: true }, ['pkg-2.0']);
  const ctx = await setup(fs.readFileSync(file));
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(await readFile(join(r.root, 'src', 'a'.repeat(120), 'b'.repeat(120), 'mod.py'), 'utf8'), 'y = 2\n');
  assert.equal(mode(join(r.root, 'run.sh')), 0o755);
  assert.equal(await readlink(join(r.root, 'PKG-INFO.link')), 'PKG-INFO');
});

test('non-ASCII names extract unchanged', async () => {
  const ctx = await setup(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/données/café.py', data: 'ok' },
    ]),
  );
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(await readFile(join(r.root, 'données', 'café.py'), 'utf8'), 'ok');
});

test('a regular file appearing twice keeps the last copy', async () => {
  const ctx = await setup(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: 'old' },
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
    ]),
  );
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(await readFile(join(r.root, 'PKG-INFO'), 'utf8'), PKG_INFO);
});

// ---------------------------------------------------------------------------------------
// zip

test('zip: a good sdist (stored and deflate, directories, exec bit) extracts', async () => {
  const ctx = await setup(
    buildZip([
      { name: 'pkg-1.0/' },
      { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO, method: 0 },
      { name: 'pkg-1.0/pkg/__init__.py', data: 'print("hi")\n'.repeat(100) },
      { name: 'pkg-1.0/bin/tool', data: '#!/bin/sh\n', mode: 0o104777 },
    ]),
    'pkg-1.0.zip',
  );
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(r.root, join(fs.realpathSync(ctx.dest), 'pkg-1.0'));
  assert.equal(r.entries, 4);
  assert.equal(await readFile(join(r.root, 'PKG-INFO'), 'utf8'), PKG_INFO);
  assert.equal(await readFile(join(r.root, 'pkg', '__init__.py'), 'utf8'), 'print("hi")\n'.repeat(100));
  assert.equal(mode(join(r.root, 'bin', 'tool')), 0o755);
  assert.equal(mode(join(r.root, 'PKG-INFO')), 0o644);
  assert.equal(new Date(fs.statSync(join(r.root, 'PKG-INFO')).mtimeMs).toISOString(), '2024-05-17T12:30:00.000Z');
});

test('zip: symlink member is refused', async () => {
  await refuses(
    buildZip([
      { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { name: 'pkg-1.0/etc', data: '/etc', mode: 0o120777 },
    ]),
    'ARCHIVE_UNSAFE',
    { filename: 'pkg-1.0.zip', message: /symlink/ },
  );
});

test('zip: device member is refused', async () => {
  await refuses(buildZip([{ name: 'pkg-1.0/dev', mode: 0o020644 }]), 'ARCHIVE_UNSAFE', { filename: 'pkg-1.0.zip' });
});

test('zip: ../ and absolute names are refused', async () => {
  const { ctx } = await refuses(
    buildZip([
      { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { name: '../zip-pwned', data: 'x' },
    ]),
    'ARCHIVE_UNSAFE',
    { filename: 'p.zip' },
  );
  assert.equal(fs.existsSync(join(ctx.base, 'zip-pwned')), false);
  await refuses(buildZip([{ name: '/tmp/zip-abs-pwned', data: 'x' }]), 'ARCHIVE_UNSAFE', { filename: 'p.zip' });
  await refuses(buildZip([{ name: 'pkg-1.0\\..\\..\\x', data: 'x' }]), 'ARCHIVE_UNSAFE', { filename: 'p.zip' });
});

test('zip: member that inflates past its declared size stops at the declared size', async () => {
  const { ctx } = await refuses(
    buildZip([
      { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { name: 'pkg-1.0/bomb', data: Buffer.alloc(2 * 1024 * 1024), usize: 10 },
    ]),
    'ARCHIVE_CORRUPT',
    { filename: 'p.zip', limits: { maxBytes: 1024 * 1024 }, destEmpty: false, message: /more data than its declared size/ },
  );
  const bomb = join(ctx.dest, 'pkg-1.0', 'bomb');
  assert.ok(!fs.existsSync(bomb) || fs.statSync(bomb).size <= 10);
});

test('zip: declared sizes past the limit are refused before anything is written', async () => {
  await refuses(
    buildZip([
      { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { name: 'pkg-1.0/zeros', data: Buffer.alloc(2 * 1024 * 1024) },
    ]),
    'ARCHIVE_TOO_LARGE',
    { filename: 'p.zip', limits: { maxBytes: 1024 * 1024 } },
  );
});

test('zip: too many members are refused before anything is written', async () => {
  const entries = Array.from({ length: 50 }, (_, i) => ({ name: `pkg-1.0/f${i}`, data: 'x' }));
  await refuses(buildZip(entries), 'ARCHIVE_TOO_LARGE', { filename: 'p.zip', limits: { maxEntries: 20 } });
});

test('zip: overlapping members (the overlap zip bomb) are refused', async () => {
  await refuses(
    buildZip([
      { name: 'pkg-1.0/a', data: 'x'.repeat(1000) },
      { name: 'pkg-1.0/a', data: 'x'.repeat(1000), offsetOf: 0 },
    ]),
    'ARCHIVE_UNSAFE',
    { filename: 'p.zip', message: /overlaps/ },
  );
});

test('zip: a local header naming a different file than the central directory is refused', async () => {
  await refuses(buildZip([{ name: 'pkg-1.0/ok.txt', localName: '../../evil.txt', data: 'x' }]), 'ARCHIVE_UNSAFE', {
    filename: 'p.zip',
    message: /different file/,
  });
});

test('zip: encrypted member is refused', async () => {
  await refuses(buildZip([{ name: 'pkg-1.0/PKG-INFO', data: PKG_INFO, flags: 1 }]), 'ARCHIVE_CORRUPT', { filename: 'p.zip', message: /encrypted/ });
});

test('zip: ZIP64 is refused', async () => {
  await refuses(buildZip([{ name: 'pkg-1.0/PKG-INFO', data: PKG_INFO }], { eocdTotal: 0xffff }), 'ARCHIVE_CORRUPT', { filename: 'p.zip', message: /ZIP64/ });
});

test('zip: bad CRC is refused as corrupt', async () => {
  await refuses(buildZip([{ name: 'pkg-1.0/PKG-INFO', data: PKG_INFO, crc: 1234 }]), 'ARCHIVE_CORRUPT', {
    filename: 'p.zip',
    destEmpty: false,
    message: /CRC/,
  });
});

test('zip: truncated archive is refused as corrupt', async () => {
  const whole = buildZip([{ name: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]);
  await refuses(whole.subarray(0, whole.length - 30), 'ARCHIVE_CORRUPT', { filename: 'p.zip' });
});

test('zip: two top-level directories and top-level files are refused', async () => {
  await refuses(
    buildZip([
      { name: 'a-1.0/PKG-INFO', data: 'x' },
      { name: 'b-1.0/PKG-INFO', data: 'x' },
    ]),
    'ARCHIVE_LAYOUT',
    { filename: 'p.zip' },
  );
  await refuses(buildZip([{ name: 'setup.py', data: 'x' }]), 'ARCHIVE_LAYOUT', { filename: 'p.zip' });
  await refuses(buildZip([]), 'ARCHIVE_LAYOUT', { filename: 'p.zip' });
});

// ---------------------------------------------------------------------------------------
// the format is read from the bytes, and the name must agree (issue 13)

test('a zip archive named .tar.gz is refused (the name must not say another format)', async () => {
  const zip = buildZip([
    { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
    { name: 'pkg-1.0/setup.py', data: 'x' },
  ]);
  await refuses(zip, 'ARCHIVE_CORRUPT', { filename: 'pkg-1.0.tar.gz', message: /named as a gzip-compressed tar archive but its content is a zip archive/ });
  await refuses(zip, 'ARCHIVE_CORRUPT', { filename: 'pkg-1.0.tgz', message: /content is a zip/ });
});

test('a tar archive (gzip or plain) named .zip is refused, and a .tar.gz named .tar', async () => {
  const tgz = buildTgz([{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]);
  await refuses(tgz, 'ARCHIVE_CORRUPT', { filename: 'pkg-1.0.zip', message: /named as a zip archive but its content is a gzip-compressed tar/ });
  await refuses(buildTar([{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]), 'ARCHIVE_CORRUPT', {
    filename: 'pkg-1.0.ZIP',
    message: /content is an uncompressed tar/,
  });
  await refuses(tgz, 'ARCHIVE_CORRUPT', { filename: 'pkg-1.0.tar', message: /named as an uncompressed tar/ });
});

test('a name with no archive suffix is judged by its bytes alone', async () => {
  const ctx = await setup(buildZip([{ name: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]), 'sha256-abcdef');
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(await readFile(join(r.root, 'PKG-INFO'), 'utf8'), PKG_INFO);
  // and the caller's name wins over the path's
  const ctx2 = await setup(buildZip([{ name: 'pkg-1.0/PKG-INFO', data: PKG_INFO }]), 'cached-blob');
  await assert.rejects(
    unpackSdist(ctx2.archive, ctx2.dest, undefined, 'pkg-1.0.tar.gz'),
    (e: unknown) => e instanceof Py2pkgError && e.code === 'ARCHIVE_CORRUPT',
  );
});

// ---------------------------------------------------------------------------------------
// bounded cost (issue 13)

test('a PKG-INFO over the metadata limit is refused by its declared size, before anything is extracted', async () => {
  const big = `${PKG_INFO}\n${'Lorem ipsum dolor sit amet.\n'.repeat(200_000)}`; // 5.6 MB
  const started = Date.now();
  const { err } = await refuses(
    buildTgz([
      { path: 'pkg-1.0/', type: 'dir' },
      { path: 'pkg-1.0/PKG-INFO', data: big },
    ]),
    'METADATA_TOO_LARGE',
    { message: /PKG-INFO" is \d+ bytes, more than the 4194304/ },
  );
  assert.ok(Date.now() - started < 5000);
  assert.equal(err.exitStatus, 4);
  // the same for pyproject.toml (1 MiB) in a zip; a file of that name deeper down is only data
  await refuses(
    buildZip([
      { name: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { name: 'pkg-1.0/pyproject.toml', data: Buffer.alloc(1024 * 1024 + 1, 0x20) },
    ]),
    'METADATA_TOO_LARGE',
    { filename: 'p.zip' },
  );
  const ctx = await setup(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/docs/pyproject.toml', data: Buffer.alloc(1024 * 1024 + 1, 0x20) },
    ]),
  );
  await unpackSdist(ctx.archive, ctx.dest);
});

test('an entry name of 40000 components (pax) is refused at once, not walked component by component', async () => {
  const started = Date.now();
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: `pkg-1.0/${'a/'.repeat(40_000)}f`, data: 'x' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /longer than 1024 bytes/ },
  );
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: `pkg-1.0/${'b'.repeat(256)}`, data: 'x' },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /component longer than 255/ },
  );
  await refuses(
    buildTgz([
      { path: 'pkg-1.0/PKG-INFO', data: PKG_INFO },
      { path: 'pkg-1.0/l', type: 'symlink', linkpath: './'.repeat(600) },
    ]),
    'ARCHIVE_UNSAFE',
    { message: /target longer/ },
  );
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('paths that imply far more directories than the archive has entries are refused', async () => {
  // 100 entries, each 30 levels deep on its own branch: 3000 implied directories
  const entries: TarEntry[] = [{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }];
  for (let i = 0; i < 100; i++) entries.push({ path: `pkg-1.0/${`d${i}/`.repeat(30)}f`, data: 'x' });
  await refuses(buildTgz(entries), 'ARCHIVE_TOO_LARGE', { limits: { maxEntries: 200 }, message: /directories its paths imply/ });
});

test('a deep tree with many files extracts in linear time (parents are checked once)', async () => {
  const entries: TarEntry[] = [{ path: 'pkg-1.0/PKG-INFO', data: PKG_INFO }];
  const deep = `pkg-1.0/${'sub/'.repeat(200)}`;
  for (let i = 0; i < 2000; i++) entries.push({ path: `${deep}f${i}`, data: '' });
  const ctx = await setup(buildTgz(entries));
  const started = Date.now();
  const r = await unpackSdist(ctx.archive, ctx.dest);
  assert.equal(r.entries, 2001);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});
