/**
 * Core metadata (PKG-INFO / METADATA, Metadata-Version 1.0 - 2.4) -> PythonMetadata, plus the
 * name rules built on it. RFC 822 style headers as Python's email parser reads them, then
 * validated. Every value is hostile data: it is kept verbatim (non-ASCII included) but control
 * characters are refused. Pure functions.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { normalizeVersion, parseSpecifierSet } from '../python/pep440.js';
import { canonicalizeName, isValidName, parseRequirement } from '../python/pep508.js';
import type { PythonMetadata } from '../types.js';

/** PEP 503: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeName(name: string): string {
  return canonicalizeName(name);
}

/** The PEP 508 name rule: `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, case-insensitive. */
export function isValidProjectName(name: string): boolean {
  return isValidName(name);
}

const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The Debian binary package name dh-python would guess for a distribution (`sensible_pname`):
 * `python3-` + the name lower-cased, runs of anything but letters, digits and dots turned into
 * `-` (dots are kept: `jaraco.classes` -> `python3-jaraco.classes`), a leading `python-`
 * dropped (`python-dateutil` -> `python3-dateutil`). Throws METADATA_INVALID for a name that
 * is not a PEP 508 name or gives no valid Debian package name.
 */
export function debianPackageName(distName: string): string {
  if (!isValidName(distName)) throw new Py2pkgError('METADATA_INVALID', `not a valid distribution name: ${singleLine(JSON.stringify(distName), 80)}`);
  let s = distName.replace(/[^A-Za-z0-9.]+/g, '-').toLowerCase();
  if (s.startsWith('python-')) s = s.slice('python-'.length);
  const pkg = `python3-${s}`;
  if (!DEBIAN_PACKAGE_NAME.test(pkg)) throw new Py2pkgError('METADATA_INVALID', `${singleLine(distName, 80)} gives no valid Debian package name`);
  return pkg;
}

// ---------------------------------------------------------------------------------------------

export interface MetadataHeader {
  /** as written */
  name: string;
  /** after unfolding */
  value: string;
}

export interface CoreMetadataDetails {
  metadata: PythonMetadata;
  /** the Version field as written (metadata.version is normalized) */
  rawVersion: string;
  /** every header in file order, unfolded, including ones PythonMetadata has no field for */
  headers: MetadataHeader[];
  /** true when the description came from the message body (2.1+ style) */
  descriptionInBody: boolean;
}

const MULTI_USE = new Set([
  'classifier',
  'requires-dist',
  'project-url',
  'provides-extra',
  'license-file',
  'dynamic',
  'platform',
  'supported-platform',
  'requires-external',
  'provides-dist',
  'obsoletes-dist',
  'requires',
  'provides',
  'obsoletes',
  'import-name',
  'import-namespace',
]);

/** Fields kept with their line breaks (folded with the 8-space / `       |` convention). */
const MULTI_LINE = new Set(['description', 'license']);

// Python's email.feedparser headerRE, minus the `From ` envelope line and empty names.
const HEADER_LINE = /^([\x21-\x39\x3b-\x7e]+):/;

function bad(message: string): Py2pkgError {
  return new Py2pkgError('METADATA_INVALID', message);
}

function shown(s: string, max = 80): string {
  return singleLine(JSON.stringify(s), max);
}

/** Unfold a Description/License header value: the first line, then continuation lines. */
function unfoldMultiLine(first: string, continuation: string[]): string {
  const other = continuation.filter((l) => !/^ {7}\|/.test(l) && !/^ {8}/.test(l) && l.trim() !== '');
  let common: string | undefined;
  for (const l of other) {
    const indent = /^[ \t]*/.exec(l)?.[0] ?? '';
    if (common === undefined) common = indent;
    else {
      let i = 0;
      while (i < common.length && i < indent.length && common[i] === indent[i]) i++;
      common = common.slice(0, i);
    }
  }
  const lines = continuation.map((l) => {
    if (/^ {7}\|/.test(l) || /^ {8}/.test(l)) return l.slice(8);
    if (l.trim() === '') return '';
    return l.slice((common ?? '').length);
  });
  const text = [first, ...lines].join('\n');
  // trimEnd, not /\s+$/: that regex is quadratic on a long run of blanks
  return text.replace(/^\n+/, '').trimEnd();
}

