/**
 * PEP 440 -> Debian / RPM version strings, and src/deps/debversion.ts (dpkg's comparison, used to
 * decide whether the target archive satisfies a relation). Pure; the real tools judge the same
 * translations in test/integration/version-order.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDebianVersions, parseDebianVersion, satisfiesRelation } from '../../src/deps/debversion.js';
import { spellRelease, toDebianVersion, toRpmDistVersion, toRpmVersion } from '../../src/python/distro-version.js';
import { compareVersions, parseVersion, trimZeros } from '../../src/python/pep440.js';
import { noVectors, readTsv } from '../support/vectors.js';
import { expectedSpellingOrder } from '../support/versions.js';

test('Debian versions: the release as upstream wrote it (nothing stripped; one component padded to two)', () => {
  const cases: Array<[string, string]> = [
    ['1.16.0', '1.16.0'],
    ['2.6.0', '2.6.0'],
    ['1.0.0', '1.0.0'],
    ['1', '1.0'],
    ['1.2.0', '1.2.0'],
    ['3.2.25', '3.2.25'],
    ['2.0.0rc1', '2.0.0~rc1'],
    ['1.0.0.post1', '1.0.0+post1'],
    ['1.0.dev1', '1.0~~dev1'],
    ['1!1.0.0', '1:1.0.0'],
    ['2023.01.02', '2023.1.2'],
    ['0', '0.0'],
  ];
  for (const [v, d] of cases) assert.equal(toDebianVersion(v), d, v);
  // what py2pkg wrote before (canonical) and Fedora's python3dist() form (shortest)
  assert.equal(toDebianVersion('1.16.0', { release: 'canonical' }), '1.16');
  assert.equal(toDebianVersion('2.0.0rc1', { release: 'shortest' }), '2~rc1');
  assert.throws(() => toDebianVersion('1.0+ubuntu1'), /local label/);
  assert.throws(() => toRpmVersion('1.0+ubuntu1'), /local label/);
});

test('RPM versions: Version as upstream wrote it, python3dist() without trailing zeros', () => {
  assert.deepEqual(toRpmVersion('1.16.0'), { version: '1.16.0' });
  assert.deepEqual(toRpmVersion('1'), { version: '1' });
  assert.deepEqual(toRpmVersion('2.0.0rc1'), { version: '2.0.0~rc1' });
  assert.deepEqual(toRpmDistVersion('1.16.0'), { version: '1.16' });
  assert.deepEqual(toRpmDistVersion('2.0.0rc1'), { version: '2~rc1' });
});

test('two spellings of one release: dpkg puts the longer one higher (so 1.16.0-1 upgrades 1.16-1)', () => {
  const cases: Array<[string, string, number]> = [
    ['1.16.0-1', '1.16-1', 1],
    ['2.6.0-1', '2.6-1', 1],
    ['2.0-1', '2-1', 1],
    ['2.0.0~rc1', '2~', 1], // so (<< 2~) excludes it
    ['2.0.0', '2~', 1],
    ['2.0.0~rc1', '2.0', 1], // no spelling fixes this: a spelling with more zeros sorts higher
    ['1.0.0', '1.0+post1', 1],
    ['1.16.0-1', '1.16.0.~', -1], // so (<< 1.16.0.~) admits it: ==1.16
    ['1.16-1', '1.16.0.~', -1],
  ];
  for (const [a, b, r] of cases) assert.equal(compareDebianVersions(a, b), r, `${a} vs ${b}`);
});

test('spellRelease', () => {
  assert.deepEqual(spellRelease([1n, 0n, 0n], 'upstream'), [1n, 0n, 0n]);
  assert.deepEqual(spellRelease([2n], 'upstream'), [2n, 0n]);
  assert.deepEqual(spellRelease([2n], 'written'), [2n]);
  assert.deepEqual(spellRelease([1n, 0n, 0n], 'canonical'), [1n, 0n]);
  assert.deepEqual(spellRelease([0n, 0n], 'shortest'), [0n]);
  assert.deepEqual(trimZeros([1n, 0n, 0n]), [1n]);
});

test("debversion.ts: dpkg's order on the usual hard cases", () => {
  const cases: Array<[string, string, number]> = [
    ['1.0', '1.0.0', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~~dev1', '1.0~a1', -1],
    ['1.0+post1', '1.0.1', -1],
    ['1:0.1', '2.0', 1],
    ['3:3.2.25-0+deb12u7', '3:4~', -1],
    ['3.2.25-0+deb12u7', '4~', -1],
    ['1.0-1', '1.0', 1],
    ['1.0+dfsg-1', '1.0.0.~', -1],
    ['2.0-1', '2.0.~', -1],
    ['2.0.0-1', '2.0.~', 1],
    ['0010', '10', 0],
    ['1.0-1-2', '1.0-1-10', -1],
    ['1.0a', '1.0', 1],
    ['1.0~', '1.0', -1],
  ];
  for (const [a, b, r] of cases) assert.equal(compareDebianVersions(a, b), r, `${a} vs ${b}`);
  assert.deepEqual(parseDebianVersion('3:3.2.25-0+deb12u7'), { epoch: 3n, upstream: '3.2.25', revision: '0+deb12u7' });
  assert.deepEqual(parseDebianVersion('1.0-1-2'), { epoch: 0n, upstream: '1.0-1', revision: '2' });
  assert.equal(parseDebianVersion('not a version'), undefined);
  assert.ok(satisfiesRelation('3:3.2.25-0+deb12u7', '<<', '3:4~'));
  assert.ok(!satisfiesRelation('3:3.2.25-0+deb12u7', '<<', '4~'));
  assert.ok(satisfiesRelation('3.0.1-2', '>=', '2'));
  assert.ok(!satisfiesRelation('3.0.1-2', '<<', '3~'));
});

test('every vector pair: PEP 440 order through toDebianVersion + debversion.ts, or the longer spelling higher', { skip: noVectors }, () => {
  const failures: string[] = [];
  let n = 0;
  let byLength = 0;
  const debLen = (v: string): number => spellRelease(parseVersion(v).release, 'upstream').length;
  for (const row of readTsv('versions/pairs.tsv')) {
    const a = row.a_normalized as string;
    const b = row.b_normalized as string;
    if (parseVersion(a).local || parseVersion(b).local) continue;
    const exp = Number(row.expected_cmp);
    assert.equal(compareVersions(a, b), exp, `${a} vs ${b}`);
    const want = expectedSpellingOrder(a, b, debLen);
    if (want !== exp) byLength++;
    if (compareDebianVersions(`${toDebianVersion(a)}-1`, `${toDebianVersion(b)}-1`) !== want) failures.push(`${a} vs ${b}`);
    // the spelling py2pkg wrote before keeps PEP 440's order exactly
    if (compareDebianVersions(`${toDebianVersion(a, { release: 'canonical' })}-1`, `${toDebianVersion(b, { release: 'canonical' })}-1`) !== exp)
      failures.push(`canonical: ${a} vs ${b}`);
    n++;
  }
  assert.deepEqual(failures, []);
  assert.equal(n, 747);
  assert.equal(byLength, 12, 'pairs ordered by spelling length (1.0 vs 1.0.0, 1.0.0 vs 1.0.post1, ...)');
});

test('every vector version: the new Debian spelling is never below the one py2pkg wrote before', { skip: noVectors }, () => {
  let longer = 0;
  for (const row of readTsv('versions/versions.tsv')) {
    if (row.valid !== 'true' || row.local) continue;
    const v = row.normalized as string;
    const now = `${toDebianVersion(v)}-1`;
    const before = `${toDebianVersion(v, { release: 'canonical' })}-1`;
    const c = compareDebianVersions(now, before);
    assert.equal(c, now === before ? 0 : 1, `${now} vs ${before}`);
    if (c > 0) longer++;
  }
  assert.equal(longer, 7, 'versions now spelled longer (1.0.0, 1.0.0.0, ...)');
});
