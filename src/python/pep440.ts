/**
 * PEP 440 versions and specifiers, following packaging's behaviour (`packaging.version`,
 * `packaging.specifiers`); the translations into Debian and RPM version strings are in
 * distro-version.ts. Every function here is pure. Numbers are bigint: version components have no size limit.
 */
import { Py2pkgError, singleLine } from '../errors.js';

export type PreLabel = 'a' | 'b' | 'rc';

export interface Version {
  epoch: bigint;
  /** release segment as written (trailing zeros kept: `1.0.0` has three components) */
  release: bigint[];
  pre?: { label: PreLabel; number: bigint };
  post?: bigint;
  dev?: bigint;
  /** normalized local label parts: lower case, numeric parts without leading zeros */
  local?: string[];
}

// The regex of PEP 440's appendix / packaging.version.VERSION_PATTERN (case-insensitive).
const VERSION_BODY =
  'v?' +
  '(?:(?<epoch>[0-9]+)!)?' +
  '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
  '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
  '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
  '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
  '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?';
const VERSION_RE = new RegExp(`^\\s*${VERSION_BODY}\\s*$`, 'i');

function invalid(what: string, value: string): Py2pkgError {
  return new Py2pkgError('METADATA_INVALID', `${what}: ${singleLine(JSON.stringify(value), 120)}`);
}

function preLabel(l: string): PreLabel {
  const s = l.toLowerCase();
  if (s === 'a' || s === 'alpha') return 'a';
  if (s === 'b' || s === 'beta') return 'b';
  return 'rc'; // c, rc, pre, preview
}

/** Parse a PEP 440 version (any permitted spelling); undefined when it is not one. */
export function tryParseVersion(text: string): Version | undefined {
  const m = VERSION_RE.exec(text);
  if (!m?.groups) return undefined;
  const g = m.groups;
  const v: Version = {
    epoch: g.epoch === undefined ? 0n : BigInt(g.epoch),
    release: (g.release ?? '').split('.').map((x) => BigInt(x)),
  };
  if (g.pre !== undefined && g.pre_l !== undefined) v.pre = { label: preLabel(g.pre_l), number: BigInt(g.pre_n ?? '0') };
  if (g.post !== undefined) v.post = BigInt(g.post_n1 ?? g.post_n2 ?? '0');
  if (g.dev !== undefined) v.dev = BigInt(g.dev_n ?? '0');
  if (g.local !== undefined) {
    v.local = g.local
      .toLowerCase()
      .split(/[-_.]/)
      .map((p) => (/^[0-9]+$/.test(p) ? BigInt(p).toString() : p));
  }
  return v;
}

/** Parse a PEP 440 version; throws METADATA_INVALID when it is not one. */
export function parseVersion(text: string): Version {
  const v = tryParseVersion(text);
  if (!v) throw invalid('not a valid PEP 440 version', text);
  return v;
}

export function isValidVersion(text: string): boolean {
  return VERSION_RE.test(text);
}

/** The normal form (`str(packaging.version.Version(s))`). */
export function formatVersion(v: Version): string {
  let s = v.epoch !== 0n ? `${v.epoch}!` : '';
  s += v.release.join('.');
  if (v.pre) s += `${v.pre.label}${v.pre.number}`;
  if (v.post !== undefined) s += `.post${v.post}`;
  if (v.dev !== undefined) s += `.dev${v.dev}`;
  if (v.local) s += `+${v.local.join('.')}`;
  return s;
}

/** Normalize a version string; throws METADATA_INVALID when it is not PEP 440. */
export function normalizeVersion(text: string): string {
  return formatVersion(parseVersion(text));
}

export function isPrerelease(v: Version): boolean {
  return v.pre !== undefined || v.dev !== undefined;
}

export function isPostrelease(v: Version): boolean {
  return v.post !== undefined;
}

/** The public part (no local label). */
export function publicVersion(v: Version): Version {
  const { local: _local, ...rest } = v;
  return rest;
}

/** epoch + release only (`base_version`). */
export function baseVersion(v: Version): Version {
  return { epoch: v.epoch, release: v.release };
}

type Cmp = -1 | 0 | 1;

