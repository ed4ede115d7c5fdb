/**
 * What the target archive offers for a Python requirement, and whether its version meets the
 * bound. Three kinds of source, one shape (ArchiveIndex):
 *   - Debian Packages lists (deb822 stanzas: Package, Version, Provides), from the host's apt
 *     lists or a mirror given with --archive-url;
 *   - Yum primary metadata (primary.xml: name, version and the `python3dist(x)` provides);
 *   - the profile's offline data (src/deps/data/<archive>-archive.tsv).
 * Pure parsing and lookup; loading lives in archive-load.ts.
 */
import { loadArchive } from '../deps/archive.js';
import { translateSpecifierSet } from '../deps/deb-relations.js';
import { compareDebianVersions, debianEpoch, isDebianVersion, satisfiesRelation } from '../deps/debversion.js';
import { debianNameFor, rpmDistName } from '../deps/names.js';
import { parseSpecifierSet, specifierContains, tryParseVersion } from '../python/pep440.js';
import { canonicalizeName } from '../python/pep508.js';
import type { TargetProfile } from '../targets/profiles.js';

export interface ArchiveIndex {
  kind: 'deb' | 'rpm';
  /** for people: `apt lists of this host`, the URL, `offline data debian12` */
  source: string;
  /** real packages: name -> highest version (Debian or RPM EVR) */
  packages: Map<string, string>;
  /** virtual names -> [provider, provided version ('' when unversioned)] */
  provides: Map<string, Array<{ provider: string; version: string }>>;
}

export interface ArchiveOffer {
  /** the binary package that would be installed */
  package: string;
  /** its version in the archive */
  version: string;
  /** whether that version meets the requirement's specifier */
  meets: boolean;
}

export function emptyIndex(kind: 'deb' | 'rpm', source: string): ArchiveIndex {
  return { kind, source, packages: new Map(), provides: new Map() };
}

function keepHighest(packages: Map<string, string>, name: string, version: string, cmp: (a: string, b: string) => number): void {
  const had = packages.get(name);
  if (had === undefined || cmp(version, had) > 0) packages.set(name, version);
}

const debCmp = (a: string, b: string): number => compareDebianVersions(a, b);

/**
 * Add one Packages list (deb822 text) to an index. Only the three fields are read; a stanza
 * without a valid Package or Version is skipped (a mirror's list is data, not trusted code).
 */
export function addPackagesText(index: ArchiveIndex, text: string): void {
  let name = '';
  let version = '';
  let provides = '';
  const flush = () => {
    if (/^[a-z0-9][a-z0-9+.-]+$/.test(name) && isDebianVersion(version)) {
      keepHighest(index.packages, name, version, debCmp);
      for (const p of provides.split(',')) {
        const m = /^\s*([a-z0-9][a-z0-9+.-]+)(?::any)?\s*(?:\(\s*=\s*([^)\s]+)\s*\))?\s*$/.exec(p);
        if (!m) continue;
        const list = index.provides.get(m[1] as string) ?? [];
        list.push({ provider: name, version: m[2] ?? '' });
        index.provides.set(m[1] as string, list);
      }
    }
    name = version = provides = '';
  };
  let at = 0;
  while (at <= text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(at);
    if (end === at) flush();
    else if (c === 80 /* P */ && text.startsWith('Package:', at)) name = text.slice(at + 8, end).trim();
    else if (c === 86 /* V */ && text.startsWith('Version:', at)) version = text.slice(at + 8, end).trim();
    else if (c === 80 && text.startsWith('Provides:', at)) provides = text.slice(at + 9, end);
    at = end + 1;
  }
  flush();
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => XML_ENTITIES[e] ?? '');
const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1] as string) : undefined;
};

/** `epoch:version-release` as RPM shows it (epoch left out when 0). */
function evr(epoch: string | undefined, ver: string | undefined, rel: string | undefined): string {
  const e = epoch && epoch !== '0' ? `${epoch}:` : '';
  return `${e}${ver ?? ''}${rel ? `-${rel}` : ''}`;
}

