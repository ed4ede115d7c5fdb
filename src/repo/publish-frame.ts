/**
 * What every publish does around its own work, Apt or Yum: the state directory and its lock,
 * the repository's marker (kind and signing key), the leftovers of a killed publish, the
 * public key; and, for the repository page, the provenance of the packages this publish adds.
 */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { fsyncPath, tempName } from './fsutil.js';
import { withLock, type HeldLock } from './lock.js';
import { readOrigins, type Origin } from './origins.js';
import type { PublishRequest, PublishResult } from './publish-types.js';
import { ensureMarker, removeLeftovers, STATE_DIR, type RepoKind } from './repo-dir.js';

export interface Frame {
  lock: HeldLock;
  /** <repo>/.py2pkg */
  stateDir: string;
  publicKey: string;
}

export async function underRepoLock(req: PublishRequest, kind: RepoKind, fn: (frame: Frame) => Promise<PublishResult>): Promise<PublishResult> {
  const { opts, signer } = req;
  const stateDir = join(opts.dir, STATE_DIR);
  await mkdir(stateDir, { recursive: true });
  return withLock(
    stateDir,
    opts.lockTimeoutMs,
    async (lock) => {
      await ensureMarker(opts.dir, kind, signer.key.fingerprint);
      await removeLeftovers(opts.dir);
      return fn({ lock, stateDir, publicKey: await signer.publicKeyArmored() });
    },
    (owner) => req.progress(`waiting for the repository lock held by ${owner}`),
  );
}

/**
 * Start reading the provenance of the entries that were not there before (the page needs it)
 * while the caller writes the generation; await the result when the page is written.
 */
export function originsOfAdded(
  dir: string,
  kind: RepoKind,
  before: ReadonlyArray<{ filename: string }>,
  after: ReadonlyArray<{ filename: string; sha256: string }>,
): Promise<Map<string, Origin | null>> {
  const had = new Set(before.map((e) => e.filename));
  const origins = readOrigins(
    dir,
    after.filter((e) => !had.has(e.filename)),
    kind,
  );
  origins.catch(() => {});
  return origins;
}

/**
 * Land a package file in the repository as `<dir>/<name>`, or `<dir>/<content digest prefix>/<name>`
 * when another package holds that name: a copy is made beside the destination, `prepare`
 * signs it (when needed) and reads what the index wants of it, then it is synced and renamed
 * into place. Nothing is left behind on failure.
 */
export async function landPackage<T>(
  repoDir: string,
  taken: ReadonlySet<string>,
  where: { dir: string; name: string; content: string },
  src: string,
  prepare: (tmp: string) => Promise<T>,
): Promise<{ rel: string; facts: T }> {
  const { dir, name, content } = where;
  const rel = taken.has(`${dir}/${name}`) ? `${dir}/${content.slice(0, 16)}/${name}` : `${dir}/${name}`;
  if (taken.has(rel)) throw new Py2pkgError('REPO_CONFLICT', `${rel} is already taken by another package`);
  const final = join(repoDir, rel);
  await mkdir(dirname(final), { recursive: true });
  const tmp = tempName(final);
  try {
    await copyFile(src, tmp);
    const facts = await prepare(tmp);
    await fsyncPath(tmp);
    await rename(tmp, final);
    return { rel, facts };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