function cmpBig(a: bigint, b: bigint): Cmp {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpStr(a: string, b: string): Cmp {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** the release without its trailing zeros (`1.0.0` -> `1`, `0.0` -> empty) */
export function trimZeros(release: readonly bigint[]): bigint[] {
  let n = release.length;
  while (n > 0 && release[n - 1] === 0n) n--;
  return release.slice(0, n);
}

/** packaging's _cmpkey as a comparison function. */
function compareParsed(a: Version, b: Version): Cmp {
  let c = cmpBig(a.epoch, b.epoch);
  if (c) return c;

  const ra = trimZeros(a.release);
  const rb = trimZeros(b.release);
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    c = cmpBig(ra[i] as bigint, rb[i] as bigint);
    if (c) return c;
  }
  if (ra.length !== rb.length) return ra.length < rb.length ? -1 : 1;

  // pre: a version with only a dev part sorts before any pre-release; no pre sorts after all.
  const preKey = (v: Version): [number, string, bigint] => {
    if (!v.pre && v.post === undefined && v.dev !== undefined) return [0, '', 0n];
    if (!v.pre) return [2, '', 0n];
    return [1, v.pre.label, v.pre.number];
  };
  const pa = preKey(a);
  const pb = preKey(b);
  c = (Math.sign(pa[0] - pb[0]) as Cmp) || cmpStr(pa[1], pb[1]) || cmpBig(pa[2], pb[2]);
  if (c) return c;

  // post: none sorts first
  if (a.post === undefined || b.post === undefined) {
    if (a.post !== b.post) return a.post === undefined ? -1 : 1;
  } else {
    c = cmpBig(a.post, b.post);
    if (c) return c;
  }

  // dev: none sorts last
  if (a.dev === undefined || b.dev === undefined) {
    if (a.dev !== b.dev) return a.dev === undefined ? 1 : -1;
  } else {
    c = cmpBig(a.dev, b.dev);
    if (c) return c;
  }

  // local: none sorts first; numeric parts sort after alphanumeric ones; then by length
  if (a.local === undefined || b.local === undefined) {
    if (a.local === undefined && b.local === undefined) return 0;
    return a.local === undefined ? -1 : 1;
  }
  for (let i = 0; i < Math.min(a.local.length, b.local.length); i++) {
    const x = a.local[i] as string;
    const y = b.local[i] as string;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn !== yn) return xn ? 1 : -1;
    c = xn ? cmpBig(BigInt(x), BigInt(y)) : cmpStr(x, y);
    if (c) return c;
  }
  return Math.sign(a.local.length - b.local.length) as Cmp;
}

/** -1, 0 or 1 as a <, ==, > b under PEP 440. Strings must be valid versions (else METADATA_INVALID). */
export function compareVersions(a: string | Version, b: string | Version): Cmp {
  return compareParsed(typeof a === 'string' ? parseVersion(a) : a, typeof b === 'string' ? parseVersion(b) : b);
}

// ---------------------------------------------------------------------------------------------
// Specifiers (packaging.specifiers.Specifier / SpecifierSet)

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

export interface Specifier {
  operator: SpecifierOperator;
  /** the version as written (trimmed), `1.0.*` keeps its `.*` */
  version: string;
  /** `==1.0.*` / `!=1.0.*` */
  wildcard: boolean;
  /** the parsed version (the prefix for wildcards); undefined only for `===` on a non-PEP 440 string */
  parsed: Version | undefined;
}

export interface SpecifierSet {
  specifiers: Specifier[];
}

const PRE_S = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const POST_S = '(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?';
const DEV_S = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const LOCAL_S = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const EPOCH_S = '(?:[0-9]+!)?';
/** packaging's Specifier._operator_regex_str + _version_regex_str (no anchors). */
export const SPECIFIER_REGEX_SOURCE =
  '(?<operator>~=|==|!=|<=|>=|<|>|===)' +
  '(?<version>' +
  '(?:(?<====)\\s*[^\\s;)]*)' +
  `|(?:(?<===|!=)\\s*v?${EPOCH_S}[0-9]+(?:\\.[0-9]+)*(?:\\.\\*|${PRE_S}${POST_S}${DEV_S}${LOCAL_S}))` +
  `|(?:(?<=~=)\\s*v?${EPOCH_S}[0-9]+(?:\\.[0-9]+)+${PRE_S}${POST_S}${DEV_S})` +
  `|(?:(?<!==|!=|~=)\\s*v?${EPOCH_S}[0-9]+(?:\\.[0-9]+)*${PRE_S}${POST_S}${DEV_S})` +
  ')';
const SPECIFIER_RE = new RegExp(`^\\s*${SPECIFIER_REGEX_SOURCE}\\s*$`, 'i');

