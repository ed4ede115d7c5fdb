/**
 * The batch runner: many conversions in one process, at most `jobs` at a time. Every job runs
 * the whole pipeline (src/pipeline.ts), so every build still gets its own sandbox; the
 * pipeline's build cache, a requirements file's --hash and a lock's records apply per job.
 * One failure does not stop the others unless failFast (then no new job starts; running ones
 * finish). With --repo the packages are signed per job and published once, at the end, only
 * when every job succeeded. The exit status is the worst (errors.ts SEVERITY).
 *
 * `runBatch` is the entry point for other planners (--recursive feeds its plan here).
 */
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Io } from '../commands/context.js';
import { internalErrorLine, Py2pkgError, singleLine, userError, worstExitStatus, ExitStatus } from '../errors.js';
import type { PublishResult } from '../repo/publish-types.js';
import type { ConvertFlags, Settings } from '../settings.js';
import type { ConvertResult } from '../pipeline.js';
import { defaultCacheDir } from '../source/cache.js';
import type { LocalSdist } from '../types.js';
import { BatchDisplay, type DisplayMode } from './display.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

/** One conversion of a batch. */
export interface ConvertJob {
  /** what `py2pkg INPUT` takes: an sdist path or a requirement (name, name==1.2) */
  input: string;
  /** shown in the progress display and the summary (default: input) */
  label?: string;
  /** the sdist must have one of these sha256 digests (requirements --hash, a lock) */
  sdistSha256?: { allowed: string[]; code: 'HASH_MISMATCH' | 'LOCK_DRIFT'; where: string };
  /** the package files this job must produce, byte for byte (a lock's record) */
  expectFiles?: Array<{ name: string; sha256: string }>;
  /** flags for this job only, over the batch's (e.g. withExtras) */
  flags?: Partial<ConvertFlags>;
}

export interface BatchOptions {
  /** the flags `py2pkg convert` takes, shared by every job (--out, --target, --trusted-keys, --sign-key, --repo, ...) */
  flags: ConvertFlags;
  /** at most this many conversions at a time (default 1) */
  jobs?: number;
  failFast?: boolean;
  /** the build cache (default true; --no-cache) */
  cache?: boolean;
  io: Io;
  /** default: tty when stderr is a terminal and not --quiet/--json, plain otherwise, none with --quiet/--json */
  display?: DisplayMode;
  env?: NodeJS.ProcessEnv;
}

export interface PackageFile {
  path: string;
  name: string;
  sha256: string;
}

export interface JobOutcome {
  job: ConvertJob;
  state: 'converted' | 'cached' | 'failed' | 'skipped';
  ms: number;
  result?: ConvertResult;
  files?: PackageFile[];
  /** the job's resolved target and format (absent when its settings did not resolve) */
  target?: string;
  format?: 'deb' | 'rpm';
  error?: { code: string; exitStatus: number; line: string };
}

export interface BatchResult {
  outcomes: JobOutcome[];
  /** the worst exit status of the jobs and the publish (0 when all succeeded) */
  exitStatus: number;
  ms: number;
  /** --repo: the one publish at the end (absent when a job failed: nothing is published then) */
  repository?: PublishResult;
  publishError?: { code: string; exitStatus: number; line: string };
}

/** A job's flags: the batch publishes, not the job (--repo and the options that go with it are the batch's). */
const NO_REPO = {
  repo: undefined,
  suite: undefined,
  component: undefined,
  origin: undefined,
  label: undefined,
  validFor: undefined,
  repoUrl: undefined,
  replace: undefined,
  lockTimeout: undefined,
};

/** A neutral requirement to resolve the batch-wide settings (flags, config, key, repo) with. */
const PROBE_INPUT = 'py2pkg-batch-settings';

function errorOf(e: unknown): { code: string; exitStatus: number; line: string } {
  const known = userError(e);
  if (known) return { code: known.code, exitStatus: known.exitStatus, line: known.oneLine() };
  return { code: 'INTERNAL', exitStatus: ExitStatus.internal, line: internalErrorLine(e) };
}

