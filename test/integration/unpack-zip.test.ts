/**
 * The unpack stage against hostile zip sdists, and the format read from the bytes, not the name.
 * Split from one file by concern; in the style of node-tar's test/ghsa-* tests each attack
 * is a named test that builds its archive in code (test/support/tarbuilder.ts writes raw headers
 * that real archivers refuse to produce). Escapes aim at a directory the test owns, never at a
 * real system file (test/support/unpack-harness.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Py2pkgError } from '../../src/errors.js';
import { unpackSdist } from '../../src/sdist/unpack.js';
import { buildTar, buildTgz, buildZip } from '../support/tarbuilder.js';
import { refuses, setup, PKG_INFO, mode } from '../support/unpack-harness.js';

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