export function tryParseSpecifier(text: string): Specifier | undefined {
  const m = SPECIFIER_RE.exec(text);
  if (!m?.groups) return undefined;
  const operator = m.groups.operator as SpecifierOperator;
  const version = (m.groups.version ?? '').trim();
  if (operator === '===') {
    if (version === '') return undefined;
    return { operator, version, wildcard: false, parsed: tryParseVersion(version) };
  }
  const wildcard = version.endsWith('.*');
  const parsed = tryParseVersion(wildcard ? version.slice(0, -2) : version);
  if (!parsed) return undefined; // cannot happen: the regex admits only versions
  return { operator, version, wildcard, parsed };
}

/** One specifier clause such as `>=1.0`; throws METADATA_INVALID. */
export function parseSpecifier(text: string): Specifier {
  const s = tryParseSpecifier(text);
  if (!s) throw invalid('not a valid version specifier', text);
  return s;
}

/** A comma-separated specifier set (empty clauses are ignored, as packaging does); throws METADATA_INVALID. */
export function parseSpecifierSet(text: string): SpecifierSet {
  const specifiers: Specifier[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const s = tryParseSpecifier(part);
    if (!s) throw invalid('not a valid version specifier', text);
    specifiers.push(s);
  }
  return { specifiers };
}

export function formatSpecifier(s: Specifier): string {
  return `${s.operator}${s.version}`;
}

/** Clauses joined by commas, in the order written. */
export function formatSpecifierSet(set: SpecifierSet): string {
  return set.specifiers.map(formatSpecifier).join(',');
}

/** Does this clause on its own admit pre-releases (packaging's Specifier.prereleases)? */
function specifierAllowsPrereleases(s: Specifier): boolean {
  if (s.operator === '==' || s.operator === '>=' || s.operator === '<=' || s.operator === '~=' || s.operator === '===') {
    return s.parsed !== undefined && isPrerelease(s.parsed);
  }
  return false;
}

function equalPrefix(item: Version, prefix: Version): boolean {
  if (item.epoch !== prefix.epoch) return false;
  return prefix.release.every((n, i) => (item.release[i] ?? 0n) === n);
}

function matches(s: Specifier, item: Version | undefined, raw: string): boolean {
  if (s.operator === '===') return raw.trim().toLowerCase() === s.version.toLowerCase();
  if (!item) return false;
  const spec = s.parsed as Version;
  switch (s.operator) {
    case '==':
    case '!=': {
      let eq: boolean;
      if (s.wildcard) eq = equalPrefix(item, spec);
      else eq = compareParsed(spec.local ? item : publicVersion(item), spec) === 0;
      return s.operator === '==' ? eq : !eq;
    }
    case '~=': {
      const prefix: Version = { epoch: spec.epoch, release: spec.release.slice(0, -1) };
      return compareParsed(publicVersion(item), spec) >= 0 && equalPrefix(item, prefix);
    }
    case '<=':
      return compareParsed(publicVersion(item), spec) <= 0;
    case '>=':
      return compareParsed(publicVersion(item), spec) >= 0;
    case '<': {
      if (compareParsed(item, spec) >= 0) return false;
      // <V admits no pre-release of V itself (anything from V.dev0 up) unless V is a pre-release
      if (!isPrerelease(spec) && isPrerelease(item) && compareParsed(item, { ...publicVersion(spec), dev: 0n }) >= 0) return false;
      return true;
    }
    case '>': {
      if (compareParsed(item, spec) <= 0) return false;
      // >V admits no post-release of V itself unless V is one, nor a local version of V
      if (!isPostrelease(spec) && isPostrelease(item)) {
        const postBase: Version = { epoch: item.epoch, release: item.release };
        if (item.pre) postBase.pre = item.pre;
        if (compareParsed(postBase, spec) === 0) return false;
      }
      if (item.local !== undefined && compareParsed(publicVersion(item), spec) === 0) return false;
      return true;
    }
  }
}

/**
 * packaging's `SpecifierSet.contains` / `Specifier.contains`. Pre-releases are admitted only
 * when `prereleases` is true or (left undefined) when a clause itself names a pre-release.
 * A version that is not PEP 440 is contained only by a matching `===` clause.
 */
export function specifierContains(spec: SpecifierSet | Specifier | string, version: string | Version, opts: { prereleases?: boolean } = {}): boolean {
  const set: SpecifierSet = typeof spec === 'string' ? parseSpecifierSet(spec) : 'specifiers' in spec ? spec : { specifiers: [spec] };
  const item = typeof version === 'string' ? tryParseVersion(version) : version;
  const raw = typeof version === 'string' ? version : formatVersion(version);
  let pre = opts.prereleases;
  if (pre === undefined) pre = set.specifiers.some(specifierAllowsPrereleases);
  if (item && isPrerelease(item) && !pre) return false;
  return set.specifiers.every((s) => matches(s, item, raw));
}
