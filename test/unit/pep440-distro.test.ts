/**
 * PEP 440 versions translated to Debian and RPM versions, checked against ports of dpkg's verrevcmp and rpm's rpmvercmp.
 */
// Vectors are read at run time from ../shared/vectors, the sibling of the repository root
// (/work/main -> /work/shared). This file runs from dist/test/unit/, three levels
// below the repository root, hence '../../../../shared/vectors/'. The tests skip when the
// directory is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseVersion, type Version } from '../../src/python/pep440.js';
import { toDebianVersion, toRpmDistVersion, toRpmVersion } from '../../src/python/distro-version.js';
import { invalidMetadata, noVectors, readTsv, VECTORS } from '../support/vectors.js';

// ---------------------------------------------------------------------------------------------
// Distribution versions

test('toDebianVersion: translations by value (the release as upstream wrote it)', () => {
  const cases: Array<[string, string]> = [
    ['1.0', '1.0'],
    ['1.0.0', '1.0.0'],
    ['1.16.0', '1.16.0'],
    ['2', '2.0'],
    ['1.2.0.0', '1.2.0.0'],
    ['2.0.0rc1', '2.0.0~rc1'],
    ['1.0.0.post1', '1.0.0+post1'],
    ['1!2.0', '1:2.0'],
    ['0!2.0', '2.0'],
    ['1.0rc1', '1.0~rc1'],
    ['1.0a1', '1.0~a1'],
    ['1.0b2', '1.0~b2'],
    ['1.0rc1.dev2', '1.0~rc1~dev2'],
    ['1.0.dev3', '1.0~~dev3'],
    ['1.0.post1', '1.0+post1'],
    ['1.0.post1.dev2', '1.0+post1~dev2'],
    ['1.0rc1.post1', '1.0~rc1+post1'],
    ['2024.1.15', '2024.1.15'],
    ['V1.0-ALPHA', '1.0~a0'],
  ];
  for (const [v, deb] of cases) assert.equal(toDebianVersion(v), deb, v);
  assert.equal(toDebianVersion('1.0.0rc1', { release: 'shortest' }), '1~rc1');
  assert.equal(toDebianVersion('0.0', { release: 'shortest' }), '0');
  assert.equal(toDebianVersion('2', { release: 'written' }), '2');
  assert.equal(toDebianVersion('1.16.0', { release: 'canonical' }), '1.16');
  assert.equal(toDebianVersion('2', { release: 'canonical' }), '2.0');
  assert.throws(() => toDebianVersion('1.0+abc'), invalidMetadata);
  assert.throws(() => toDebianVersion('not a version'), invalidMetadata);
  assert.throws(() => toDebianVersion('2147483648!1.0'), invalidMetadata);
  assert.equal(toDebianVersion('2147483647!1.0'), '2147483647:1.0');
});

test('toRpmVersion (the package, release as written) and toRpmDistVersion (python3dist, Fedora scheme): by value', () => {
  assert.deepEqual(toRpmVersion('1.0'), { version: '1.0' });
  assert.deepEqual(toRpmVersion('1.16.0'), { version: '1.16.0' });
  assert.deepEqual(toRpmVersion('2'), { version: '2' });
  assert.deepEqual(toRpmVersion('1!2.0'), { epoch: 1, version: '2.0' });
  assert.deepEqual(toRpmVersion('2.0.0rc1'), { version: '2.0.0~rc1' });
  assert.deepEqual(toRpmVersion('1.0.0.post1'), { version: '1.0.0^post1' });
  assert.deepEqual(toRpmDistVersion('1.0'), { version: '1' });
  assert.deepEqual(toRpmDistVersion('2.4.0'), { version: '2.4' });
  assert.deepEqual(toRpmDistVersion('0.0'), { version: '0' });
  assert.deepEqual(toRpmDistVersion('1!2.0'), { epoch: 1, version: '2' });
  assert.deepEqual(toRpmDistVersion('1.0rc1'), { version: '1~rc1' });
  assert.deepEqual(toRpmDistVersion('1.0.0.dev7'), { version: '1~~dev7' });
  assert.deepEqual(toRpmDistVersion('2.0.post1'), { version: '2^post1' });
  assert.deepEqual(toRpmDistVersion('1.0rc1.dev2'), { version: '1~rc1~dev2' });
  assert.deepEqual(toRpmDistVersion('1.0.post1.dev2'), { version: '1^post1~dev2' });
  assert.deepEqual(toRpmDistVersion('1.0rc1.post1'), { version: '1~rc1^post1' });
  assert.throws(() => toRpmVersion('1.0+local'), invalidMetadata);
  assert.throws(() => toRpmDistVersion('1.0+local'), invalidMetadata);
});

test('toRpmDistVersion agrees with python-rpm-packaging test-data.yaml for plain =, <, <=, >, >= requirements', { skip: noVectors }, () => {
  const dir = 'debian-names/rpm-pythondistdeps/';
  const reqs = new Map<string, { op: string; version: string }>();
  for (const line of readFileSync(VECTORS + dir + 'pyreq2rpm.requires.txt', 'utf8').split('\n')) {
    const m = /^([A-Za-z0-9_.-]+?)(===|==|<=|>=|<|>)([^,;*\s]+)$/.exec(line.trim());
    if (m && !(m[3] as string).includes('+')) reqs.set(m[1] as string, { op: m[2] as string, version: m[3] as string });
  }
  const yaml = readFileSync(VECTORS + dir + 'test-data.yaml', 'utf8');
  const seen = new Set<string>();
  let checked = 0;
  for (const m of yaml.matchAll(/^\s+python3\.9dist\(([A-Za-z0-9_.-]+)\) (=|<=|>=|<|>) (\S+)$/gm)) {
    const name = m[1] as string;
    const req = reqs.get(name);
    if (!req || seen.has(name)) continue;
    const rpmOp = req.op === '==' || req.op === '===' ? '=' : req.op;
    if (rpmOp !== m[2]) continue; // a rewritten operator (wildcards): not a plain translation
    seen.add(name);
    assert.equal(toRpmDistVersion(req.version).version, m[3], `${name}${req.op}${req.version}`);
    checked++;
  }
  assert.ok(checked >= 55, `only ${checked} checked`);
});

