/** What the version tests expect of py2pkg's Debian and RPM spellings (src/python/distro-version.ts). */
import { compareVersions, parseVersion, trimZeros } from '../../src/python/pep440.js';

/**
 * The order dpkg and rpm give two translated versions: PEP 440's, unless both spell the same
 * release (same epoch, equal without trailing zeros) with a different number of components —
 * then the longer spelling is the higher (`1.16.0` > `1.16`, `2.0.0~rc1` > `2.0`). `len` is the
 * number of release components the translation writes for a version.
 */
export function expectedSpellingOrder(a: string, b: string, len: (v: string) => number): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  const same = va.epoch === vb.epoch && trimZeros(va.release).join('.') === trimZeros(vb.release).join('.');
  if (same && len(a) !== len(b)) return len(a) < len(b) ? -1 : 1;
  return compareVersions(a, b);
}
