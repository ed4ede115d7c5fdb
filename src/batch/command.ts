/**
 * `py2pkg a b c`, `py2pkg -r requirements.txt`, `--locked`: the convert command's batch form.
 * Builds the job list (inputs, requirement files, or the lock), runs it (run.ts), prints the
 * packages (stdout) and the summary (stderr) or --json, then writes the lock when asked.
 */
import { dirname, resolve } from 'node:path';
import type { Io } from '../commands/context.js';
import { ExitWithStatus, Py2pkgError, singleLine } from '../errors.js';
import type { ConvertFlags } from '../settings.js';
import { looksLikeLocalPath } from '../source/options.js';
import type { BatchResult, ConvertJob } from './run.js';

export interface BatchFlags extends ConvertFlags {
  /** -r FILE (repeatable) */
  requirement?: string[];
  /** -j N */
  jobs?: string;
  failFast?: boolean;
  /** false with --no-cache */
  cache?: boolean;
  /** --lock FILE */
  lock?: string;
  locked?: boolean;
}

/** One input with no -r, --lock or --locked is the single conversion it always was. */
export function isBatch(inputs: string[], flags: BatchFlags): boolean {
  return inputs.length !== 1 || (flags.requirement?.length ?? 0) > 0 || flags.lock !== undefined || Boolean(flags.locked);
}

export const MAX_JOBS = 64;

function jobCount(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_JOBS)
    throw new Py2pkgError('USAGE', `-j/--jobs wants a whole number from 1 to ${MAX_JOBS}, got "${singleLine(text, 20)}"`);
  return Number(text);
}

/** Inputs as jobs: paths made absolute (labels stay as written). */
function inputJob(input: string): ConvertJob {
  return looksLikeLocalPath(input) ? { input: resolve(input), label: input } : { input };
}

export async function runBatchCommand(inputs: string[], flags: BatchFlags, io: Io): Promise<void> {
  const jobs = jobCount(flags.jobs);
  const reqFiles = flags.requirement ?? [];
  if (inputs.length === 0 && reqFiles.length === 0 && !flags.locked)
    throw new Py2pkgError('USAGE', 'nothing to convert: give sdists or requirements, -r requirements.txt, or --locked');
  if (flags.locked && flags.allowUnsigned)
    throw new Py2pkgError('USAGE', '--locked reproduces what the lock records; --allow-unsigned would change what admits an sdist');
  let list: ConvertJob[] = inputs.map(inputJob);
  if (reqFiles.length > 0) {
    const { readRequirementFiles } = await import('./requirements.js');
    const req = await readRequirementFiles(reqFiles);
    list.push(
      ...req.entries.map((e): ConvertJob => ({
        input: e.input,
        ...(e.sha256.length ? { sdistSha256: { allowed: e.sha256, code: 'HASH_MISMATCH', where: e.where } } : {}),
      })),
    );
  }
  const lockFile = resolve(flags.lock ?? 'py2pkg.lock');
  if (flags.locked) {
    const [{ readLock, lockedJobs }, { resolveSettings }] = await Promise.all([import('../lock/lockfile.js'), import('../settings.js')]);
    const lock = await readLock(lockFile);
    const probe = await resolveSettings('py2pkg-batch-settings', flags);
    // the lock's sha256 stands for a requirements file's --hash (the lock was written under that check)
    list = lockedJobs(lock, lockFile, list.length > 0 ? list.map((j) => j.input) : undefined, { target: probe.target.id, format: probe.format });
  }
  const { runBatch } = await import('./run.js');
  const result = await runBatch(list, { flags, jobs, failFast: Boolean(flags.failFast), cache: flags.cache !== false, io });

  // the lock: written after a fully successful batch with --lock FILE or -r (default ./py2pkg.lock); never with --locked
  const writeLockTo = !flags.locked && (flags.lock !== undefined || reqFiles.length > 0) && result.exitStatus === 0 ? lockFile : undefined;
  if (writeLockTo) {
    const { entryFor, writeLock } = await import('../lock/lockfile.js');
    const { resolveSettings } = await import('../settings.js');
    const s = await resolveSettings('py2pkg-batch-settings', flags);
    const options = { maintainer: s.maintainer, withExtras: s.dependencies.withExtras, signedBy: null, sourceDateEpoch: s.sourceDateEpoch ?? null };
    await writeLock(
      writeLockTo,
      result.outcomes.map((o) => entryFor(o, dirname(writeLockTo), options)),
    );
  }
  printBatchReport(result, flags, io, writeLockTo);
  if (result.exitStatus !== 0) throw new ExitWithStatus(result.exitStatus);
}

/** The batch's stdout (package paths, or --json) and stderr summary; every failure's one line even with --quiet. */
export function printBatchReport(r: BatchResult, flags: BatchFlags, io: Io, lock: string | undefined): void {
  if (flags.json) {
    const packages = r.outcomes.map((o) => ({
      input: o.job.label ?? o.job.input,
      state: o.state,
      cached: o.state === 'cached',
      elapsedMs: o.ms,
      ...(o.result ? { name: o.result.name, version: o.result.version, package: o.result.output, provenance: o.result.provenance } : {}),
      ...(o.files ? { files: o.files } : {}),
      ...(o.error ? { error: o.error } : {}),
    }));
    io.out(
      `${JSON.stringify({ exitStatus: r.exitStatus, elapsedMs: r.ms, packages, ...(r.repository ? { repository: r.repository } : {}), ...(r.publishError ? { publishError: r.publishError } : {}), lock: lock ?? null }, null, 2)}\n`,
    );
  } else {
    for (const o of r.outcomes) for (const f of o.files ?? []) io.out(`${f.path}\n`);
  }
  const count = (state: string) => r.outcomes.filter((o) => o.state === state).length;
  const failed = r.outcomes.filter((o) => o.state === 'failed');
  if (!flags.quiet && !flags.json) {
    const cached = count('cached');
    const parts = [`${count('converted') + cached} converted${cached ? ` (${cached} cached)` : ''}`, `${failed.length} failed`];
    if (count('skipped')) parts.push(`${count('skipped')} skipped (--fail-fast)`);
    io.err(
      `py2pkg: batch of ${r.outcomes.length}: ${parts.join(', ')} in ${(r.ms / 1000).toFixed(1)} s${r.exitStatus ? `; exit status ${r.exitStatus}` : ''}\n`,
    );
    if (r.repository) io.err(`py2pkg: published ${r.repository.packages.length} package(s) into ${r.repository.dir}\n`);
    if (lock) io.err(`py2pkg: wrote ${lock}\n`);
  }
  // every failure's one line, even with --quiet (as a single conversion's error would be)
  for (const o of failed) io.err(`py2pkg: failed: ${singleLine(o.job.label ?? o.job.input, 120)}: ${o.error?.line.replace(/^py2pkg: /, '') ?? ''}\n`);
  if (r.publishError) io.err(`${r.publishError.line}\n`);
  else if (flags.repo && failed.length > 0) io.err(`py2pkg: nothing published into ${flags.repo}: ${failed.length} package(s) failed\n`);
}
