/**
 * Debian version comparison (dpkg's verrevcmp, lib/dpkg/version.c) and relation checks, so
 * py2pkg can tell whether a target archive's version satisfies a relation it writes. Pure
 * functions; test/integration/version-order.test.ts checks them against dpkg's own code.
 */

export interface DebVersion {
  epoch: bigint;
  upstream: string;
  revision: string;
}

export type DebRelationOp = '<<' | '<=' | '=' | '>=' | '>>';

const VERSION_RE = /^(?:([0-9]+):)?([0-9][A-Za-z0-9.+~-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

export function isDebianVersion(v: string): boolean {
  return VERSION_RE.test(v);
}

/** Split `[epoch:]upstream[-revision]`; undefined when it is not a Debian version. */
export function parseDebianVersion(v: string): DebVersion | undefined {
  const m = VERSION_RE.exec(v);
  if (!m) return undefined;
  return { epoch: BigInt(m[1] ?? '0'), upstream: m[2] as string, revision: m[3] ?? '' };
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** dpkg's verrevcmp on one part (upstream or revision). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** -1, 0, 1 as dpkg --compare-versions orders a and b; throws on a string that is not a version. */
export function compareDebianVersions(a: string | DebVersion, b: string | DebVersion): -1 | 0 | 1 {
  const pa = typeof a === 'string' ? parseDebianVersion(a) : a;
  const pb = typeof b === 'string' ? parseDebianVersion(b) : b;
  if (!pa || !pb) throw new Error(`not a Debian version: ${JSON.stringify(pa ? b : a)}`);
  if (pa.epoch !== pb.epoch) return pa.epoch < pb.epoch ? -1 : 1;
  const c = verrevcmp(pa.upstream, pb.upstream) || verrevcmp(pa.revision, pb.revision);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** Does `version` satisfy `(op bound)` as dpkg and apt read a relation? */
export function satisfiesRelation(version: string, op: DebRelationOp, bound: string): boolean {
  const c = compareDebianVersions(version, bound);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}

/** The epoch of a Debian version string (0 when it has none). */
export function debianEpoch(v: string): bigint {
  return parseDebianVersion(v)?.epoch ?? 0n;
}
