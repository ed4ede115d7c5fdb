/**
 * The file operations that keep a repository whole: every file appears by rename of a
 * complete, fsync'ed temp file; a directory of metadata is switched in by renaming a new
 * symlink over the old one (rename(2) is atomic, so a reader sees the old or the new
 * generation, never a mix).
 */
import { randomBytes } from 'node:crypto';
import { copyFile, open, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { removeOnInterrupt } from '../interrupt.js';

export function nonce(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${nonce()}.partial`);
}

export const PARTIAL = /\.partial$/;

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Run `write`, which makes `tmp` and renames it into place: if it fails, or py2pkg is
 * interrupted meanwhile (src/interrupt.ts), `tmp` is removed.
 */
export async function viaTemp<T>(tmp: string, write: () => Promise<T>): Promise<T> {
  const release = removeOnInterrupt(tmp);
  try {
    return await write();
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    release();
  }
}

export async function writeAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempName(path);
  await viaTemp(tmp, async () => {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  });
}

/** Write a file that must not exist yet (inside a new generation directory), synced. */
export async function writeNew(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function copyAtomic(src: string, dst: string): Promise<void> {
  const tmp = tempName(dst);
  await viaTemp(tmp, async () => {
    await copyFile(src, tmp);
    await fsyncPath(tmp);
    await rename(tmp, dst);
  });
}

/** Point `link` at `target` (relative) by renaming a fresh symlink over it. */
export async function switchSymlink(link: string, target: string): Promise<void> {
  const tmp = tempName(link);
  await symlink(target, tmp);
  try {
    await rename(tmp, link);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await fsyncPath(dirname(link));
}

export async function readlinkOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EINVAL') throw Object.assign(new Error(`${path} is not a symlink`), { code: 'NOT_SYMLINK' });
    throw e;
  }
}