// Ports of dpkg's verrevcmp (lib/dpkg/version.c) and rpm's rpmvercmp (rpmio/rpmvercmp.c), to
// check that the translations keep PEP 440's order. Issue 6 checks them against the real tools.
function dpkgOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}
function dpkgVerrevcmp(a: string, b: string): number {
  const dig = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !dig(a[i])) || (j < b.length && !dig(b[j]))) {
      const ac = dpkgOrder(a[i]);
      const bc = dpkgOrder(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (dig(a[i]) && dig(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (dig(a[i])) return 1;
    if (dig(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}
function debCompare(a: string, b: string): number {
  const split = (v: string): [bigint, string] => {
    const k = v.indexOf(':');
    return k < 0 ? [0n, v] : [BigInt(v.slice(0, k)), v.slice(k + 1)];
  };
  const [ea, ua] = split(a);
  const [eb, ub] = split(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return Math.sign(dpkgVerrevcmp(ua, ub));
}
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  const alnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const alpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !alnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !alnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    const isnum = digit(a[i]);
    const inSeg = isnum ? digit : alpha;
    while (ei < a.length && inSeg(a[ei])) ei++;
    while (ej < b.length && inSeg(b[ej])) ej++;
    if (ej === j) return isnum ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (isnum) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}
function rpmCompare(a: { epoch?: number; version: string }, b: { epoch?: number; version: string }): number {
  const ea = a.epoch ?? 0;
  const eb = b.epoch ?? 0;
  if (ea !== eb) return ea < eb ? -1 : 1;
  return rpmvercmp(a.version, b.version);
}

test('the dpkg and rpm comparison ports behave like the tools on known cases', () => {
  // rpm's own tests/rpmvercmp.at (the ASCII cases)
  const rpmCases: Array<[string, string, number]> = [
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p10', -1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['xyz.4', '8', -1],
    ['2', 'xyz.4', 1],
    ['6.0.rc1', '6.0', 1],
    ['10b2', '10a1', 1],
    ['1.0a', '1.0aa', -1],
    ['10.0001', '10.1', 0],
    ['10.0039', '10.0001', 1],
    ['4.999.9', '5.0', -1],
    ['2.0', '2_0', 0],
    ['a+', 'a_', 0],
    ['_+', '+_', 0],
    ['+', '_', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.0^git2', -1],
    ['1.0^git1', '1.01', -1],
    ['1.0^20160101', '1.0.1', -1],
    ['1.0^20160102', '1.0^20160101^git1', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
    ['1.0^git1', '1.0^git1~pre', 1],
    ['1.0^git1~pre', '1.0^git1', -1],
  ];
  for (const [a, b, r] of rpmCases) assert.equal(rpmvercmp(a, b), r, `rpmvercmp(${a}, ${b})`);
  // checked against dpkg 1.21 --compare-versions
  const debCases: Array<[string, string, number]> = [
    ['1.0', '1.0.0', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~~dev1', '1.0~a1', -1],
    ['1.0~dev1', '1.0~a1', 1],
    ['1.0+post1', '1.0.1', -1],
    ['1.0.post1', '1.0.1', 1],
    ['1:0.1', '2.0', 1],
    ['1.0a', '1.0', 1],
    ['1.0', '1.0+', -1],
    ['0010', '10', 0],
  ];
  for (const [a, b, r] of debCases) assert.equal(debCompare(a, b), r, `dpkg ${a} vs ${b}`);
});

test('pairs.tsv: translated versions keep PEP 440 order in dpkg and rpm', { skip: noVectors }, () => {
  let checked = 0;
  const failures: string[] = [];
  for (const r of readTsv('versions/pairs.tsv')) {
    const a = r.a_normalized as string;
    const b = r.b_normalized as string;
    if (a.includes('+') || b.includes('+')) continue; // local versions are refused
    const exp = Number(r.expected_cmp);
    checked++;
    if (rpmCompare(toRpmDistVersion(a), toRpmDistVersion(b)) !== exp) failures.push(`rpm (python3dist): ${a} vs ${b}`);
    if (debCompare(toDebianVersion(a, { release: 'shortest' }), toDebianVersion(b, { release: 'shortest' })) !== exp) {
      failures.push(`deb (shortest): ${a} vs ${b}`);
    }
    if (debCompare(toDebianVersion(a, { release: 'canonical' }), toDebianVersion(b, { release: 'canonical' })) !== exp)
      failures.push(`deb (canonical): ${a} vs ${b}`);
    // as upstream wrote it: the order holds whenever the two release segments have the same length
    const va: Version = parseVersion(a);
    const vb: Version = parseVersion(b);
    if (va.release.length === vb.release.length) {
      if (debCompare(toDebianVersion(a), toDebianVersion(b)) !== exp) failures.push(`deb: ${a} vs ${b}`);
      if (rpmCompare(toRpmVersion(a), toRpmVersion(b)) !== exp) failures.push(`rpm: ${a} vs ${b}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked > 700);
});
