/**
 * PEP 440 versions and specifiers: parsing, normal forms, ordering, containment (vectors from ../shared/vectors and packaging's tests).
 */
// Vectors are read at run time from ../shared/vectors, the sibling of the repository root
// (/work/main -> /work/shared). This file runs from dist/test/unit/, three levels
// below the repository root, hence '../../../../shared/vectors/'. The tests skip when the
// directory is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareVersions,
  formatSpecifierSet,
  formatVersion,
  isPrerelease,
  isValidVersion,
  normalizeVersion,
  parseSpecifier,
  parseSpecifierSet,
  parseVersion,
  specifierContains,
  tryParseSpecifier,
  tryParseVersion,
} from '../../src/python/pep440.js';
import { invalidMetadata, noVectors, readTsv } from '../support/vectors.js';

// ---------------------------------------------------------------------------------------------
// Parsing and normalization

test('versions.tsv: validity, normal form and every parsed field', { skip: noVectors }, () => {
  const rows = readTsv('versions/versions.tsv');
  assert.ok(rows.length >= 400);
  const failures: string[] = [];
  for (const r of rows) {
    const input = r.input as string;
    const valid = r.valid === 'true';
    if (isValidVersion(input) !== valid) {
      failures.push(`${JSON.stringify(input)}: valid should be ${valid}`);
      continue;
    }
    if (!valid) {
      assert.throws(() => normalizeVersion(input), invalidMetadata);
      continue;
    }
    const v = parseVersion(input);
    const pub = formatVersion({ ...v, local: undefined });
    const got: Record<string, string> = {
      normalized: normalizeVersion(input),
      epoch: String(v.epoch),
      release: v.release.join('.'),
      pre: v.pre ? `${v.pre.label}${v.pre.number}` : '',
      post: v.post === undefined ? '' : String(v.post),
      dev: v.dev === undefined ? '' : String(v.dev),
      local: v.local ? v.local.join('.') : '',
      public: pub,
      base_version: formatVersion({ epoch: v.epoch, release: v.release }),
      is_prerelease: String(isPrerelease(v)),
      is_postrelease: String(v.post !== undefined),
      is_devrelease: String(v.dev !== undefined),
    };
    for (const [k, val] of Object.entries(got)) {
      if (val !== r[k]) failures.push(`${JSON.stringify(input)}: ${k} ${JSON.stringify(val)} != ${JSON.stringify(r[k])}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('versions.tsv: every normalization stated by the sources (PEP 440, packaging tests)', { skip: noVectors }, () => {
  let n = 0;
  for (const r of readTsv('versions/versions.tsv')) {
    const exp = r.expected_from_source;
    if (!exp) continue;
    n++;
    if (exp === 'invalid') assert.equal(isValidVersion(r.input as string), false, r.input);
    else assert.equal(normalizeVersion(r.input as string), exp, r.input);
  }
  assert.ok(n > 50);
});

test('versions.tsv: the dense rank orders all valid versions (every pair compared)', { skip: noVectors }, () => {
  const rows = readTsv('versions/versions.tsv').filter((r) => r.valid === 'true');
  const parsed = rows.map((r) => ({ v: parseVersion(r.input as string), rank: Number(r.rank), input: r.input as string }));
  let bad = 0;
  for (const a of parsed) {
    for (const b of parsed) {
      if (compareVersions(a.v, b.v) !== Math.sign(a.rank - b.rank)) bad++;
    }
  }
  assert.equal(bad, 0);
});

test('pairs.tsv: every ordering pair holds under compareVersions', { skip: noVectors }, () => {
  const rows = readTsv('versions/pairs.tsv');
  assert.ok(rows.length >= 981);
  const failures: string[] = [];
  for (const r of rows) {
    const a = r.a as string;
    const b = r.b as string;
    if (compareVersions(a, b) !== Number(r.expected_cmp)) failures.push(`${a} vs ${b}: expected ${r.expected_cmp}`);
    if (compareVersions(b, a) !== -Number(r.expected_cmp)) failures.push(`${b} vs ${a}: not antisymmetric`);
    if (normalizeVersion(a) !== r.a_normalized) failures.push(`${a}: normalized`);
    if (normalizeVersion(b) !== r.b_normalized) failures.push(`${b}: normalized`);
  }
  assert.deepEqual(failures, []);
});

test('spellings, whitespace, ASCII-only letters and big numbers', () => {
  assert.equal(normalizeVersion('  v1.0\t\n'), '1.0');
  assert.equal(normalizeVersion('1.0-ALPHA-1'), '1.0a1');
  assert.equal(normalizeVersion('1.0c3'), '1.0rc3');
  assert.equal(normalizeVersion('1.0.preview'), '1.0rc0');
  assert.equal(normalizeVersion('1.0-r4'), '1.0.post4');
  assert.equal(normalizeVersion('1.0-1'), '1.0.post1');
  assert.equal(normalizeVersion('1.0.post'), '1.0.post0');
  assert.equal(normalizeVersion('1.2.dev'), '1.2.dev0');
  assert.equal(normalizeVersion('1!2.0_rc_1.post_2-dev_3+Ubuntu-1_2'), '1!2.0rc1.post2.dev3+ubuntu.1.2');
  assert.equal(normalizeVersion('1.0+abc.007'), '1.0+abc.7');
  assert.equal(normalizeVersion('99999999999999999999999.1'), '99999999999999999999999.1');
  assert.equal(compareVersions('99999999999999999999999', '99999999999999999999998'), 1);
  // PEP 440 allows ASCII letters only: the Turkish dotted I and the Kelvin sign are refused
  assert.equal(isValidVersion('1.0+\u0130'), false);
  assert.equal(isValidVersion('1.0+\u212a'), false);
  assert.equal(isValidVersion('1.0\u0661'), false);
  assert.equal(tryParseVersion('1.0 beta'), undefined);
  assert.throws(() => parseVersion('latest'), invalidMetadata);
  assert.throws(() => compareVersions('1.0', 'nope'), invalidMetadata);
});

test('ordering: dev < pre < release < post, locals after their public version, trailing zeros', () => {
  const ordered = [
    '1.0.dev0',
    '1.0a1.dev1',
    '1.0a1',
    '1.0a1.post1.dev1',
    '1.0a1.post1',
    '1.0b1',
    '1.0rc1',
    '1.0',
    '1.0+abc',
    '1.0+abc.1',
    '1.0+1',
    '1.0.post1.dev1',
    '1.0.post1',
    '1.0.1',
    '1!0.1',
  ];
  for (let i = 0; i + 1 < ordered.length; i++)
    assert.equal(compareVersions(ordered[i] as string, ordered[i + 1] as string), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  assert.equal(compareVersions('1.0', '1.0.0.0'), 0);
  assert.equal(compareVersions('1.0+0', '1.0+00'), 0);
});

// ---------------------------------------------------------------------------------------------
// Specifiers (cases from packaging's tests/test_specifiers.py)

test('specifier syntax: valid and invalid clauses', () => {
  for (const s of [
    '~=2.0',
    '==2.1.*',
    '==2.1.0.3',
    '!=2.2.*',
    '!=2.2.0.5',
    '<=5',
    '>=7.9a1',
    '<1.0.dev1',
    '>2.0.post1',
    '===lolwat',
    '< 2',
    '==1.0+AbC',
    '~=1.0a05',
    '>= v1.0',
  ]) {
    assert.ok(tryParseSpecifier(s), s);
  }
  for (const s of [
    '2.0',
    '=>2.0',
    '==',
    '~=1.0+5',
    '>=1.0+deadbeef',
    '<=1.0+abc123',
    '>1.0+watwat',
    '<1.0+1.0',
    '~=1.0.*',
    '>=1.0.*',
    '<=1.0.*',
    '>1.0.*',
    '<1.0.*',
    '==1.0.*+5',
    '!=1.0.*+deadbeef',
    '==2.0a1.*',
    '!=2.0a1.*',
    '==2.0.post1.*',
    '==2.0.dev1.*',
    '==1.0+5.*',
    '==1.0.*.5',
    '~=1',
    '==1.2+\u0130',
    '===',
    '=== a b',
  ]) {
    assert.equal(tryParseSpecifier(s), undefined, s);
    assert.throws(() => parseSpecifier(s), invalidMetadata, s);
  }
  assert.equal(formatSpecifierSet(parseSpecifierSet(' >= 2.0 , < 3 ,, ')), '>=2.0,<3');
  assert.equal(parseSpecifierSet('').specifiers.length, 0);
  assert.throws(() => parseSpecifierSet('>=1,foo'), invalidMetadata);
});

test('specifier containment (prereleases admitted, as packaging tests them)', () => {
  const yes: Array<[string, string]> = [
    ['2.0', '==2'],
    ['2.0', '==2.0.0'],
    ['2.0+deadbeef', '==2'],
    ['2.0+deadbeef', '==2.0.0+deadbeef'],
    ['2.0+deadbeef.0', '==2.0.0+deadbeef.00'],
    ['2.dev1', '==2.*'],
    ['2a1.post1', '==2.*'],
    ['2c1.post1.dev1', '==2.0.*'],
    ['2', '==2.0.0.*'],
    ['2', '==0!2.*'],
    ['2.0.0.0', '==2.0.*'],
    ['2.1+local.version', '==2.1.*'],
    ['2.1', '!=2'],
    ['2.0.1', '!=2.0.0'],
    ['2.0', '!=2.0+deadbeef'],
    ['2.1.0.0', '!=2.0.*'],
    ['2.0.post1.dev1', '>=2'],
    ['3.0.0a8', '>=3.0.0a7'],
    ['2.0a1.dev1', '<=2'],
    ['2.0c1.post1.dev1', '<=2'],
    ['2.0.1', '>2'],
    ['2.1.post1', '>2'],
    ['2.1+local.version', '>2'],
    ['2.0.dev0', '<2.1'],
    ['1', '~=1.0'],
    ['1.9999999', '~=1.0'],
    ['1.1', '~=1.0a1'],
    ['2022.01.01', '~=2022.01.01'],
    ['2!1.0', '~=2!1.0'],
    ['2!1.0', '==2!1.*'],
    ['2!1.0.0', '==2!1.0.0.0.*'],
    ['1.0', '<=2!0.1'],
    ['2!1.0', '>2.0'],
    ['2.0.5', '>2.0dev'],
    ['1.0+local', '>1.0.dev1'],
    ['1.0a2+local', '>1.0a1'],
    ['1.0.post1.dev2+local', '>1.0.post1.dev1'],
    ['1.0.post0', '>1.0.dev1'],
    ['1.0.post0', '>1.0rc1'],
    ['1.0a2.post0', '>1.0a1'],
    ['1.0a1', '<1.0.post1'],
    ['1.0.post0.dev0', '<1.0.post1'],
    ['1.0+local', '<1.0.post1'],
    ['1.4.3.post1', '~=1.4.2'],
    ['1.4.3+local', '~=1.4.2'],
  ];
  const no: Array<[string, string]> = [
    ['2.1', '==2.0.0'],
    ['2.0', '==2.0+deadbeef'],
    ['2.1.0.0', '==2.0.*'],
    ['3', '==2.0.0.*'],
    ['2.0+deadbeef', '!=2.0.0+deadbeef'],
    ['2c1.post1.dev1', '!=2.0.*'],
    ['2.0rc1', '>=2'],
    ['2.0.post1.dev1', '<=2'],
    ['2.0.dev1', '>2'],
    ['2.0.post1', '>2'],
    ['2.0+local.version', '>2'],
    ['4.1.0a2.dev1234+local', '>4.1.0a2.dev1234'],
    ['1.0a1+local', '>1.0a1'],
    ['1.0.post1+local', '>1.0.post1'],
    ['1.0a1.post0', '>1.0a1'],
    ['2.0.dev1', '<2'],
    ['2.0b2.dev1', '<2'],
    ['2.0c1.post1.dev1', '<2'],
    ['2.post1', '<2'],
    ['1.0.post1.dev0', '<1.0.post1'],
    ['2.0', '~=1.0'],
    ['1.1.0', '~=1.0.0'],
    ['1.1.post1', '~=1.0.0'],
    ['1.4.1.post1', '~=1.4.2'],
    ['1.5.0a1', '~=1.4.2'],
    ['1.0', '~=2!1.0'],
    ['2!1.0', '==1.0.0.*'],
    ['2!1.0', '!=2!1.0'],
    ['not a valid version', '>=1.0'],
    ['not a valid version', '!=1.0'],
  ];
  for (const [v, s] of yes) assert.equal(specifierContains(parseSpecifier(s), v, { prereleases: true }), true, `${v} in ${s}`);
  for (const [v, s] of no) assert.equal(specifierContains(parseSpecifier(s), v, { prereleases: true }), false, `${v} not in ${s}`);
});

test('specifier containment: === compares the string as written, case-insensitively', () => {
  assert.equal(specifierContains('===1.0', '1.0'), true);
  assert.equal(specifierContains('===1.0', '1.0.0'), false);
  assert.equal(specifierContains('===1.0', '1.0+downstream1'), false);
  assert.equal(specifierContains('===foobar', 'FooBar'), true);
  assert.equal(specifierContains('===1.01', '1.1'), false);
  assert.equal(specifierContains('===1.1', parseVersion('1.01')), true); // a Version is compared in its normal form
});

test('specifier containment: default pre-release rule (packaging <= 24)', () => {
  // excluded unless a clause names a pre-release or prereleases is passed
  assert.equal(specifierContains('>=1.0', '2.0a1'), false);
  assert.equal(specifierContains('>=1.0', '2.0a1', { prereleases: true }), true);
  assert.equal(specifierContains('>=1.0.dev1', '2.0a1'), true);
  assert.equal(specifierContains('>=1.0.dev1', '2.0a1', { prereleases: false }), false);
  assert.equal(specifierContains('==2.0.*', '2.0.dev1'), false);
  assert.equal(specifierContains('!=1.0.dev1', '0.9.dev1'), false);
  assert.equal(specifierContains('', '1.0'), true);
  assert.equal(specifierContains('', '1.0rc1'), false);
  assert.equal(specifierContains('', '1.0rc1', { prereleases: true }), true);
  assert.equal(specifierContains('>=3.8, <4, !=3.9.*', '3.9.1'), false);
  assert.equal(specifierContains('>=3.8, <4, !=3.9.*', '3.11.2'), true);
  assert.equal(specifierContains('>=3.12', '3.12.0rc1', { prereleases: true }), false);
  assert.equal(specifierContains('>=3.12.0rc1', '3.12.0rc2'), true);
  assert.equal(specifierContains('>=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*', '3.11.2', { prereleases: true }), true);
});
