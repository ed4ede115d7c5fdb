/**
 * PEP 440 -> Debian / RPM version strings, and src/deps/debversion.ts (dpkg's comparison, used to
 * decide whether the target archive satisfies a relation). Pure; the real tools judge the same
 * translations in test/integration/version-order.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDebianVersions, parseDebianVersion, satisfiesRelation } from '../../src/deps/debversion.js';
import { compareVersions, parseVersion, toDebianVersion, toRpmVersion } from '../../src/python/pep440.js';
import { noVectors, readTsv } from '../support/vectors.js';


test('Debian versions: the release in canonical form (trailing zeros dropped, at least two components)', () => {
  const cases: Array<[string, string]> = [
    ['1.0.0', '1.0'],
    ['1', '1.0'],
    ['1.2.0', '1.2'],
    ['3.2.25', '3.2.25'],
    ['2.0.0rc1', '2.0~rc1'],
    ['1.0.0.post1', '1.0+post1'],
    ['1.0.dev1', '1.0~~dev1'],
    ['1!1.0.0', '1:1.0'],
    ['2023.01.02', '2023.1.2'],
    ['0', '0.0'],
  ];
  for (const [v, d] of cases) assert.equal(toDebianVersion(v), d, v);
  // PEP 440-equal versions give one Debian version; 1.0.0 < 1.0.post1 holds for dpkg
  assert.equal(toDebianVersion('1.0'), toDebianVersion('1.0.0.0'));
  assert.equal(compareDebianVersions(toDebianVersion('1.0.0'), toDebianVersion('1.0.post1')), -1);
  assert.equal(compareDebianVersions(toDebianVersion('1.0.0', { keepTrailingZeros: true }), toDebianVersion('1.0.post1')), 1, 'as written, 1.0.0 > 1.0+post1');
  assert.throws(() => toDebianVersion('1.0+ubuntu1'), /local label/);
  assert.throws(() => toRpmVersion('1.0+ubuntu1'), /local label/);
});

test('debversion.ts: dpkg\'s order on the usual hard cases', () => {
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

test('every vector pair keeps its order through toDebianVersion + debversion.ts and toRpmVersion', { skip: noVectors }, () => {
  const failures: string[] = [];
  let n = 0;
  for (const row of readTsv('versions/pairs.tsv')) {
    const a = row.a_normalized as string;
    const b = row.b_normalized as string;
    if (parseVersion(a).local || parseVersion(b).local) continue;
    const exp = Number(row.expected_cmp);
    assert.equal(compareVersions(a, b), exp, `${a} vs ${b}`);
    if (compareDebianVersions(`${toDebianVersion(a)}-1`, `${toDebianVersion(b)}-1`) !== exp) failures.push(`${a} vs ${b}`);
    n++;
  }
  assert.deepEqual(failures, []);
  assert.equal(n, 747);
});
