/**
 * The relations py2pkg writes, judged by the tools that decide installs: for random PEP 440
 * specifiers and versions in every spelling (py2pkg's, its earlier one, and as written, as
 * Debian's own packages spell them), whether the Debian relations admit a package version is
 * decided by apt_pkg.check_dep and whether the RPM requires admit a provide by rpm.ds.Compare,
 * each in one python3 process over the whole batch. Both must agree with PEP 440's specifier
 * containment except in the documented cases. The order of the versions themselves:
 * version-order.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateSpecifier } from '../../src/deps/deb-relations.js';
import { rpmClause } from '../../src/deps/rpm-requires.js';
import { spellRelease, toDebianVersion, toRpmDistVersion, type ReleaseSpelling } from '../../src/python/distro-version.js';
import { formatVersion, isPrerelease, parseSpecifier, parseVersion, specifierContains, type Version } from '../../src/python/pep440.js';
import { rng, randomVersion, python } from '../support/version-order-helpers.js';

const OPS = ['>=', '>', '<', '<=', '==', '~=', '==*', '!='] as const;

function randomSpecifier(r: () => number): string {
  const op = OPS[Math.floor(r() * OPS.length)] as (typeof OPS)[number];
  const v = parseVersion(randomVersion(r));
  const base: Version = { epoch: 0n, release: v.release };
  if (op === '==*') return `==${formatVersion(base)}.*`;
  if (op === '~=') {
    const rel = v.release.length < 2 ? [...v.release, 0n] : v.release;
    return `~=${formatVersion({ ...v, epoch: 0n, release: rel })}`;
  }
  return `${op}${formatVersion({ ...v, epoch: 0n })}`;
}

const sameRelease = (x: Version, y: { release: bigint[] }): boolean => {
  const a = x.release.slice();
  const b = y.release.slice();
  while (a.length > 1 && a[a.length - 1] === 0n) a.pop();
  while (b.length > 1 && b[b.length - 1] === 0n) b.pop();
  return a.join('.') === b.join('.');
};
const isFinal = (v: Version): boolean => !v.pre && v.post === undefined && v.dev === undefined;
/** the release a clause's upper end is about: V for <, <=, ==; the bumped prefix for ~= and ==V.* */
function upperRelease(s: ReturnType<typeof parseSpecifier>): bigint[] | undefined {
  const v = s.parsed as Version;
  if (s.operator === '~=') return bump(v.release.slice(0, -1));
  if (s.wildcard) return bump(v.release);
  return undefined;
}

/** release components of a shortest spelling (`2.0` -> 1) */
const shortestLen = (v: Version): number => spellRelease(v.release, 'shortest').length;

/**
 * The documented places where a Debian relation cannot say exactly what the specifier says;
 * `len` is the number of release components of the package's spelling of u.
 */
function debianException(spec: string, u: Version, len: number): string | undefined {
  const s = parseSpecifier(spec);
  const v = s.parsed as Version;
  if (s.operator === '!=') return '!= is left out';
  // (<< 2.1~) admits 2.1's dev releases spelled 2.1~~dev1
  const devOnly = u.dev !== undefined && !u.pre && u.post === undefined;
  if (devOnly && s.operator === '<' && isFinal(v) && sameRelease(u, v)) return 'dev release of V under (<< V~)';
  const up = upperRelease(s);
  if (devOnly && up && sameRelease(u, { release: up })) return 'dev release of V under (<< V~)';
  if (devOnly && s.wildcard && sameRelease(u, v)) return 'dev release of the prefix under (>= V~)';
  // (>= 2) for >=2.0 so that Debian's `2-1` satisfies it: a pre-release spelled with more zeros (2.0~rc1) does too
  if (
    isPrerelease(u) &&
    u.post === undefined &&
    isFinal(v) &&
    sameRelease(u, v) &&
    len > shortestLen(v) &&
    ['>=', '~=', '=='].includes(s.operator) &&
    !s.wildcard
  ) {
    return 'pre-release of V spelled with more zeros under (>= shortest V)';
  }
  // <=V and ==V admit V+post1: a Debian version cannot tell it from a repack V+dfsg
  if (u.post !== undefined && !u.pre && isFinal(v) && sameRelease(u, v) && (s.operator === '<=' || (s.operator === '==' && !s.wildcard)))
    return "V's post-release under (<< V.0.0.~)";
  // just above V is written with three components: a four-component spelling of V sorts above it
  if (isFinal(v) && sameRelease(u, v) && len > 3 && ['<=', '>', '=='].includes(s.operator) && !s.wildcard)
    return 'V spelled with more than three components against (V.0.0.~)';
  // a pre/post/dev bound is exact only against a package that spells its release alike
  if (!isFinal(v) && sameRelease(u, v) && len !== spellRelease(v.release, 'upstream').length)
    return 'pre/post/dev bound against another spelling of its release';
  return undefined;
}

