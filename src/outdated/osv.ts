/**
 * OSV records (https://ossf.github.io/osv-schema/), the subset `py2pkg outdated` uses, read as
 * hostile JSON: every record is size-capped before it is parsed, then validated by hand
 * (types, lengths, counts) into a typed `OsvRecord`; anything else is OSV_INVALID (exit 4).
 * Whether a version is affected follows the schema's evaluation: `versions` lists, and
 * ECOSYSTEM ranges (introduced / fixed / last_affected / limit events) compared under PEP 440.
 * Pure: no I/O here (osv-load.ts reads files, zips and the query API).
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { canonicalizeName } from '../python/pep508-types.js';
import { compareVersions, formatVersion, normalizeVersion, tryParseVersion, type Version } from '../python/pep440.js';

/** one record's JSON text (OSV's largest PyPI records are well under this) */
export const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_ID = 100;
const MAX_TEXT = 4000;
const MAX_ALIASES = 100;
const MAX_AFFECTED = 1000;
const MAX_RANGES = 100;
const MAX_EVENTS = 1000;
const MAX_VERSIONS = 20000;
const MAX_VERSION_CHARS = 128;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: OsvEvent[];
}

export interface OsvAffected {
  /** PEP 503 name when the ecosystem is PyPI; undefined for other ecosystems */
  pypiName: string | undefined;
  ranges: OsvRange[];
  versions: string[];
}

export interface OsvRecord {
  id: string;
  modified: string;
  summary: string;
  aliases: string[];
  withdrawn: string | undefined;
  affected: OsvAffected[];
}

function invalid(where: string, why: string): Py2pkgError {
  return new Py2pkgError('OSV_INVALID', `${singleLine(where, 160)}: ${singleLine(why, 200)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, where: string, key: string, max: number, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw invalid(where, `${key} is missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(where, `${key} is not a string`);
  if (v.length > max) throw invalid(where, `${key} is longer than ${max} characters`);
  return v;
}

function list(v: unknown, where: string, key: string, max: number): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(where, `${key} is not a list`);
  if (v.length > max) throw invalid(where, `${key} has more than ${max} items`);
  return v;
}

function parseEvent(raw: unknown, where: string): OsvEvent {
  if (!isObject(raw)) throw invalid(where, 'an event is not an object');
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw invalid(where, 'an event must hold exactly one of introduced, fixed, last_affected, limit');
  const [k] = keys as [string];
  const v = text(raw[k], where, k, MAX_VERSION_CHARS, true) as string;
  if (v === '') throw invalid(where, `${k} is empty`);
  switch (k) {
    case 'introduced':
      return { introduced: v };
    case 'fixed':
      return { fixed: v };
    case 'last_affected':
      return { last_affected: v };
    case 'limit':
      return { limit: v };
    default:
      throw invalid(where, `unknown event ${JSON.stringify(singleLine(k, 30))}`);
  }
}

function parseRange(raw: unknown, where: string): OsvRange {
  if (!isObject(raw)) throw invalid(where, 'a range is not an object');
  const type = raw.type;
  if (type !== 'ECOSYSTEM' && type !== 'SEMVER' && type !== 'GIT')
    throw invalid(where, `range type ${JSON.stringify(singleLine(String(type), 30))} is not ECOSYSTEM, SEMVER or GIT`);
  const events = list(raw.events, where, 'events', MAX_EVENTS).map((e) => parseEvent(e, where));
  if (events.length === 0) throw invalid(where, 'a range has no events');
  return { type, events };
}

function parseAffected(raw: unknown, where: string): OsvAffected {
  if (!isObject(raw)) throw invalid(where, 'an affected entry is not an object');
  let pypiName: string | undefined;
  if (raw.package !== undefined) {
    if (!isObject(raw.package)) throw invalid(where, 'affected.package is not an object');
    const eco = text(raw.package.ecosystem, where, 'package.ecosystem', 100, true) as string;
    const name = text(raw.package.name, where, 'package.name', 300, true) as string;
    if (eco === 'PyPI') {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw invalid(where, `package name ${JSON.stringify(singleLine(name, 60))} is not a Python project name`);
      pypiName = canonicalizeName(name);
    }
  }
  const ranges = list(raw.ranges, where, 'ranges', MAX_RANGES).map((r) => parseRange(r, where));
  const versions = list(raw.versions, where, 'versions', MAX_VERSIONS).map((v) => text(v, where, 'versions[]', MAX_VERSION_CHARS, true) as string);
  return { pypiName, ranges, versions };
}

