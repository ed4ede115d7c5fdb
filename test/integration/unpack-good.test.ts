/**
 * The unpack stage on good archives: what real sdists hold extracts, with safe modes.
 * Split from one file by concern; in the style of node-tar's test/ghsa-* tests each attack
 * is a named test that builds its archive in code (test/support/tarbuilder.ts writes raw headers
 * that real archivers refuse to produce). Escapes aim at a directory the test owns, never at a
 * real system file (test/support/unpack-harness.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tar from 'tar';
import { unpackSdist } from '../../src/sdist/unpack.js';
import { buildTar, buildTgz, paxHeader } from '../support/tarbuilder.js';
import { setup, snapshot, PKG_INFO, made, mode } from '../support/unpack-harness.js';

// ---------------------------------------------------------------------------------------
// good archives

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