/** Fedora's generator's known approximations (py2pkg writes what it writes). */
function rpmException(spec: string, u: Version): string | undefined {
  const s = parseSpecifier(spec);
  const v = s.parsed as Version;
  // `< 2` admits 2~rc1 and 2~~dev1 (Fedora does not write 2~~)
  if (isPrerelease(u) && u.post === undefined) {
    if (s.operator === '<' && isFinal(v) && sameRelease(u, v)) return "pre/dev release of V under '< V'";
    const up = upperRelease(s);
    if (up && sameRelease(u, { release: up })) return "pre/dev release of V under '< V'";
  }
  // `> 2` admits 2^post1
  if (
    u.post !== undefined &&
    s.operator === '>' &&
    v.post === undefined &&
    sameRelease(u, v) &&
    (u.pre?.label ?? '') === (v.pre?.label ?? '') &&
    u.pre?.number === v.pre?.number
  ) {
    return "post-release of V under '> V'";
  }
  return undefined;
}

function bump(release: bigint[]): bigint[] {
  const r = release.slice();
  r[r.length - 1] = (r[r.length - 1] ?? 0n) + 1n;
  return r;
}

test('property: Debian relations and RPM requires admit what the specifier admits (apt_pkg.check_dep, rpm.ds)', async () => {
  const r = rng(4401);
  // a pre-release is admitted by default only when the specifier names one; pip installs one
  // when asked: a relation may answer either way for it
  // each candidate is tried in the spellings a Debian package of it may have: py2pkg's
  // (upstream), py2pkg's before issue 12 (canonical), and as written (Debian's own packages)
  const SPELL: ReleaseSpelling[] = ['upstream', 'canonical', 'written'];
  type Row = { spec: string; u: string; expected: boolean[]; deb: Array<Array<[string, string, string]>>; rpm: string[] };
  const rows: Row[] = [];
  for (let i = 0; i < 1500; i++) {
    const spec = randomSpecifier(r);
    const s = parseSpecifier(spec);
    // candidates: random, and near the bound (the bound itself, its pre/post/dev neighbours)
    const v = s.parsed as Version;
    const base = formatVersion({ epoch: 0n, release: v.release });
    const padded = `${base}.0`;
    const short = formatVersion({ epoch: 0n, release: spellRelease(v.release, 'shortest') });
    const near = [
      formatVersion(v),
      `${base}rc1`,
      `${base}.post1`,
      `${base}.dev1`,
      `${base}.0.1`,
      padded,
      `${padded}.0`,
      short,
      `${padded}rc1`,
      `${short}rc1`,
      `${padded}.post1`,
      `${short}.dev1`,
    ];
    const u = r() < 0.5 ? (near[Math.floor(r() * near.length)] as string) : randomVersion(r).replace(/^\d+!/, '');
    const expected = [specifierContains(s, u), specifierContains(s, u, { prereleases: true })];
    const bounds = translateSpecifier(s, 0n).bounds;
    const deb = SPELL.map((release) => bounds.map((b): [string, string, string] => [`${toDebianVersion(u, { release })}-1`, b.op, b.version]));
    rows.push({ spec, u, expected, deb, rpm: [rpmClause('python3dist(x)', s)] });
  }
  const debTriples = rows.flatMap((row) => row.deb.flat());
  const debResults = (await python(
    'import apt_pkg,json,sys\napt_pkg.init()\nprint(json.dumps([apt_pkg.check_dep(v,o,b) for v,o,b in json.load(sys.stdin)]))',
    debTriples,
  )) as boolean[];
  // rpm: evaluate the rich dependency with rpm.ds for each simple term; `with` is and, `or` is or
  const RPM_EVAL = `
import rpm,json,sys,re
FL={'<':rpm.RPMSENSE_LESS,'<=':rpm.RPMSENSE_LESS|rpm.RPMSENSE_EQUAL,'=':rpm.RPMSENSE_EQUAL,'>=':rpm.RPMSENSE_GREATER|rpm.RPMSENSE_EQUAL,'>':rpm.RPMSENSE_GREATER}
def term(t, prov):
    m=re.fullmatch(r'(\\S+) (<=|>=|<|>|=) (\\S+)', t.strip())
    req=rpm.ds((m.group(1), FL[m.group(2)], m.group(3)), rpm.RPMTAG_REQUIRENAME)
    return bool(req.Compare(prov))
def ev(s, prov):
    s=s.strip()
    if s.startswith('(') and s.endswith(')'): s=s[1:-1]
    if ' or ' in s: return any(ev(x, prov) for x in s.split(' or '))
    if ' with ' in s: return all(ev(x, prov) for x in s.split(' with '))
    return term(s, prov)
out=[]
for dep, evr in json.load(sys.stdin):
    prov=rpm.ds(('python3dist(x)', rpm.RPMSENSE_EQUAL, evr), rpm.RPMTAG_PROVIDENAME)
    out.append(ev(dep, prov))
print(json.dumps(out))`;
  const rpmInput = rows.map((row) => {
    const t = toRpmDistVersion(row.u);
    return [row.rpm[0], t.epoch !== undefined ? `${t.epoch}:${t.version}` : t.version];
  });
  const rpmResults = (await python(RPM_EVAL, rpmInput)) as boolean[];
  let k = 0;
  const failures: string[] = [];
  const exceptions = new Map<string, number>();
  const rpmExceptions = new Map<string, number>();
  let exact = 0;
  let debChecks = 0;
  rows.forEach((row, i) => {
    let ok = true;
    row.deb.forEach((triples, j) => {
      const n = triples.length;
      const admitted = debResults.slice(k, k + n).every(Boolean);
      k += n;
      debChecks++;
      if (row.expected.includes(admitted)) return;
      ok = false;
      const u = parseVersion(row.u);
      const why = debianException(row.spec, u, spellRelease(u.release, SPELL[j] as ReleaseSpelling).length);
      if (why) exceptions.set(why, (exceptions.get(why) ?? 0) + 1);
      else
        failures.push(
          `deb: ${row.spec} vs ${row.u} spelled ${triples[0]?.[0] ?? toDebianVersion(row.u, { release: SPELL[j] as ReleaseSpelling })}: PEP 440 ${String(row.expected)}, apt ${String(admitted)} (${triples.map((d) => `${d[1]} ${d[2]}`).join(', ')})`,
        );
    });
    if (!row.expected.includes(rpmResults[i] as boolean)) {
      ok = false;
      const why = rpmException(row.spec, parseVersion(row.u));
      if (why) rpmExceptions.set(why, (rpmExceptions.get(why) ?? 0) + 1);
      else failures.push(`rpm: ${row.spec} vs ${row.u}: PEP 440 ${String(row.expected)}, rpm ${String(rpmResults[i])} (${row.rpm[0]})`);
    }
    if (ok) exact++;
  });
  assert.equal(k, debResults.length);
  console.log(
    `# ${rows.length} (specifier, version) cases (${debChecks} Debian spellings), ${exact} exact in both formats; documented approximations: Debian ${JSON.stringify(Object.fromEntries(exceptions))}, RPM ${JSON.stringify(Object.fromEntries(rpmExceptions))}`,
  );
  assert.deepEqual(failures.slice(0, 30), []);
});
