/**
 * One publisher at a time per repository: `.py2pkg/lock`, created by link(2) (atomic:
 * it fails when the lock exists) and naming its owner by PID, the process's start time
 * (so a reused PID is not mistaken for the owner) and a random nonce. Waiters poll.
 *
 * A lock whose owner is gone (killed with SIGKILL, say) is stale: a waiter renames it
 * aside, checks that what it moved is the stale lock it saw, and retries. If it moved a
 * fresh lock instead (another waiter got there first), it puts it back. The owner checks
 * that it still holds the lock before every switch it makes (`assertHeld`).
 * Owners on another host (a shared file system) cannot be checked and are always waited for.
 */
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Py2pkgError } from '../errors.js';
import { nonce } from './fsutil.js';

interface Owner {
  pid: number;
  start: string;
  host: string;
  nonce: string;
}

/** Field 22 of /proc/PID/stat: the start time in clock ticks since boot. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Owner;
    return typeof o.pid === 'number' && typeof o.nonce === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

export function ownerAlive(o: Owner): boolean {
  if (o.host !== hostname()) return true;
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  return processStart(o.pid) === o.start;
}

export interface HeldLock {
  /** throws REPO_LOCKED when another process took the lock away */
  assertHeld(): Promise<void>;
}

export async function withLock<T>(stateDir: string, timeoutMs: number, fn: (lock: HeldLock) => Promise<T>, onWait?: (owner: string) => void): Promise<T> {
  await mkdir(stateDir, { recursive: true });
  const lockPath = join(stateDir, 'lock');
  const me: Owner = { pid: process.pid, start: processStart(process.pid) ?? '', host: hostname(), nonce: nonce() };
  const mine = JSON.stringify(me);
  const tmp = join(stateDir, `lock.${me.nonce}`);
  await writeFile(tmp, mine, { mode: 0o644 });
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, lockPath);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const text = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released or broken just now
      const owner = parseOwner(text);
      if (owner && !ownerAlive(owner)) {
        await breakStale(stateDir, lockPath, text);
        continue;
      }
      if (Date.now() > deadline) {
        throw new Py2pkgError(
          'REPO_LOCKED',
          `the repository is locked by ${owner ? `process ${owner.pid} on ${owner.host}` : 'an unreadable lock file'} (${lockPath})`,
        );
      }
      if (!warned && onWait) {
        warned = true;
        onWait(owner ? `process ${owner.pid}` : 'another process');
      }
      await sleep(Math.min(40 + attempt * 10, 250) + Math.random() * 40);
    }
  } finally {
    await rm(tmp, { force: true });
  }
  const held: HeldLock = {
    async assertHeld() {
      const now = await readFile(lockPath, 'utf8').catch(() => '');
      if (now !== mine) throw new Py2pkgError('REPO_LOCKED', `lost the repository lock ${lockPath} to another process; nothing was switched`);
    },
  };
  try {
    return await fn(held);
  } finally {
    const now = await readFile(lockPath, 'utf8').catch(() => '');
    if (now === mine) await unlink(lockPath).catch(() => {});
  }
}

async function breakStale(stateDir: string, lockPath: string, staleText: string): Promise<void> {
  const aside = join(stateDir, `lock.stale.${nonce()}`);
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) {
    // we moved a live lock that replaced the stale one meanwhile: give it back
    await link(aside, lockPath).catch(() => {});
  }
  await rm(aside, { force: true });
}
