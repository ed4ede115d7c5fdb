/**
 * Choosing the sdist, as pip's finder and resolver do (pure; unit-tested):
 * 1. this project's sdists whose version is PEP 440 (wheels and other files are only counted
 *    for the error message);
 * 2. Requires-Python must admit the target's Python (an unparsable one admits, as in pip);
 * 3. the specifier, with pre-releases taken under `--pre`, when a clause names a pre-release,
 *    or when nothing final matches (PEP 440);
 * 4. PEP 592: yanked files only when every match is yanked and the requirement pins one
 *    version with `==` (no wildcard) or `===`;
 * 5. the newest version wins; epochs count (`1!0.5` > `2.0`); on a tie `.tar.gz` first, then
 *    the source given first.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { compareVersions, isPrerelease, parseSpecifierSet, specifierContains, tryParseSpecifier, type SpecifierSet, type Version } from '../python/pep440.js';
import { classifyDistFile } from './filenames.js';
import type { IndexFile } from './simple-api.js';

export interface SourceRef {
  /** the index or find-links location, credentials removed */
  url: string;
  kind: 'index' | 'find-links';
}

export interface Listed {
  file: IndexFile;
  source: SourceRef;
}

export interface Candidate extends Listed {
  version: string;
  parsed: Version;
}

export interface SelectRequest {
  /** canonical (PEP 503) name */
  project: string;
  /** as packaging prints it: clauses without spaces, comma-joined; '' for any version */
  specifier: string;
  pre: boolean;
  /** the target's Python, e.g. 3.11.2 */
  pythonVersion: string;
}

export interface Selection {
  chosen: Candidate;
  /** set when a yanked file was taken because the requirement pins it */
  yankedReason: string | undefined;
}

function requiresPythonAdmits(spec: string | undefined, python: string): boolean {
  if (spec === undefined || spec.trim() === '') return true;
  let set: SpecifierSet;
  try {
    set = parseSpecifierSet(spec);
  } catch {
    return true; // pip ignores a Requires-Python it cannot parse
  }
  return specifierContains(set, python, { prereleases: true });
}

/** pip's is_pinned: one `===`, or one `==` without a wildcard. */
export function isPinned(specifier: string): boolean {
  return specifier
    .split(',')
    .map((s) => tryParseSpecifier(s))
    .some((s) => s !== undefined && (s.operator === '===' || (s.operator === '==' && !s.wildcard)));
}

const newestFirst = (a: { parsed: Version }, b: { parsed: Version }) => compareVersions(b.parsed, a.parsed);

function listVersions(cands: Candidate[], max = 6): string {
  const versions = [...new Map(cands.sort(newestFirst).map((c) => [c.version, c])).keys()];
  const shown = versions.slice(0, max).join(', ');
  return versions.length > max ? `${shown}, … (${versions.length} in all)` : shown;
}

export function selectSdist(req: SelectRequest, listed: Listed[]): Selection {
  const sdists: Candidate[] = [];
  const wheels: Candidate[] = [];
  const unsupported: Candidate[] = [];
  for (const l of listed) {
    const d = classifyDistFile(l.file.filename, req.project);
    if (d.kind === 'sdist') sdists.push({ ...l, version: d.version, parsed: d.parsed });
    else if (d.kind === 'wheel') wheels.push({ ...l, version: d.version, parsed: d.parsed });
    else if (d.kind === 'unsupported-sdist') unsupported.push({ ...l, version: d.version, parsed: d.parsed });
  }
  const spec = req.specifier === '' ? 'any version' : `'${req.specifier}'`;
  const fail = (message: string) => new Py2pkgError('NO_MATCHING_SDIST', message);
  if (sdists.length === 0) {
    if (unsupported.length > 0)
      throw fail(
        `${req.project} has sdists only in formats py2pkg does not unpack (${unsupported
          .map((c) => c.file.filename)
          .slice(0, 3)
          .join(', ')}); it reads .tar.gz, .tgz, .tar and .zip`,
      );
    if (wheels.length > 0) throw fail(`${req.project} has wheels only (versions ${listVersions(wheels)}), no sdist to build from`);
    throw fail(`${req.project} is on the index but lists no sdist or wheel`);
  }

  const runnable = sdists.filter((c) => requiresPythonAdmits(c.file.requiresPython, req.pythonVersion));
  if (runnable.length === 0) {
    const newest = [...sdists].sort(newestFirst)[0]!;
    throw fail(
      `every sdist of ${req.project} requires another Python than the target's ${req.pythonVersion} (newest ${newest.version}: Requires-Python ${singleLine(newest.file.requiresPython ?? '', 60)})`,
    );
  }

  const set = parseSpecifierSet(req.specifier);
  const matching = runnable.filter((c) => specifierContains(set, c.version, { prereleases: true }));
  // packaging's Specifier.prereleases: an inclusive clause that names a pre-release
  const namesPre = set.specifiers.some((s) => ['==', '>=', '<=', '~=', '==='].includes(s.operator) && s.parsed !== undefined && isPrerelease(s.parsed));
  const finals = matching.filter((c) => !isPrerelease(c.parsed));
  const applicable = req.pre || namesPre || finals.length === 0 ? matching : finals;
  if (applicable.length === 0) {
    throw fail(`no sdist of ${req.project} matches ${spec}: available ${listVersions(runnable)}`);
  }

  const notYanked = applicable.filter((c) => c.file.yanked === false);
  let pool = notYanked;
  let yankedReason: string | undefined;
  if (notYanked.length === 0) {
    const newest = [...applicable].sort(newestFirst)[0]!;
    const reason = newest.file.yanked ? `: ${singleLine(newest.file.yanked, 100)}` : '';
    if (!isPinned(req.specifier)) {
      throw fail(
        `every sdist of ${req.project} that matches ${spec} is yanked (${newest.version}${reason}); pin the exact version with == to take a yanked release`,
      );
    }
    pool = applicable;
  }
  const best = [...pool].sort((a, b) => {
    const byVersion = compareVersions(b.parsed, a.parsed);
    if (byVersion !== 0) return byVersion;
    const tgz = (c: Candidate) => (c.file.filename.toLowerCase().endsWith('.tar.gz') ? 0 : 1);
    return tgz(a) - tgz(b); // stable sort keeps the source order otherwise
  })[0]!;
  if (best.file.yanked !== false) yankedReason = best.file.yanked;
  return { chosen: best, yankedReason };
}
