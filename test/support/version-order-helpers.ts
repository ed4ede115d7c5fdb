/**
 * Shared by version-order.test.ts and version-relations.test.ts: the seeded random versions,
 * dpkg's Perl and APT/RPM's Python comparisons run once per batch, and the order check.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { compareDebianVersions } from '../../src/deps/debversion.js';
import { spellRelease, toDebianVersion, toRpmVersion, type ReleaseSpelling } from '../../src/python/distro-version.js';
import { parseVersion } from '../../src/python/pep440.js';
import { SYSTEM_PATH } from '../support/project.js';
import { expectedSpellingOrder } from '../support/versions.js';

export const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

// ---------------------------------------------------------------------------------------------
// a tiny seeded generator (mulberry32): the same versions on every run

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomVersion(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const small = (): number => pick([0, 0, 1, 1, 2, 3, 9, 10, 11, 20]);
  let s = r() < 0.08 ? `${pick([1, 2])}!` : '';
  const n = 1 + Math.floor(r() * 4);
  s += Array.from({ length: n }, (_, i) => (i === 0 ? pick([0, 1, 2, 10]) : small())).join('.');
  if (r() < 0.3) s += `${pick(['a', 'b', 'rc'])}${small()}`;
  if (r() < 0.2) s += `.post${small()}`;
  if (r() < 0.2) s += `.dev${small()}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// the tools, one process each

export async function dpkgPerl(pairs: Array<[string, string]>): Promise<number[]> {
  const r = await execa('/usr/bin/perl', ['-MDpkg::Version', '-ne', 'chomp; my ($a, $b) = split / /; print version_compare($a, $b) <=> 0, "\\n";'], {
    env,
    extendEnv: false,
    input: pairs.map((p) => p.join(' ')).join('\n') + '\n',
  });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

export async function python(script: string, input: unknown): Promise<unknown> {
  const r = await execa('/usr/bin/python3', ['-c', script], { env, extendEnv: false, input: JSON.stringify(input), maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(r.stdout);
}

export const APT_COMPARE =
  'import apt_pkg,json,sys\napt_pkg.init()\nprint(json.dumps([(lambda c: (c>0)-(c<0))(apt_pkg.version_compare(a,b)) for a,b in json.load(sys.stdin)]))';
export const RPM_COMPARE = 'import rpm,json,sys\nprint(json.dumps([rpm.labelCompare(tuple(a),tuple(b)) for a,b in json.load(sys.stdin)]))';

export type RpmEvr = [string | null, string, string];
export function rpmEvr(v: string, release: ReleaseSpelling = 'written'): RpmEvr {
  const t = toRpmVersion(v, { release });
  return [t.epoch !== undefined ? String(t.epoch) : null, t.version, '1'];
}

/** release components each format's package version writes */
export const debLen = (v: string): number => spellRelease(parseVersion(v).release, 'upstream').length;
export const rpmLen = (v: string): number => spellRelease(parseVersion(v).release, 'written').length;

export interface Case {
  a: string;
  b: string;
  /** PEP 440's order */
  expected: number;
}

/** The package versions py2pkg writes, compared by the tools: PEP 440 order, or the longer spelling higher. */
export async function checkOrder(cases: Case[]): Promise<{ failures: string[]; byLength: number }> {
  const deb = cases.map((c): [string, string] => [`${toDebianVersion(c.a)}-1`, `${toDebianVersion(c.b)}-1`]);
  const [perl, apt, rpmRes] = await Promise.all([
    dpkgPerl(deb),
    python(APT_COMPARE, deb) as Promise<number[]>,
    python(
      RPM_COMPARE,
      cases.map((c) => [rpmEvr(c.a), rpmEvr(c.b)]),
    ) as Promise<number[]>,
  ]);
  assert.equal(perl.length, cases.length, 'perl answered for every pair');
  const failures: string[] = [];
  let byLength = 0;
  cases.forEach((c, i) => {
    const [da, db] = deb[i] as [string, string];
    const wantDeb = expectedSpellingOrder(c.a, c.b, debLen);
    const wantRpm = expectedSpellingOrder(c.a, c.b, rpmLen);
    if (wantDeb !== c.expected || wantRpm !== c.expected) byLength++;
    if (perl[i] !== wantDeb) failures.push(`Dpkg::Version ${da} vs ${db}: ${perl[i]}, expected ${wantDeb} (PEP 440 ${c.a} vs ${c.b}: ${c.expected})`);
    if (apt[i] !== wantDeb) failures.push(`apt_pkg ${da} vs ${db}: ${apt[i]}, expected ${wantDeb}`);
    if (rpmRes[i] !== wantRpm)
      failures.push(
        `rpm.labelCompare ${JSON.stringify(rpmEvr(c.a))} vs ${JSON.stringify(rpmEvr(c.b))}: ${rpmRes[i]}, expected ${wantRpm} (PEP 440: ${c.expected})`,
      );
    // py2pkg's own port must agree with the tools too (it decides satisfiability at conversion time)
    if (compareDebianVersions(da, db) !== wantDeb) failures.push(`src/deps/debversion.ts ${da} vs ${db}: ${compareDebianVersions(da, db)}`);
  });
  return { failures, byLength };
}
