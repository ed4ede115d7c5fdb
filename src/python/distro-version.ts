/**
 * PEP 440 versions -> Debian and RPM version strings (pure). Each keeps PEP 440's order for
 * versions whose releases are spelled alike; test/integration/version-order.test.ts proves it
 * with dpkg, apt and rpm, and proves that a spelling never sorts below the one py2pkg wrote
 * before (upgrades).
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { parseVersion, trimZeros, type Version } from './pep440.js';

function invalid(what: string, value: string): Py2pkgError {
  return new Py2pkgError('METADATA_INVALID', `${what}: ${singleLine(JSON.stringify(value), 120)}`);
}

const MAX_EPOCH = 2147483647n; // dpkg and rpm keep the epoch in a signed 32-bit int

function forDistro(v: string, what: string): Version {
  const parsed = parseVersion(v);
  if (parsed.local) {
    throw new Py2pkgError('METADATA_INVALID', `the version ${singleLine(v, 60)} has a local label (+…), which a released package must not carry (${what})`);
  }
  if (parsed.epoch > MAX_EPOCH) throw new Py2pkgError('METADATA_INVALID', `the epoch of ${singleLine(v, 60)} is too large for ${what}`);
  return parsed;
}

/**
 * How the release segment is spelled in a distribution version:
 *  - `upstream`: as upstream wrote it (normalized PEP 440: `1.16.0` stays `1.16.0`), a bare
 *    one-component release padded to two (`2` -> `2.0`) because py2pkg wrote `2.0` before;
 *  - `written`: exactly as written (`2` stays `2`);
 *  - `canonical`: what py2pkg wrote before issue 12: trailing zeros dropped, then padded to two
 *    components (`1.16.0` -> `1.16`, `2` -> `2.0`) — kept to prove upgrades from it;
 *  - `shortest`: every trailing zero dropped (`1.0.0` -> `1`), Fedora's python3dist() scheme.
 * dpkg and rpm compare two spellings of one PEP 440 release by length (the longer one is
 * greater: `1.16.0` > `1.16`), so `upstream` is never below `canonical` for the same version.
 */
export type ReleaseSpelling = 'upstream' | 'written' | 'canonical' | 'shortest';

export function spellRelease(release: readonly bigint[], spelling: ReleaseSpelling): bigint[] {
  const r = spelling === 'upstream' || spelling === 'written' ? release.slice() : trimZeros(release);
  const min = spelling === 'upstream' || spelling === 'canonical' ? 2 : 1;
  while (r.length < min) r.push(0n);
  return r;
}

/**
 * The upstream part of a Debian version (`dpkg --compare-versions` keeps PEP 440's order for
 * versions whose releases are spelled with the same number of components):
 *   `N!` -> `N:`; `1.0a1` -> `1.0~a1`; `1.0rc1.dev2` -> `1.0~rc1~dev2`;
 *   `1.0.dev3` -> `1.0~~dev3` (a bare dev release must sort before `1.0~a1`);
 *   `1.0.post1` -> `1.0+post1` (`+` sorts after the end of `1.0` but before `.1`, so
 *   1.0 < 1.0+post1 < 1.0.1, as in PEP 440; `1.0.post1` would sort after `1.0.1`).
 * The release is spelled as upstream wrote it (see ReleaseSpelling): six 1.16.0 -> `1.16.0`,
 * as Debian's own package writes it. Spellings of one release with different lengths are
 * ordered by length (`1.0.0` > `1.0+post1`, `1.0.0~rc1` > `1.0`), which no spelling can avoid;
 * dependency bounds are written to hold whatever the other side's spelling
 * (src/deps/deb-relations.ts). Local versions (`+abc`) are refused with METADATA_INVALID.
 */
export function toDebianVersion(v: string, opts: { release?: ReleaseSpelling } = {}): string {
  const p = forDistro(v, 'a Debian version');
  let s = p.epoch !== 0n ? `${p.epoch}:` : '';
  s += spellRelease(p.release, opts.release ?? 'upstream').join('.');
  if (p.pre) s += `~${p.pre.label}${p.pre.number}`;
  if (p.post !== undefined) s += `+post${p.post}`;
  if (p.dev !== undefined) s += p.pre || p.post !== undefined ? `~dev${p.dev}` : `~~dev${p.dev}`;
  if (!/^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~]*$/.test(s)) throw invalid('cannot be written as a Debian version', v);
  return s;
}

/**
 * An RPM version in Fedora's scheme (python-rpm-packaging's RpmVersion): pre `~rc1`, bare
 * dev `~~dev3`, post `^post1`; dev of a pre/post release becomes `~devN` after it
 * (`1.0rc1.dev2` -> `1.0~rc1~dev2`, `1.0.post1.dev2` -> `1.0^post1~dev2`), which Fedora's
 * script drops. The package's Version keeps the release as upstream wrote it (`written`:
 * six 1.16.0 -> `Version: 1.16.0`, as Fedora's spec files do); the python3dist() provides and
 * requires use the `shortest` spelling, as Fedora's generator writes both sides
 * (toRpmDistVersion). Local versions are refused with METADATA_INVALID.
 */
export function toRpmVersion(v: string, opts: { release?: ReleaseSpelling } = {}): { epoch?: number; version: string } {
  const p = forDistro(v, 'an RPM version');
  let s = spellRelease(p.release, opts.release ?? 'written').join('.');
  if (p.pre) s += `~${p.pre.label}${p.pre.number}`;
  if (p.post !== undefined) s += `^post${p.post}`;
  if (p.dev !== undefined) s += p.pre || p.post !== undefined ? `~dev${p.dev}` : `~~dev${p.dev}`;
  if (!/^[0-9][A-Za-z0-9.+~^]*$/.test(s)) throw invalid('cannot be written as an RPM version', v);
  return p.epoch !== 0n ? { epoch: Number(p.epoch), version: s } : { version: s };
}

/** The version in `python3dist(name) = V` and in requires on it: Fedora's generator drops trailing zeros. */
export function toRpmDistVersion(v: string): { epoch?: number; version: string } {
  return toRpmVersion(v, { release: 'shortest' });
}
