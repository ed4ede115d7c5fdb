/** What a publish is asked to do and what it did (shared by the Apt and Yum writers). */
import { Py2pkgError, singleLine } from '../errors.js';
import type { Signer } from '../sign/signer.js';
import type { RepoOptions } from './options.js';

export interface Removal {
  name: string;
  version?: string;
}

export interface PublishRequest {
  opts: RepoOptions;
  /** package files to add (.deb for Apt, .rpm for Yum) */
  files: string[];
  removals: Removal[];
  signer: Signer;
  /** a private directory for temp files */
  workDir: string;
  progress: (message: string) => void;
}

export interface PublishResult {
  kind: 'apt' | 'yum';
  dir: string;
  /** repository-relative paths of packages added (or already there with the same content) */
  packages: string[];
  removed: string[];
  keyFile: string;
  snippet: string;
}

/** `NAME` or `NAME=VERSION` (pure). */
export function parseRemoval(text: string): Removal {
  const m = /^([A-Za-z0-9][A-Za-z0-9.+_-]*)(?:=([A-Za-z0-9.+~:_-]+))?$/.exec(text);
  if (!m) throw new Py2pkgError('USAGE', `--remove wants NAME or NAME=VERSION, got "${singleLine(text, 60)}"`);
  return m[2] ? { name: m[1]!, version: m[2] } : { name: m[1]! };
}

export interface Changes<E> {
  entries: E[];
  /** repository-relative paths of the packages added (or already there, same content) */
  packages: string[];
  removed: string[];
}

/**
 * The step both writers share: ingest each package file (the new entry replaces the one in
 * the same slot: name, version, architecture), then apply the removals, refusing one that
 * matches nothing.
 */
export async function applyChanges<E extends { filename: string }>(
  req: PublishRequest,
  current: readonly E[],
  hooks: {
    ingest: (file: string, entries: E[]) => Promise<{ entry: E; added: boolean }>;
    sameSlot: (a: E, b: E) => boolean;
    matches: (e: E, r: Removal) => boolean;
    /** where a removal was looked for, for the error message */
    where: string;
  },
): Promise<Changes<E>> {
  let entries = [...current];
  const packages: string[] = [];
  for (const file of req.files) {
    const { entry, added } = await hooks.ingest(file, entries);
    entries = entries.filter((e) => !hooks.sameSlot(e, entry));
    entries.push(entry);
    packages.push(entry.filename);
    req.progress(`${added ? 'added' : 'already published'} ${entry.filename}`);
  }
  const removed: string[] = [];
  for (const r of req.removals) {
    const hit = entries.filter((e) => hooks.matches(e, r));
    if (hit.length === 0) throw new Py2pkgError('REPO_NOT_FOUND', `${r.name}${r.version ? `=${r.version}` : ''} is not in ${hooks.where}`);
    entries = entries.filter((e) => !hooks.matches(e, r));
    removed.push(...hit.map((e) => e.filename));
  }
  return { entries, packages, removed };
}
