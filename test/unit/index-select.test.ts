/** Choosing the sdist (src/source/select.ts) and reading file names (filenames.ts): pip's rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Py2pkgError } from '../../src/errors.js';
import { classifyDistFile } from '../../src/source/filenames.js';
import { isPinned, selectSdist, type Listed } from '../../src/source/select.js';
import type { IndexFile } from '../../src/source/simple-api.js';

function file(filename: string, extra: Partial<IndexFile> = {}): Listed {
  return {
    file: {
      filename,
      url: new URL(`https://files.example/${filename}`),
      hashes: {},
      requiresPython: undefined,
      yanked: false,
      gpgSig: undefined,
      coreMetadata: false,
      size: undefined,
      ...extra,
    },
    source: { url: 'https://index.example/simple/', kind: 'index' },
  };
}

const base = { project: 'sel', specifier: '', pre: false, pythonVersion: '3.11.2' };
const pick = (listed: Listed[], over: Partial<typeof base> = {}) => selectSdist({ ...base, ...over }, listed).chosen.file.filename;
const refuse = (listed: Listed[], over: Partial<typeof base>, re: RegExp) =>
  assert.throws(
    () => selectSdist({ ...base, ...over }, listed),
    (e: unknown) => e instanceof Py2pkgError && e.code === 'NO_MATCHING_SDIST' && re.test(e.message),
  );

const SEL = [
  file('sel-1.0.tar.gz'),
  file('sel-2.0.tar.gz'),
  file('sel-2.1rc1.tar.gz'),
  file('sel-1!0.5.tar.gz'),
  file('sel-3.0-py3-none-any.whl'),
  file('sel-2.5.tar.gz', { yanked: 'broken build' }),
  file('sel-4.0.tar.gz', { requiresPython: '>=3.99' }),
  file('other-9.0.tar.gz'),
];

test('the newest sdist wins, and an epoch outranks any version without one', () => {
  assert.equal(pick(SEL), 'sel-1!0.5.tar.gz');
  assert.equal(pick(SEL, { specifier: '<1!0' }), 'sel-2.0.tar.gz');
});

test('wheels, other projects and Requires-Python misfits are never chosen', () => {
  // 3.0 is a wheel, 4.0 wants Python >= 3.99, 2.5 is yanked, 2.1rc1 a pre-release
  assert.equal(pick(SEL, { specifier: '>=2' }), 'sel-1!0.5.tar.gz');
  assert.equal(pick(SEL, { specifier: '>=2,<1!0' }), 'sel-2.0.tar.gz');
  refuse(SEL, { specifier: '>=3,<1!0' }, /no sdist of sel matches '>=3,<1!0': available/);
});

test('pre-releases: with --pre, when the specifier names one, or when nothing final matches', () => {
  assert.equal(pick(SEL, { specifier: '<1!0', pre: true }), 'sel-2.1rc1.tar.gz');
  assert.equal(pick(SEL, { specifier: '<1!0,>=2.1rc1' }), 'sel-2.1rc1.tar.gz');
  assert.equal(pick(SEL, { specifier: '<1!0' }), 'sel-2.0.tar.gz');
  const onlyPre = [file('sel-0.1b1.tar.gz'), file('sel-0.2a1.tar.gz'), file('sel-0.2.dev3.tar.gz')];
  assert.equal(pick(onlyPre), 'sel-0.2a1.tar.gz');
  // a clause that excludes names no pre-release: != and < do not opt in
  assert.equal(pick([file('sel-1.0.tar.gz'), file('sel-2.0b1.tar.gz')], { specifier: '!=2.0b1' }), 'sel-1.0.tar.gz');
  assert.equal(pick([file('sel-1.0.tar.gz'), file('sel-2.0b1.tar.gz')], { specifier: '>=1.5' }), 'sel-2.0b1.tar.gz');
});

test('PEP 592: yanked only when every match is yanked and the requirement pins it', () => {
  assert.equal(pick(SEL, { specifier: '==2.5' }), 'sel-2.5.tar.gz');
  assert.equal(selectSdist({ ...base, specifier: '==2.5' }, SEL).yankedReason, 'broken build');
  assert.equal(pick(SEL, { specifier: '===2.5' }), 'sel-2.5.tar.gz');
  refuse(SEL, { specifier: '>=2.2,<1!0' }, /every sdist of sel that matches '>=2.2,<1!0' is yanked \(2\.5: broken build\)/);
  refuse(SEL, { specifier: '==2.5.*' }, /is yanked/);
  // a non-yanked match always beats a yanked one, even an older one
  assert.equal(pick([file('sel-1.0.tar.gz'), file('sel-1.1.tar.gz', { yanked: '' })], { specifier: '>=1.0' }), 'sel-1.0.tar.gz');
  assert.equal(pick([file('sel-1.0.tar.gz', { yanked: '' }), file('sel-1.0.zip')], { specifier: '==1.0' }), 'sel-1.0.zip');
  assert.ok(isPinned('==1.0') && isPinned('===x') && isPinned('>=1,==1.0') && !isPinned('==1.*') && !isPinned('>=1'));
});

test('a clear message for each way nothing fits', () => {
  refuse([file('sel-1.0-py3-none-any.whl'), file('sel-1.1-py3-none-any.whl')], {}, /has wheels only \(versions 1\.1, 1\.0\), no sdist/);
  refuse([file('sel-1.0.tar.bz2')], {}, /formats py2pkg does not unpack/);
  refuse([file('sel-1.0.tar.gz', { yanked: 'oops' })], {}, /is yanked \(1\.0: oops\); pin the exact version/);
  refuse([file('sel-1.0.tar.gz', { requiresPython: '<3' })], {}, /requires another Python than the target's 3\.11\.2/);
  refuse([], {}, /lists no sdist or wheel/);
});

test('ties: .tar.gz first, then the order the sources were given', () => {
  assert.equal(pick([file('sel-1.0.zip'), file('sel-1.0.tar.gz')]), 'sel-1.0.tar.gz');
  const a = file('sel-1.0.tar.gz');
  const b = { ...file('sel-1.0.tar.gz'), source: { url: 'https://second.example/simple/', kind: 'index' as const } };
  assert.equal(selectSdist(base, [a, b]).chosen.source.url, 'https://index.example/simple/');
});

test('an unparsable Requires-Python admits, as in pip', () => {
  assert.equal(pick([file('sel-1.0.tar.gz', { requiresPython: 'not a spec' })]), 'sel-1.0.tar.gz');
});

test('classifyDistFile: legacy names with - and ., PEP 625 names, wheels, other projects', () => {
  assert.deepEqual(classifyDistFile('python-slugger-8.0.1.tar.gz', 'python-slugger').kind, 'sdist');
  assert.equal((classifyDistFile('python-slugger-8.0.1.tar.gz', 'python-slugger') as { version: string }).version, '8.0.1');
  assert.equal((classifyDistFile('Acme.Widgets-3.2.1.tar.gz', 'acme-widgets') as { version: string }).version, '3.2.1');
  assert.equal((classifyDistFile('acme_widgets-3.2.1.tar.gz', 'acme-widgets') as { version: string }).version, '3.2.1');
  assert.equal(classifyDistFile('acme_widgets-3.2.1-py3-none-any.whl', 'acme-widgets').kind, 'wheel');
  assert.equal(classifyDistFile('python-3.0.tar.gz', 'python-slugger').kind, 'other');
  assert.equal(classifyDistFile('sel-latest.tar.gz', 'sel').kind, 'invalid-version');
  assert.equal(classifyDistFile('sel-1.0.tar.xz', 'sel').kind, 'unsupported-sdist');
  assert.equal(classifyDistFile('sel-1.0.exe', 'sel').kind, 'other');
  assert.equal((classifyDistFile('sel-1!0.5.tar.gz', 'sel') as { version: string }).version, '1!0.5');
});