/** Unfold any other header: continuation lines join the first with one space. */
function unfoldSingleLine(first: string, continuation: string[]): string {
  return trimBlanksEnd([first, ...continuation.map((l) => l.replace(/^[ \t]+/, ''))].join(' '));
}

/** Drop trailing spaces and tabs in linear time (/[ \t]+$/ is quadratic on long runs of blanks). */
function trimBlanksEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(0, end);
}

function checkControl(field: string, value: string, multiLine: boolean): void {
  // eslint-disable-next-line no-control-regex
  const re = multiLine ? /[\u0000-\u0008\u000b-\u001f\u007f]/ : /[\u0000-\u001f\u007f-\u009f]/;
  const m = re.exec(value);
  if (m) {
    const code = (m[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0');
    throw bad(`metadata field ${singleLine(field, 40)} contains the control character U+${code.toUpperCase()}`);
  }
}

interface RawMessage {
  headers: MetadataHeader[];
  body: string;
}

function splitMessage(text: string): RawMessage {
  const lines = text.split('\n');
  const headers: MetadataHeader[] = [];
  let i = 0;
  let current: { name: string; first: string; continuation: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const key = current.name.toLowerCase();
    const value = MULTI_LINE.has(key) ? unfoldMultiLine(current.first, current.continuation) : unfoldSingleLine(current.first, current.continuation);
    headers.push({ name: current.name, value });
    current = undefined;
  };
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') {
      i++; // the blank separator line
      break;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (!current) throw bad('metadata starts with a continuation line');
      current.continuation.push(line);
      continue;
    }
    const m = HEADER_LINE.exec(line);
    if (!m) break; // as Python's email parser does: the body starts here
    flush();
    current = { name: m[1] as string, first: line.slice(m[0].length).replace(/^[ \t]+/, ''), continuation: [] };
  }
  flush();
  return { headers, body: lines.slice(i).join('\n') };
}

/** Parse PKG-INFO / METADATA text; throws METADATA_INVALID. See parseCoreMetadataDetailed. */
export function parseCoreMetadata(text: string): PythonMetadata {
  return parseCoreMetadataDetailed(text).metadata;
}

/** Decode UTF-8 (strictly) and parse; throws METADATA_INVALID for bytes that are not UTF-8. */
export function parseCoreMetadataBytes(bytes: Uint8Array): PythonMetadata {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('the metadata is not valid UTF-8');
  }
  return parseCoreMetadata(text);
}

/**
 * Parse and validate core metadata:
 * - headers with continuation lines; Description and License keep their line breaks (the
 *   8-space and `       |` folding of older versions is undone), other fields are one line;
 * - the message body, when present, is the description (2.1+);
 * - `UNKNOWN` (what setuptools writes for a missing value) counts as absent;
 * - Metadata-Version (major 1 or 2), Name (PEP 508 name, not UNKNOWN) and Version (PEP 440,
 *   stored normalized) are required and may appear once; other single-use fields may not repeat;
 * - Requires-Dist must parse as PEP 508, Requires-Python as a specifier set, Provides-Extra as
 *   names; Dynamic must not list Name, Version or Metadata-Version;
 * - NUL and other C0 control characters and DEL are refused everywhere, except tab and
 *   newline in the description and license; C1 controls (U+0080-U+009F) are refused in the
 *   one-line fields.
 */
