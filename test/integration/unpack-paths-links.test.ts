/**
 * The unpack stage against hostile sdists: paths, symlinks, hard links and entry types.
 * Split from one file by concern; in the style of node-tar's test/ghsa-* tests each attack
 * is a named test that builds its archive in code (test/support/tarbuilder.ts writes raw headers
 * that real archivers refuse to produce). Escapes aim at a directory the test owns, never at a
 * real system file (test/support/unpack-harness.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildTgz, gzip, paxHeader, tarEntry } from '../support/tarbuilder.js';
import { refuses, setup, PKG_INFO, made } from '../support/unpack-harness.js';

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
