/**
 * The repository directory py2pkg owns: a marker `.py2pkg/repo.json` (which kind, which
 * key), the lock, the generations of metadata, and garbage collection of what no current
 * generation refers to. py2pkg never writes into a non-empty directory it did not create.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { PARTIAL, writeAtomic } from './fsutil.js';
import { processStart } from './lock.js';

export const STATE_DIR = '.py2pkg';
export type RepoKind = 'apt' | 'yum';

export interface Marker {
  'py2pkg-repository': 1;
  kind: RepoKind;
  /** primary key fingerprint the repository is signed with */
  key: string;
}

export const markerPath = (dir: string): string => join(dir, STATE_DIR, 'repo.json');

export async function readMarker(dir: string): Promise<Marker | undefined> {
  let text: string;
  try {
    text = await readFile(markerPath(dir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const m = JSON.parse(text) as Marker;
    if (m['py2pkg-repository'] === 1 && (m.kind === 'apt' || m.kind === 'yum') && typeof m.key === 'string') return m;
  } catch {
    // fall through
  }
  throw new Py2pkgError('REPO_INVALID', `${markerPath(dir)} is not a py2pkg repository marker`);
}

/** Entries of the directory other than py2pkg's own state. */
async function foreignEntries(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((e) => e !== STATE_DIR);
}

/**
 * Check before anything is built: the directory is ours (same kind, same key), or empty,
 * or does not exist yet and can be created.
 */
export async function checkRepoDir(dir: string, kind: RepoKind, fingerprint: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
    if (!isDir) throw new Py2pkgError('REPO_INVALID', `--repo ${dir} exists and is not a directory`);
  } catch (e) {
    if (e instanceof Py2pkgError) throw e;
  }
  if (!isDir) {
    let parent = dirname(dir);
    while (
      !(await stat(parent).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      parent = dirname(parent);
    try {
      await access(parent, constants.W_OK);
    } catch {
      throw new Py2pkgError('REPO_INVALID', `--repo ${dir} does not exist and ${parent} is not writable`);
    }
    return;
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new Py2pkgError('REPO_INVALID', `--repo ${dir} is not writable`);
  }
  const marker = await readMarker(dir);
  if (!marker) {
    if ((await foreignEntries(dir)).length > 0)
      throw new Py2pkgError('REPO_INVALID', `--repo ${dir} is not empty and was not made by py2pkg; py2pkg does not write into other tools' repositories`);
    return;
  }
  const name = (k: RepoKind) => (k === 'apt' ? 'an Apt' : 'a Yum');
  if (marker.kind !== kind)
    throw new Py2pkgError(
      'REPO_INVALID',
      `--repo ${dir} is ${name(marker.kind)} repository; ${kind === 'apt' ? '.deb' : '.rpm'} packages go into ${name(kind)} repository`,
    );
  if (marker.key !== fingerprint) {
    throw new Py2pkgError(
      'REPO_INVALID',
      `--repo ${dir} is signed with key ${marker.key}, not ${fingerprint}: every client trusts that key, so publishing with another would break them (to change keys, start a new repository and move clients to it)`,
    );
  }
}

/** Create the directory and marker if needed (under the lock). */
export async function ensureMarker(dir: string, kind: RepoKind, fingerprint: string): Promise<void> {
  await checkRepoDir(dir, kind, fingerprint);
  if (await readMarker(dir)) return;
  await mkdir(join(dir, STATE_DIR), { recursive: true });
  const m: Marker = { 'py2pkg-repository': 1, kind, key: fingerprint };
  await writeAtomic(markerPath(dir), `${JSON.stringify(m, null, 2)}\n`);
}

/**
 * Remove leftovers of killed runs (called with the lock held, so no live publisher owns
 * them): temp files of atomic writes and symlink switches, stale lock candidates. Pool
 * temp files go with the pool sweep.
 */
export async function removeLeftovers(dir: string): Promise<void> {
  const stateDir = join(dir, STATE_DIR);
  for (const e of await readdir(stateDir).catch(() => [] as string[])) {
    const m = /^lock\.(?:stale\.)?(\d+)-/.exec(e);
    if (m && processStart(Number(m[1])) === undefined) await rm(join(stateDir, e), { force: true });
  }
  for (const d of [dir, stateDir, join(dir, 'dists')]) {
    for (const e of await readdir(d).catch(() => [] as string[])) {
      if (PARTIAL.test(e)) await rm(join(d, e), { force: true });
    }
  }
}

/** Remove files under `root` (relative paths) that `keep` does not hold, and then empty directories. */
export async function sweep(root: string, keep: Set<string>, rel = ''): Promise<boolean> {
  const here = join(root, rel);
  let entries;
  try {
    entries = await readdir(here, { withFileTypes: true });
  } catch {
    return true;
  }
  let empty = true;
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (await sweep(root, keep, r)) await rmdir(join(root, r)).catch(() => {});
      else empty = false;
    } else if (keep.has(r)) {
      empty = false;
    } else {
      await rm(join(root, r), { force: true });
    }
  }
  return empty;
}
