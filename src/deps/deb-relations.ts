/**
 * PEP 440 specifiers -> Debian relations on one package. Pure functions.
 *
 * A Debian package of upstream version V may spell V's release with or without trailing zeros
 * (`2`, `2.0`, `2.0.0`: Debian's python3-six is 1.16.0-4, py2pkg before issue 12 wrote 1.16-1)
 * and carries a revision or a repack suffix (`2.0-1`, `2.0+dfsg-1`). dpkg orders two spellings
 * of one release by length (`2` < `2.0~rc1` < `2.0` < `2.0.0~rc1` < `2.0.0`: after the common
 * part, `.` sorts above `~`, `+` and the end). A bound on a final release is therefore written
 * in the spelling that holds whatever spelling the package uses:
 *   - lower bounds use the shortest spelling (`>=2.0` -> `(>= 2)`), so every spelling of 2.0
 *     satisfies it (`>=1.16` is met by 1.16.0-1 and by 1.16-1);
 *   - bounds just below V end in `~` after the shortest spelling (`<2` -> `(<< 2~)`), which sorts
 *     before every spelling of V and its pre-releases (`2~rc1`, `2.0~rc1`, `2.0.0~rc1`, `2.0.0`);
 *   - bounds just above V end in `.~` after the release padded to three components
 *     (`<=2.0` -> `(<< 2.0.0.~)`, `>2.0` -> `(>> 2.0.0.~)`, `==1.16` -> `(>= 1.16), (<< 1.16.0.~)`):
 *     above `2`, `2.0`, `2.0.0`, any `+dfsg` suffix and any revision, below `2.0.0.1`, `2.0.1`
 *     and `2.1`.
 * A pre-, post- or dev-release bound cannot be: it is written in the spelling py2pkg gives
 * packages (distro-version.ts, `upstream`: the specifier's release as written, at least two
 * components: `>=2.0.0rc1` -> `(>= 2.0.0~rc1)`), exact against a package spelled alike, since a
 * requirement names a pre-release the way its project spells it.
 * Known approximations (test/integration/version-order.test.ts counts them):
 * `<2.1` -> `(<< 2.1~)` admits 2.1's dev releases (`2.1~~dev1`); `>=2.0` -> `(>= 2)` admits
 * pre-releases spelled with the zero (`2.0~rc1`); `<=2.0` and `==2.0` admit 2.0's post releases
 * (`2.0+post1` cannot be told from a repack `2.0+dfsg`); a pre/post/dev bound compares a package
 * that spells the same release with more zeros as greater, one with fewer as smaller.
 * The archive's epoch (Debian 12: python3-django 3:) is put on every bound. `!=` cannot be
 * expressed in Depends (a relation list is an AND of single bounds, and Breaks/Conflicts would
 * forbid the version for every other package too): it is left out with a warning, always.
 */
import { toDebianVersion } from '../python/distro-version.js';
import { formatVersion, type Specifier, type SpecifierSet, type Version } from '../python/pep440.js';

export interface DebBound {
  op: '<<' | '<=' | '=' | '>=' | '>>';
  version: string;
}

export interface TranslatedSpecifier {
  bounds: DebBound[];
  /** clauses left out or changed, for the user (one line each, no package name) */
  notes: string[];
}

function trimZeros(release: bigint[]): bigint[] {
  let n = release.length;
  while (n > 1 && release[n - 1] === 0n) n--;
  return release.slice(0, n);
}

function withRelease(v: Version, release: bigint[]): Version {
  const out: Version = { epoch: 0n, release };
  if (v.pre) out.pre = v.pre;
  if (v.post !== undefined) out.post = v.post;
  if (v.dev !== undefined) out.dev = v.dev;
  return out;
}

/** shortest spelling: trailing zeros dropped (`2.0rc1` -> `2~rc1`) */
function shortest(v: Version): string {
  return toDebianVersion(formatVersion(withRelease(v, trimZeros(v.release))), { release: 'written' });
}

/** longest usual spelling: release padded with zeros to three components (`2` -> `2.0.0`) */
function padded(v: Version): string {
  const r = trimZeros(v.release);
  while (r.length < 3) r.push(0n);
  return toDebianVersion(formatVersion(withRelease(v, r)), { release: 'written' });
}

/** the spelling py2pkg gives packages: as written, at least two components (`2rc1` -> `2.0~rc1`) */
function packageSpelling(v: Version): string {
  return toDebianVersion(formatVersion(withRelease(v, v.release)));
}

