/**
 * Proof that py2pkg's version translations keep PEP 440's order, judged by the tools that
 * decide installs, each run ONCE over a batch of comparisons:
 *   - dpkg's comparison: Dpkg::Version (libdpkg-perl, dpkg's own implementation for its Perl
 *     tools) in one perl process, and APT's apt_pkg.version_compare in one python3 process
 *     (APT is what resolves Depends);
 *   - RPM's: rpm.labelCompare (python3-rpm, librpm's rpmvercmp) in one python3 process.
 * Package versions keep the release as upstream wrote it (six 1.16.0 -> 1.16.0-1): two
 * spellings of one release with a different number of components are ordered by length (the
 * longer higher, test/support/versions.ts), everything else in PEP 440's order.
 * Inputs: every pair of ../shared/vectors/versions/pairs.tsv (read from ../shared, skipped
 * without it; pairs with a local label: the translations must refuse them, py2pkg never writes
 * local versions) and random PEP 440 versions from a small seeded generator; padded/unpadded
 * pairs also through the real `dpkg --compare-versions` and `rpm.vercmp` of rpm's own Lua.
 * Upgrades: the new spelling is never below the one py2pkg wrote before (trailing zeros
 * stripped). The relations built on these versions: version-relations.test.ts.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { test } from 'node:test';
import { toDebianVersion, toRpmVersion } from '../../src/python/distro-version.js';
import { compareVersions, formatVersion, parseVersion } from '../../src/python/pep440.js';
import { noVectors, readTsv } from '../support/vectors.js';
import { env, rng, randomVersion, dpkgPerl, python, APT_COMPARE, RPM_COMPARE, RpmEvr, rpmEvr, Case, checkOrder } from '../support/version-order-helpers.js';

test('every vector pair keeps its PEP 440 order under dpkg (Dpkg::Version, apt_pkg) and rpm (labelCompare)', { skip: noVectors }, async () => {
  const rows = readTsv('versions/pairs.tsv');
  const cases: Case[] = [];
  let refused = 0;
  for (const row of rows) {
    const a = row.a_normalized as string;
    const b = row.b_normalized as string;
    if (parseVersion(a).local || parseVersion(b).local) {
      // py2pkg refuses local versions (+ubuntu1): a released package must not carry one
      const local = parseVersion(a).local ? a : b;
      assert.throws(() => toDebianVersion(local), /local label/);
      assert.throws(() => toRpmVersion(local), /local label/);
      refused++;
      continue;
    }
    cases.push({ a, b, expected: Number(row.expected_cmp) });
  }
  const { failures, byLength } = await checkOrder(cases);
  console.log(
    `# ${cases.length} pairs compared by 3 tools (+ py2pkg's port), ${byLength} of them two spellings of one release (longer higher), ${refused} pairs with a local label refused; ${failures.length} failures`,
  );
  assert.ok(byLength > 20);
  assert.equal(cases.length + refused, rows.length);
  assert.deepEqual(failures, []);
});

test('property: random PEP 440 versions keep their order under dpkg and rpm (seeded)', async () => {
  const r = rng(20261126);
  const versions = Array.from({ length: 400 }, () => randomVersion(r));
  const cases: Case[] = [];
  for (let i = 0; i < 3000; i++) {
    const a = versions[Math.floor(r() * versions.length)] as string;
    const b = versions[Math.floor(r() * versions.length)] as string;
    cases.push({ a, b, expected: compareVersions(a, b) });
  }
  // neighbours in PEP 440 order, where mistakes hide
  const sorted = [...new Set(versions.map((v) => formatVersion(parseVersion(v))))].sort((x, y) => compareVersions(x, y));
  for (let i = 1; i < sorted.length; i++)
    cases.push({ a: sorted[i - 1] as string, b: sorted[i] as string, expected: compareVersions(sorted[i - 1] as string, sorted[i] as string) });
  const { failures, byLength } = await checkOrder(cases);
  console.log(
    `# ${cases.length} random pairs (${sorted.length} distinct versions, ${byLength} pairs of spellings of one release), ${failures.length} failures`,
  );
  assert.deepEqual(failures.slice(0, 20), []);
});

test(
  'upgrades: a version never sorts below the spelling py2pkg wrote before (trailing zeros stripped), in dpkg, apt and rpm',
  { skip: noVectors },
  async () => {
    const r = rng(1216);
    const versions = new Set<string>();
    for (const row of readTsv('versions/versions.tsv')) if (row.valid === 'true' && !row.local) versions.add(row.normalized as string);
    for (let i = 0; i < 400; i++) versions.add(formatVersion(parseVersion(randomVersion(r))));
    const list = [...versions];
    const deb = list.map((v): [string, string] => [`${toDebianVersion(v)}-1`, `${toDebianVersion(v, { release: 'canonical' })}-1`]);
    const rpmPairs = list.map((v) => [rpmEvr(v), rpmEvr(v, 'shortest')]);
    const [perl, apt, rpmRes] = await Promise.all([
      dpkgPerl(deb),
      python(APT_COMPARE, deb) as Promise<number[]>,
      python(RPM_COMPARE, rpmPairs) as Promise<number[]>,
    ]);
    const failures: string[] = [];
    let debNewer = 0;
    let rpmNewer = 0;
    list.forEach((v, i) => {
      const [now, before] = deb[i] as [string, string];
      const want = now === before ? 0 : 1;
      if (perl[i] !== want || apt[i] !== want) failures.push(`deb ${v}: ${now} vs ${before}: dpkg ${perl[i]}, apt ${apt[i]}`);
      const [rn, rb] = rpmPairs[i] as [RpmEvr, RpmEvr];
      const wantRpm = rn[1] === rb[1] ? 0 : 1;
      if (rpmRes[i] !== wantRpm) failures.push(`rpm ${v}: ${rn[1]} vs ${rb[1]}: ${rpmRes[i]}`);
      if (want) debNewer++;
      if (wantRpm) rpmNewer++;
    });
    console.log(`# ${list.length} versions: ${debNewer} Debian and ${rpmNewer} RPM versions now spelled longer than before, each one an upgrade`);
    assert.deepEqual(failures.slice(0, 20), []);
    assert.ok(debNewer > 30 && rpmNewer > 100, `${debNewer} / ${rpmNewer}`);
  },
);

/** Padded and unpadded spellings side by side: [a, b, dpkg's answer, rpm's answer]. */
const SPELLINGS: Array<[string, string, number, number]> = [
  ['1.16.0-1', '1.16-1', 1, 1], // six 1.16.0: the new package upgrades the one py2pkg built before
  ['2.6.0-1', '2.6-1', 1, 1],
  ['2.0-1', '2-1', 1, 1],
  ['1.16.0', '1.16', 1, 1],
  ['2.0.0~rc1', '2~', 1, 1], // (<< 2~) excludes 2.0.0~rc1 ...
  ['2.0.0', '2~', 1, 1], // ... and 2.0.0
  ['2~rc1', '2~', 1, 1],
  ['1.99.9', '2~', -1, -1], // ... and admits what is below 2
  ['1.16.0', '1.16.0.~', -1, 1], // (<< 1.16.0.~) admits 1.16.0 and 1.16: ==1.16 / <=1.16 (Debian only: rpm sorts `.~` below its prefix)
  ['1.16', '1.16.0.~', -1, -1],
  ['1.16.0.1', '1.16.0.~', 1, 1],
  ['1.16.0~rc1', '1.16', 1, 1], // a pre-release spelled with more zeros sorts above the shorter final
  ['1.0.0', '1.0+post1', 1, 1], // PEP 440 says 1.0.0 < 1.0.post1: a project that changes its spelling loses the order
  ['1.0.0', '1.0^post1', 0, 1],
];

