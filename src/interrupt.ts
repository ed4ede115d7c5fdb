/**
 * What an interrupted py2pkg leaves behind: nothing of its own, and no tool still running.
 *
 * Every child runs in its own process group (src/exec.ts: a timeout kills the whole tree), so
 * a Ctrl-C on the terminal, or the SIGTERM a CI runner sends to cancel a job, reaches node
 * alone: without this module rpmbuild, dpkg-deb or createrepo_c went on running after py2pkg
 * had exited, and its private temp directories stayed in $TMPDIR. On SIGINT, SIGTERM or SIGHUP
 * node now kills every running child's group, removes the work directories and partial outputs
 * registered here, says so in one line, and dies by the same signal (so a shell sees 130 for
 * Ctrl-C, 143 for SIGTERM). What py2pkg publishes is switched in by rename and needs nothing:
 * a repository is left at its previous generation, and the next publish removes the leftovers.
 */
import { mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** process groups of running children (their pids: each leads its own group) */
const groups = new Set<number>();
/** paths removed (recursively, forced) when interrupted */
const paths = new Set<string>();
/** directories py2pkg made (--out and its parents, deepest first), removed when interrupted if empty */
const emptyDirs: string[] = [];
let installed = false;

/** A child started in its own process group; returns the call that forgets it once it has exited. */
export function trackChildGroup(pid: number): () => void {
  groups.add(pid);
  return () => {
    groups.delete(pid);
  };
}

/** Remove `path` if py2pkg is interrupted before `release()` is called. */
export function removeOnInterrupt(path: string): () => void {
  paths.add(path);
  return () => {
    paths.delete(path);
  };
}

/** Directories this run made (deepest first): removed if py2pkg is interrupted while they are still empty. */
export function removeIfEmptyOnInterrupt(dirs: readonly string[]): void {
  emptyDirs.push(...dirs);
}

/**
 * A private directory under $TMPDIR (mkdtemp, 0700), removed if py2pkg is interrupted; remove it
 * with removeWorkDir. Synchronous, so that no signal is handled between making it and noting it.
 */
export function makeWorkDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  paths.add(dir);
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  paths.delete(dir);
}

/** A work directory the user asked to keep (--keep-temp): an interrupt leaves it too. */
export function keepWorkDir(dir: string): void {
  paths.delete(dir);
}

/** What the handler does before it dies: kill the children's groups, remove what is registered. */
function cleanUpNow(): { killed: number; removed: number } {
  let killed = 0;
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
      killed++;
    } catch {
      // the group is gone already
    }
  }
  groups.clear();
  let removed = 0;
  for (const p of paths) {
    try {
      rmSync(p, { recursive: true, force: true });
      removed++;
    } catch {
      // a path that cannot be removed is left; the process is ending either way
    }
  }
  paths.clear();
  for (const d of emptyDirs.splice(0)) {
    try {
      rmdirSync(d);
      removed++;
    } catch {
      // not empty (packages this run finished are kept) or gone
    }
  }
  return { killed, removed };
}

/** Install the handlers once, before any work (bin/py2pkg.js). */
export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      const { killed } = cleanUpNow();
      process.stderr.write(
        `py2pkg: interrupted by ${signal}${killed > 0 ? `: stopped ${killed} running tool${killed === 1 ? '' : 's'}` : ''}; work files removed, nothing half-written left\n`,
      );
      // die by the signal itself, as an uncaught one would have
      for (const s of SIGNALS) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    });
  }
}