/** the prefix of `~=`/`==X.*` with its last component incremented (`1.4` -> `1.5`) */
function bumped(release: bigint[]): Version {
  const r = release.slice();
  r[r.length - 1] = (r[r.length - 1] ?? 0n) + 1n;
  return { epoch: 0n, release: r };
}

const isFinal = (v: Version): boolean => !v.pre && v.post === undefined && v.dev === undefined;

/** the least Debian version of V: every spelling of a final release satisfies `>= 2` */
function lower(v: Version): string {
  return isFinal(v) ? shortest(v) : packageSpelling(v);
}

/** just below V: `2~` sorts before 2, 2.0, 2.0.0 and their pre-releases */
function below(v: Version): string {
  return isFinal(v) ? `${shortest(v)}~` : packageSpelling(v);
}

/** just above V, its revisions and repacks: `2.0.0.~` is above 2, 2.0, 2.0.0, 2.0+dfsg-1 */
function above(v: Version): string {
  return `${isFinal(v) ? padded(v) : packageSpelling(v)}.~`;
}

/** Translate one clause; `epoch` is the Debian epoch the target archive gives the package. */
export function translateSpecifier(spec: Specifier, epoch: bigint): TranslatedSpecifier {
  const notes: string[] = [];
  const text = `${spec.operator}${spec.version}`;
  if (spec.operator === '!=') {
    return { bounds: [], notes: [`${text} left out: Debian relations cannot exclude a version`] };
  }
  let v = spec.parsed;
  if (!v) return { bounds: [], notes: [`${text} left out: arbitrary equality with a string that is not a PEP 440 version`] };
  if (v.local) {
    notes.push(`${text}: the local label +${v.local.join('.')} is ignored`);
    const { local: _local, ...pub } = v;
    v = pub;
  }
  const pepEpoch = v.epoch;
  const e = epoch !== 0n ? epoch : pepEpoch;
  if (epoch !== 0n && pepEpoch !== 0n && epoch !== pepEpoch) {
    notes.push(`${text}: the archive's Debian epoch ${epoch} is used, not the PEP 440 epoch ${pepEpoch}`);
  }
  v = { ...v, epoch: 0n };
  const ep = (s: string): string => (e !== 0n ? `${e}:${s}` : s);
  const b = (op: DebBound['op'], s: string): DebBound => ({ op, version: ep(s) });

  switch (spec.operator) {
    case '>=':
      return { bounds: [b('>=', lower(v))], notes };
    case '>':
      return { bounds: [b('>>', above(v))], notes };
    case '<':
      return { bounds: [b('<<', below(v))], notes };
    case '<=':
      return { bounds: [b('<<', above(v))], notes };
    case '===':
      notes.push(`${text}: arbitrary equality written as ==${formatVersion(v)}`);
      return { bounds: [b('>=', lower(v)), b('<<', above(v))], notes };
    case '==': {
      if (spec.wildcard) {
        const from: Version = { epoch: 0n, release: v.release };
        return { bounds: [b('>=', `${shortest(from)}~`), b('<<', below(bumped(v.release)))], notes };
      }
      return { bounds: [b('>=', lower(v)), b('<<', above(v))], notes };
    }
    case '~=': {
      // ~=V.N means >=V.N, ==V.*  (the last release component dropped, the one before bumped)
      const prefix = v.release.slice(0, -1);
      return { bounds: [b('>=', lower(v)), b('<<', below(bumped(prefix)))], notes };
    }
  }
}

/** Translate a whole set, clause by clause (the clauses are ANDed, as Depends entries are). */
export function translateSpecifierSet(set: SpecifierSet, epoch: bigint): TranslatedSpecifier {
  const bounds: DebBound[] = [];
  const notes: string[] = [];
  for (const s of set.specifiers) {
    const t = translateSpecifier(s, epoch);
    for (const x of t.bounds) if (!bounds.some((y) => y.op === x.op && y.version === x.version)) bounds.push(x);
    notes.push(...t.notes);
  }
  // lower bounds first, then upper ones: `(>= 2), (<< 3~)` (stable otherwise)
  const rank = (b: DebBound): number => (b.op === '>=' || b.op === '>>' ? 0 : b.op === '=' ? 1 : 2);
  return {
    bounds: bounds
      .map((b, i) => ({ b, i }))
      .sort((x, y) => rank(x.b) - rank(y.b) || x.i - y.i)
      .map((x) => x.b),
    notes,
  };
}

/** `pkg (op version)` for each bound, or the bare name when there is none. */
export function relationStrings(pkg: string, bounds: DebBound[]): string[] {
  if (bounds.length === 0) return [pkg];
  return bounds.map((x) => `${pkg} (${x.op} ${x.version})`);
}
