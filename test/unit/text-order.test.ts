/**
 * Files py2pkg writes are sorted the same whatever the locale: compareText, and py2pkg.lock
 * written by node processes started under three locales (ICU takes LANG/LC_ALL; under sv_SE
 * "ä" sorts after "z", under de_DE before "b", with localeCompare).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { compareText } from '../../src/text-order.js';

const LOCKFILE = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'lock', 'lockfile.js')).href;

test('compareText orders by code unit, not by locale', () => {
  const names = ['z', 'ä', 'a', 'B', 'b', '_x', '-y', 'a-b', 'a_b', 'a.b', ''];
  assert.deepEqual([...names].sort(compareText), ['', '-y', 'B', '_x', 'a', 'a-b', 'a.b', 'a_b', 'b', 'z', 'ä']);
  assert.equal(compareText('x', 'x'), 0);
  assert.equal(compareText('x', 'y'), -1);
  assert.equal(compareText('y', 'x'), 1);
});

test('py2pkg.lock lists packages in the same order under sv_SE, de_DE and C locales', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-order-'));
  try {
    const script = `
      const { writeLock } = await import(${JSON.stringify(LOCKFILE)});
      const entry = (input) => ({ input, project: input, version: '1', sdist: { filename: input + '-1.tar.gz', sha256: 'a'.repeat(64), url: null },
        evidence: [], rule: null, target: 'debian-12', format: 'deb',
        options: { maintainer: 'M <m@example.org>', withExtras: [], signedBy: null, sourceDateEpoch: null }, files: [] });
      await writeLock(process.argv[1], ['zope', 'ästhetik', 'apfel', 'Babel', 'b_c', 'b-c'].map(entry));`;
    const texts: string[] = [];
    for (const lang of ['C.UTF-8', 'sv_SE.UTF-8', 'de_DE.UTF-8']) {
      const out = join(dir, `${lang}.lock`);
      await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, out], {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: lang, LC_ALL: lang },
      });
      texts.push(await readFile(out, 'utf8'));
    }
    assert.equal(texts[1], texts[0]);
    assert.equal(texts[2], texts[0]);
    const inputs = (JSON.parse(texts[0]!) as { packages: Array<{ input: string }> }).packages.map((p) => p.input);
    assert.deepEqual(inputs, ['Babel', 'apfel', 'b-c', 'b_c', 'zope', 'ästhetik']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