export async function runBatch(jobs: ConvertJob[], opts: BatchOptions): Promise<BatchResult> {
  const t0 = Date.now();
  const env = opts.env ?? process.env;
  const [{ resolveSettings }, { convert, sha256File }, { prepareOutDir }] = await Promise.all([
    import('../settings.js'),
    import('../pipeline.js'),
    import('../out-dir.js'),
  ]);
  // flag and config problems stop the whole batch before any work (exit 2, one line)
  const base = await resolveSettings(PROBE_INPUT, opts.flags, env);
  if (jobs.length > 1 && (base.signature || base.provenance))
    throw new Py2pkgError('USAGE', "--signature and --provenance name one sdist's evidence: they cannot be used with several inputs");
  const signStage = base.repo ? await import('../sign/stage.js') : undefined;
  const plan = signStage ? await signStage.planRelease(base.signing, base.repo, base.format) : undefined;
  const undoOutDir = await prepareOutDir(base.outDir);
  const buildCache =
    opts.cache === false || /^(1|true|yes|on)$/i.test(env.PY2PKG_NO_CACHE ?? '')
      ? undefined
      : await import('../cache/build-cache.js').then(({ BuildCache }) => new BuildCache(base.source?.cacheDir ?? defaultCacheDir(env)));
  const quietish = base.quiet || base.json;
  const mode: DisplayMode = opts.display ?? (quietish ? 'none' : process.stderr.isTTY ? 'tty' : 'plain');
  const display = new BatchDisplay(opts.io.err, jobs.length, mode, process.stderr.columns ?? 100);

  const outcomes: JobOutcome[] = jobs.map((job) => ({ job, state: 'skipped', ms: 0 }));
  let next = 0;
  let stop = false;

  const runOne = async (i: number): Promise<void> => {
    const job = jobs[i] as ConvertJob;
    const label = job.label ?? job.input;
    const started = Date.now();
    display.start(i, label);
    const outcome = outcomes[i] as JobOutcome;
    let settings: Settings | undefined;
    try {
      // the batch publishes once at the end: jobs sign but do not publish
      settings = await resolveSettings(job.input, { ...opts.flags, ...job.flags, ...NO_REPO }, env);
      outcome.target = settings.target.id;
      outcome.format = settings.format;
      const checkSdist = job.sdistSha256 ? sdistCheck(job.sdistSha256) : undefined;
      const result = await convert(settings, (m) => display.stage(i, m), {
        warn: quietish ? () => {} : (m) => display.log(`py2pkg: warning: ${singleLine(label, 80)}: ${m}`),
        notify: (m) => display.log(`py2pkg: ${singleLine(label, 80)}: ${m}`),
        ...(buildCache ? { buildCache } : {}),
        ...(checkSdist ? { checkSdist } : {}),
      });
      const paths = [result.output.path, ...(result.output.debugSymbols ? [result.output.debugSymbols.path] : [])];
      const files = await Promise.all(paths.map(async (path) => ({ path, name: basename(path), sha256: await sha256File(path) })));
      if (job.expectFiles) await checkExpected(job.expectFiles, files, label);
      Object.assign(outcome, { state: result.cached ? 'cached' : 'converted', result, files });
      display.finish(i, outcome.state as 'converted' | 'cached', result.output.path);
    } catch (e) {
      outcome.state = 'failed';
      outcome.error = errorOf(e);
      if (opts.failFast) stop = true;
      display.finish(i, 'failed', outcome.error.line);
    } finally {
      outcome.ms = Date.now() - started;
    }
  };

  const worker = async (): Promise<void> => {
    while (!stop && next < jobs.length) await runOne(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, jobs.length)) }, worker));
  } finally {
    display.close();
  }

  const result: BatchResult = { outcomes, exitStatus: 0, ms: 0 };
  const ok = outcomes.filter((o) => o.files);
  if (ok.length === 0) await undoOutDir();
  if (plan?.repo && ok.length === jobs.length && ok.length > 0) {
    try {
      result.repository = await publishAll(
        plan,
        ok.flatMap((o) => (o.files ?? []).map((f) => f.path)),
        mode === 'none' ? () => {} : (m) => display.log(`py2pkg: ${m}`),
      );
    } catch (e) {
      result.publishError = errorOf(e);
    }
  }
  result.exitStatus = worstExitStatus([...outcomes.map((o) => o.error?.exitStatus ?? 0), result.publishError?.exitStatus ?? 0]);
  result.ms = Date.now() - t0;
  return result;
}

function sdistCheck(want: NonNullable<ConvertJob['sdistSha256']>): (sdist: LocalSdist) => void {
  return (sdist) => {
    if (want.allowed.includes(sdist.sha256)) return;
    const what = want.code === 'LOCK_DRIFT' ? `the lock records sha256 ${want.allowed[0] ?? ''}` : `${want.where} allows ${want.allowed.join(', ')}`;
    throw new Py2pkgError(want.code, `${sdist.filename} has sha256 ${sdist.sha256}, but ${what}`);
  };
}

/** A lock's record of the package files: the same names with the same bytes, else the new files are removed. */
async function checkExpected(expected: Array<{ name: string; sha256: string }>, got: PackageFile[], label: string): Promise<void> {
  const want = new Map(expected.map((e) => [e.name, e.sha256]));
  for (const f of got) {
    const sha = want.get(f.name);
    if (sha === f.sha256) continue;
    await rm(f.path, { force: true });
    throw new Py2pkgError(
      'LOCK_DRIFT',
      sha === undefined
        ? `${label} produced ${f.name}, which the lock does not record (it records ${[...want.keys()].join(', ')})`
        : `${label} produced ${f.name} with sha256 ${f.sha256}, but the lock records ${sha}`,
    );
  }
  if (got.length !== want.size) throw new Py2pkgError('LOCK_DRIFT', `${label} produced ${got.length} file(s), the lock records ${want.size}`);
}

async function publishAll(plan: import('../sign/stage.js').ReleasePlan, files: string[], progress: (m: string) => void): Promise<PublishResult> {
  const repo = plan.repo;
  if (!repo) throw new Error('publishAll without a repository');
  const [{ openSigner }, { publish }] = await Promise.all([import('../sign/signer.js'), import('../repo/publish.js')]);
  const work = makeWorkDir('py2pkg-publish-');
  const signer = await openSigner(plan.signer.spec);
  try {
    progress(`publish ${files.length} package(s) into ${repo.dir}`);
    return await publish(files.some((f) => f.endsWith('.rpm')) ? 'yum' : 'apt', { opts: repo, files, removals: [], signer, workDir: work, progress });
  } finally {
    await signer.close();
    await removeWorkDir(work);
  }
}