test('padded and unpadded spellings through the real dpkg --compare-versions and rpm.vercmp', async () => {
  const failures: string[] = [];
  for (const [a, b, deb] of SPELLINGS) {
    if (b.includes('^')) continue; // not a Debian version
    const op = deb < 0 ? 'lt' : deb > 0 ? 'gt' : 'eq';
    const r = await execa('/usr/bin/dpkg', ['--compare-versions', a, op, b], { env, extendEnv: false, reject: false });
    if (r.exitCode !== 0) failures.push(`dpkg --compare-versions ${a} ${op} ${b}: false`);
  }
  const lua = `%{lua: for _, p in ipairs({${SPELLINGS.map(([a, b]) => `{"${a}","${b}"}`).join(',')}}) do print(rpm.vercmp(p[1], p[2]) .. ' ') end}`;
  const out = (await execa('/usr/bin/rpm', ['--eval', lua], { env, extendEnv: false })).stdout.trim().split(/\s+/).map(Number);
  assert.equal(out.length, SPELLINGS.length);
  SPELLINGS.forEach(([a, b, , want], i) => {
    if (out[i] !== want) failures.push(`rpm.vercmp(${a}, ${b}) = ${out[i]}, expected ${want}`);
  });
  assert.deepEqual(failures, []);
});

// ---------------------------------------------------------------------------------------------
// relations