/** Validate one record (already JSON-parsed). `where` names it in messages (file or URL). */
export function parseOsvRecord(raw: unknown, where: string): OsvRecord {
  if (!isObject(raw)) throw invalid(where, 'an OSV record is a JSON object');
  const id = text(raw.id, where, 'id', MAX_ID, true) as string;
  if (!ID_RE.test(id)) throw invalid(where, `id ${JSON.stringify(singleLine(id, 40))} is not an OSV identifier`);
  const at = `${where} (${id})`;
  const modified = text(raw.modified, at, 'modified', 64, true) as string;
  const summary = text(raw.summary, at, 'summary', MAX_TEXT) ?? '';
  const aliases = list(raw.aliases, at, 'aliases', MAX_ALIASES).map((a) => {
    const s = text(a, at, 'aliases[]', MAX_ID, true) as string;
    if (!ID_RE.test(s)) throw invalid(at, `alias ${JSON.stringify(singleLine(s, 40))} is not an OSV identifier`);
    return s;
  });
  const withdrawn = text(raw.withdrawn, at, 'withdrawn', 64);
  const affected = list(raw.affected, at, 'affected', MAX_AFFECTED).map((a) => parseAffected(a, at));
  return { id, modified, summary, aliases, withdrawn, affected };
}

/** Parse a record's bytes: the size cap first, then JSON, then the validator. */
export function parseOsvJson(bytes: Uint8Array, where: string): OsvRecord {
  if (bytes.length > MAX_RECORD_BYTES) throw invalid(where, `the record is larger than ${MAX_RECORD_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw invalid(where, `not JSON: ${(e as Error).message}`);
  }
  return parseOsvRecord(raw, where);
}

function version(v: string, where: string): Version {
  const parsed = v.length <= MAX_VERSION_CHARS ? tryParseVersion(v) : undefined;
  if (!parsed) throw invalid(where, `${JSON.stringify(singleLine(v, 60))} is not a PEP 440 version`);
  return parsed;
}

const eventVersion = (e: OsvEvent): string => ('introduced' in e ? e.introduced : 'fixed' in e ? e.fixed : 'last_affected' in e ? e.last_affected : e.limit);

/**
 * The schema's evaluation of one ECOSYSTEM range: events sorted by version (introduced "0"
 * first); introduced <= v turns it on, fixed <= v and last_affected < v turn it off; a limit
 * <= v ends the range. An event version that is not PEP 440 makes the record OSV_INVALID:
 * a range that cannot be evaluated must not read as "not affected".
 */
export function rangeAffects(range: OsvRange, v: Version, where: string): boolean {
  const keyed = range.events.map((e) => {
    const s = eventVersion(e);
    return { e, zero: 'introduced' in e && s === '0', parsed: 'introduced' in e && s === '0' ? undefined : version(s, where) };
  });
  keyed.sort((a, b) => (a.zero ? (b.zero ? 0 : -1) : b.zero ? 1 : compareVersions(a.parsed!, b.parsed!)));
  let affected = false;
  for (const { e, zero, parsed } of keyed) {
    if ('limit' in e) {
      if (compareVersions(v, parsed!) >= 0) return false;
      continue;
    }
    if ('introduced' in e) {
      if (zero || compareVersions(v, parsed!) >= 0) affected = true;
    } else if ('fixed' in e) {
      if (compareVersions(v, parsed!) >= 0) affected = false;
    } else if (compareVersions(v, parsed!) > 0) affected = false;
  }
  return affected;
}

export interface Finding {
  id: string;
  aliases: string[];
  summary: string;
  /** the lowest fixed version above the packaged one that the record names, if any */
  fixedIn: string | undefined;
}

/**
 * Does the record affect `project` at `packaged`? Withdrawn records never do. A `versions`
 * entry matches by PEP 440 equality (or exactly, for a string that is not PEP 440); an
 * ECOSYSTEM range by rangeAffects. SEMVER and GIT ranges do not apply to PyPI versions.
 */
export function affects(record: OsvRecord, project: string, packaged: string): Finding | undefined {
  if (record.withdrawn !== undefined) return undefined;
  const name = canonicalizeName(project);
  const where = `OSV record ${record.id}`;
  const v = version(packaged, `${where}: the packaged version of ${name}`);
  const normalized = normalizeVersion(packaged);
  let hit = false;
  const fixes: Version[] = [];
  for (const a of record.affected) {
    if (a.pypiName !== name) continue;
    let here = a.versions.some((s) => {
      const p = s.length <= MAX_VERSION_CHARS ? tryParseVersion(s) : undefined;
      return p ? compareVersions(p, v) === 0 : s === packaged || s === normalized;
    });
    for (const r of a.ranges) {
      if (r.type !== 'ECOSYSTEM') continue;
      if (rangeAffects(r, v, where)) here = true;
      for (const e of r.events) if ('fixed' in e) fixes.push(version(e.fixed, where));
    }
    if (here) hit = true;
  }
  if (!hit) return undefined;
  const above = fixes.filter((f) => compareVersions(f, v) > 0).sort((a, b) => compareVersions(a, b));
  const fixedIn = above[0] ? formatVersion(above[0]) : undefined;
  return { id: record.id, aliases: record.aliases, summary: record.summary, fixedIn };
}

/** Whether a record names this project at all (cheap: for filtering a large export). */
export function namesProject(record: OsvRecord, project: string): boolean {
  const name = canonicalizeName(project);
  return record.affected.some((a) => a.pypiName === name);
}
