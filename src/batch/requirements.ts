/**
 * `-r requirements.txt`: the subset of pip's requirements-file syntax py2pkg honours.
 *
 *   name==1.2 --hash=sha256:HEX [--hash=sha256:HEX]   one requirement (or a path), its allowed digests
 *   # comment, blank lines, a trailing backslash joins the next line
 *   -r other.txt / --requirement other.txt             nested include, relative to this file
 *
 * Hash-checking mode as pip has it: as soon as one line carries --hash, every line must, and
 * every requirement must pin one version with == (or ===). Any other option (-e, -c, -i,
 * --index-url, --global-option, ...) is refused with one line naming the file and line.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { looksLikeLocalPath, parseByName } from '../source/options.js';

/** One input read from a requirements file. */
export interface RequirementEntry {
  /** what `py2pkg INPUT` would take: a requirement as written, or an absolute path */
  input: string;
  /** `file:line`, for messages */
  where: string;
  /** allowed sdist sha256 digests (lower-case hex); empty when the line has none */
  sha256: string[];
  /** PEP 503 name for requirements; undefined for paths */
  project: string | undefined;
}

export interface RequirementsFile {
  entries: RequirementEntry[];
  /** true when any line carries --hash (then every line does) */
  hashMode: boolean;
}

export const MAX_REQUIREMENTS_BYTES = 1024 * 1024;
const MAX_INCLUDE_DEPTH = 10;

const invalid = (where: string, what: string) => new Py2pkgError('REQUIREMENTS_INVALID', `${where}: ${what}`);

/** Logical lines: continuations joined, comments dropped; each with its first physical line number. */
export function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const physical = text.split(/\r?\n/);
  let acc = '';
  let start = 0;
  physical.forEach((raw, i) => {
    if (acc === '') start = i + 1;
    if (/(^|[^\\])\\$/.test(raw)) {
      acc += `${raw.slice(0, -1)} `;
      if (i < physical.length - 1) return;
    } else {
      acc += raw;
    }
    // pip: a # at the start or after whitespace begins a comment
    const text = acc.replace(/(^|\s)#.*$/, '').trim();
    acc = '';
    if (text) out.push({ line: start, text });
  });
  return out;
}

/** Split a logical line into the requirement part and its options (pure). */
function splitOptions(text: string, where: string): { head: string; hashes: string[] } {
  const tokens = text.split(/\s+/);
  const headParts: string[] = [];
  const hashes: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (!t.startsWith('-')) {
      if (hashes.length > 0) throw invalid(where, `"${singleLine(t, 60)}" after the --hash options`);
      headParts.push(t);
      continue;
    }
    let value: string | undefined;
    if (t === '--hash') value = tokens[++i];
    else if (t.startsWith('--hash=')) value = t.slice('--hash='.length);
    else throw invalid(where, `option ${singleLine(t.split('=')[0] ?? t, 40)} is not supported (py2pkg reads requirements, paths, --hash and -r)`);
    const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(value ?? '');
    if (!m) throw invalid(where, `--hash wants sha256:<64 hex digits>, got "${singleLine(value ?? '', 80)}"`);
    if (m[1] !== 'sha256') throw invalid(where, `--hash ${m[1]}: only sha256 digests are supported`);
    if ((m[2] as string).length !== 64) throw invalid(where, `--hash sha256 wants 64 hex digits, got ${(m[2] as string).length}`);
    hashes.push((m[2] as string).toLowerCase());
  }
  return { head: headParts.join(' '), hashes };
}

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();
const INCLUDE = /^(?:-r\s*|--requirement(?:\s+|=))(.+)$/;
const PINNED = /^(===.+|==[^,*]+)$/;

/** Parse one file's text (includes resolved through `load`). */
export async function parseRequirementsText(
  text: string,
  file: string,
  load: (path: string, depth: number) => Promise<RequirementEntry[]>,
  depth = 0,
): Promise<RequirementEntry[]> {
  const entries: RequirementEntry[] = [];
  for (const { line, text: logical } of logicalLines(text)) {
    const where = `${file}:${line}`;
    const include = INCLUDE.exec(logical);
    if (include) {
      entries.push(...(await load(resolve(dirname(file), (include[1] as string).trim()), depth + 1)));
      continue;
    }
    const { head, hashes } = splitOptions(logical, where);
    if (!head) throw invalid(where, '--hash without a requirement');
    if (looksLikeLocalPath(head) || isFile(resolve(dirname(file), head))) {
      entries.push({ input: resolve(dirname(file), head), where, sha256: hashes, project: undefined });
      continue;
    }
    let req;
    try {
      req = parseByName(head);
    } catch (e) {
      throw invalid(where, (e as Error).message);
    }
    entries.push({ input: req.text, where, sha256: hashes, project: req.project });
  }
  return entries;
}

/** Check what pip checks across the whole set (duplicates, hash-checking mode); pure. */
export function checkRequirements(entries: RequirementEntry[]): RequirementsFile {
  const seen = new Map<string, string>();
  for (const e of entries) {
    const key = e.project ?? e.input;
    const before = seen.get(key);
    if (before) throw invalid(e.where, `${singleLine(key, 80)} is required twice (first at ${before})`);
    seen.set(key, e.where);
  }
  const hashMode = entries.some((e) => e.sha256.length > 0);
  if (hashMode) {
    for (const e of entries) {
      if (e.sha256.length === 0)
        throw new Py2pkgError('REQUIREMENTS_HASH', `${e.where}: ${singleLine(e.input, 80)} has no --hash, but other lines do (hash-checking mode)`);
      if (e.project !== undefined && !PINNED.test(parseByName(e.input).specifier)) {
        throw new Py2pkgError('REQUIREMENTS_HASH', `${e.where}: ${singleLine(e.input, 80)} must pin one version with == in hash-checking mode`);
      }
    }
  }
  return { entries, hashMode };
}

/** Read requirement files (and their includes), bounded in size and depth. */
export async function readRequirementFiles(files: string[]): Promise<RequirementsFile> {
  const active: string[] = [];
  const load = async (path: string, depth: number): Promise<RequirementEntry[]> => {
    if (depth > MAX_INCLUDE_DEPTH) throw invalid(path, `requirement files nest deeper than ${MAX_INCLUDE_DEPTH} levels`);
    if (active.includes(path)) throw invalid(path, `includes itself (${active.map((a) => singleLine(a, 80)).join(' -> ')})`);
    let st;
    try {
      st = await stat(path);
    } catch {
      throw new Py2pkgError('REQUIREMENTS_INVALID', `cannot read requirements file ${singleLine(path, 200)}`);
    }
    if (!st.isFile()) throw new Py2pkgError('REQUIREMENTS_INVALID', `${singleLine(path, 200)} is not a file`);
    if (st.size > MAX_REQUIREMENTS_BYTES)
      throw new Py2pkgError('REQUIREMENTS_INVALID', `${singleLine(path, 200)} is over ${MAX_REQUIREMENTS_BYTES / 1024} KiB`);
    const text = await readFile(path, 'utf8');
    active.push(path);
    try {
      return await parseRequirementsText(text, path, load, depth);
    } finally {
      active.pop();
    }
  };
  const all: RequirementEntry[] = [];
  for (const f of files) all.push(...(await load(resolve(f), 0)));
  return checkRequirements(all);
}