export function parseCoreMetadataDetailed(input: string): CoreMetadataDetails {
  let text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  text = text.replace(/\r\n/g, '\n');
  // eslint-disable-next-line no-control-regex
  const c0 = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(text);
  if (c0) {
    const code = (c0[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0').toUpperCase();
    throw bad(`the metadata contains the control character U+${code}${code === '0000' ? ' (NUL)' : ''}`);
  }

  const { headers, body } = splitMessage(text);
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const h of headers) {
    const key = h.name.toLowerCase();
    checkControl(h.name, h.value, MULTI_LINE.has(key));
    if (MULTI_USE.has(key)) {
      const list = multi.get(key) ?? [];
      list.push(h.value);
      multi.set(key, list);
    } else if (single.has(key)) {
      throw bad(`the metadata field ${singleLine(h.name, 40)} appears more than once`);
    } else {
      single.set(key, h.value);
    }
  }

  const get = (key: string): string | undefined => {
    const v = single.get(key);
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' || t === 'UNKNOWN' ? undefined : v;
  };
  const list = (key: string): string[] => (multi.get(key) ?? []).map((v) => v.trim()).filter((v) => v !== '' && v !== 'UNKNOWN');

  const metadataVersion = single.get('metadata-version')?.trim();
  if (!metadataVersion) throw bad('the metadata has no Metadata-Version');
  const mv = /^([0-9]+)\.([0-9]+)$/.exec(metadataVersion);
  if (!mv) throw bad(`Metadata-Version is not a version number: ${shown(metadataVersion)}`);
  if (mv[1] !== '1' && mv[1] !== '2') throw bad(`Metadata-Version ${shown(metadataVersion, 20)} is not supported (1.0 - 2.x)`);

  const name = single.get('name')?.trim();
  if (!name) throw bad('the metadata has no Name');
  if (name === 'UNKNOWN') throw bad('the metadata has no Name (UNKNOWN)');
  if (!isValidName(name)) throw bad(`Name is not a valid distribution name: ${shown(name)}`);

  const rawVersion = single.get('version')?.trim();
  if (!rawVersion) throw bad('the metadata has no Version');
  let version: string;
  try {
    version = normalizeVersion(rawVersion);
  } catch {
    throw bad(`Version is not a valid PEP 440 version: ${shown(rawVersion)}`);
  }

  let description = '';
  let descriptionInBody = false;
  if (body.trim() !== '') {
    checkControl('description (message body)', body, true);
    description = body;
    descriptionInBody = true;
  } else {
    description = get('description') ?? '';
  }

  const requiresDist = list('requires-dist');
  for (const r of requiresDist) {
    try {
      parseRequirement(r);
    } catch (e) {
      throw bad(`Requires-Dist is not a valid requirement: ${e instanceof Error ? singleLine(e.message, 200) : shown(r)}`);
    }
  }

  const requiresPython = get('requires-python')?.trim();
  if (requiresPython !== undefined) {
    try {
      parseSpecifierSet(requiresPython);
    } catch {
      throw bad(`Requires-Python is not a valid version specifier: ${shown(requiresPython)}`);
    }
  }

  const providesExtra = list('provides-extra');
  for (const extra of providesExtra) {
    if (!isValidName(extra)) throw bad(`Provides-Extra is not a valid extra name: ${shown(extra)}`);
  }

  const dynamic = list('dynamic');
  for (const d of dynamic) {
    if (['name', 'version', 'metadata-version'].includes(d.toLowerCase())) throw bad(`Dynamic may not list ${shown(d, 30)}`);
  }

  const projectUrls = list('project-url').map((v) => {
    const comma = v.indexOf(',');
    return comma < 0 ? { label: '', url: v.trim() } : { label: v.slice(0, comma).trim(), url: v.slice(comma + 1).trim() };
  });

  const metadata: PythonMetadata = {
    metadataVersion,
    name,
    version,
    summary: get('summary')?.trim() ?? '',
    description,
    projectUrls,
    licenseFiles: list('license-file'),
    classifiers: list('classifier'),
    requiresDist,
    providesExtra,
    dynamic,
  };
  const optional: Array<[keyof PythonMetadata, string]> = [
    ['descriptionContentType', 'description-content-type'],
    ['homePage', 'home-page'],
    ['author', 'author'],
    ['authorEmail', 'author-email'],
    ['maintainer', 'maintainer'],
    ['maintainerEmail', 'maintainer-email'],
    ['license', 'license'],
    ['licenseExpression', 'license-expression'],
    ['keywords', 'keywords'],
  ];
  const target = metadata as unknown as Record<string, string>;
  for (const [field, key] of optional) {
    const v = get(key);
    if (v !== undefined) target[field] = key === 'license' ? v : v.trim();
  }
  if (requiresPython !== undefined) metadata.requiresPython = requiresPython;

  return { metadata, rawVersion, headers, descriptionInBody };
}
