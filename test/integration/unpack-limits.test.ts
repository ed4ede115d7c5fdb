/**
 * The unpack stage against hostile sdists: sizes and bombs, corrupt input, layout, bounded cost.
 * Split from one file by concern; in the style of node-tar's test/ghsa-* tests each attack
 * is a named test that builds its archive in code (test/support/tarbuilder.ts writes raw headers
 * that real archivers refuse to produce). Escapes aim at a directory the test owns, never at a
 * real system file (test/support/unpack-harness.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unpackSdist } from '../../src/sdist/unpack.js';
import { buildTar, buildTgz, buildZip, gzip, tarEntry, tarHeader, type TarEntry } from '../support/tarbuilder.js';
import { refuses, setup, PKG_INFO } from '../support/unpack-harness.js';

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