/** Add one Yum primary.xml to an index: each <package>'s name and version, and its python3dist provides. */
export function addPrimaryXml(index: ArchiveIndex, xml: string): void {
  let at = 0;
  for (;;) {
    const start = xml.indexOf('<package ', at);
    if (start < 0) break;
    const end = xml.indexOf('</package>', start);
    if (end < 0) break;
    const body = xml.slice(start, end);
    at = end + 10;
    const name = /<name>([^<]*)<\/name>/.exec(body)?.[1];
    const vtag = /<version\s[^>]*\/>/.exec(body)?.[0];
    if (!name || !vtag) continue;
    const version = evr(attr(vtag, 'epoch'), attr(vtag, 'ver'), attr(vtag, 'rel'));
    const pkg = unescapeXml(name);
    keepHighest(index.packages, pkg, version, (a, b) => rpmVerCmp(a, b));
    const prov = /<rpm:provides>([\s\S]*?)<\/rpm:provides>/.exec(body)?.[1] ?? '';
    for (const m of prov.matchAll(/<rpm:entry\s[^>]*\/>/g)) {
      const pname = attr(m[0], 'name');
      if (!pname || !/^python3(\.\d+)?dist\(/.test(pname)) continue;
      const list = index.provides.get(pname) ?? [];
      list.push({ provider: pkg, version: attr(m[0], 'ver') ?? '' });
      index.provides.set(pname, list);
    }
  }
}

/** rpmvercmp on the version parts (enough to keep the highest of a package's builds). */
export function rpmVerCmp(a: string, b: string): number {
  const sa = a.split(/[^A-Za-z0-9]+|(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)/).filter(Boolean);
  const sb = b.split(/[^A-Za-z0-9]+|(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)/).filter(Boolean);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string;
    const y = sb[i] as string;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx !== ny) return nx ? 1 : -1;
    const c = nx ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return Math.sign(sa.length - sb.length);
}

/** The profile's offline data as an index. */
export function offlineIndex(profile: TargetProfile): ArchiveIndex | undefined {
  if (!profile.archive) return undefined;
  const a = loadArchive(profile.archive);
  const index = emptyIndex(profile.family === 'debian' ? 'deb' : 'rpm', `offline data ${a.id}`);
  for (const [name, e] of a.packages) {
    if (e.provider === undefined) index.packages.set(name, e.version);
    else index.provides.set(name, [{ provider: e.provider, version: e.version }]);
  }
  return index;
}

/** Debian: does archive version `v` of a package meet a PEP 440 specifier (translated as the Depends line would be)? */
export function debVersionMeets(v: string, specifier: string): boolean {
  if (specifier === '') return true;
  const { bounds } = translateSpecifierSet(parseSpecifierSet(specifier), debianEpoch(v));
  return bounds.every((b) => satisfiesRelation(v, b.op, b.version));
}

/** RPM: the python3dist provide's version is the Python version: PEP 440 decides. */
export function rpmVersionMeets(v: string, specifier: string): boolean {
  if (specifier === '') return true;
  if (!tryParseVersion(v)) return false;
  return specifierContains(specifier, v, { prereleases: true });
}

/**
 * The archive's package for a requirement (by PEP 503 name and specifier), if it has one:
 * Debian by dh-python's name (python3-yaml for PyYAML) or a Provides of it; RPM by the
 * `python3dist(name)` provide (or python3.Xdist for such profiles).
 */
export function archiveOffer(index: ArchiveIndex, project: string, specifier: string, profile: TargetProfile): ArchiveOffer | undefined {
  if (index.kind === 'deb') {
    const name = debianNameFor(project);
    const version = index.packages.get(name.package);
    if (version !== undefined) return { package: name.package, version, meets: debVersionMeets(version, specifier) };
    const virtual = index.provides.get(name.package)?.[0];
    if (virtual)
      return {
        package: virtual.provider,
        version: virtual.version || (index.packages.get(virtual.provider) ?? ''),
        meets: virtual.version !== '' ? debVersionMeets(virtual.version, specifier) : specifier === '',
      };
    return undefined;
  }
  const style = profile.dependencyStyle === 'python3.Xdist' ? { pythonVersion: profile.pythonVersion } : {};
  const provide = rpmDistName(canonicalizeName(project), style);
  const offers = index.provides.get(provide) ?? [];
  let best: ArchiveOffer | undefined;
  for (const o of offers) {
    const meets = rpmVersionMeets(o.version, specifier);
    if (!best || (meets && !best.meets)) best = { package: o.provider, version: o.version, meets };
  }
  return best;
}
