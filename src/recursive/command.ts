/**
 * `py2pkg --recursive REQ...`: resolve the requirement tree for the target (tree.ts), print the
 * plan (what is reused from the target archive, what is converted) before any work, stop there
 * with --dry-run or when the plan has problems (their worst exit status), else convert the
 * rest as one batch (src/batch/run.ts: -j, --repo publishes them together, the cache).
 */
import { dirname, resolve } from 'node:path';
import type { Io } from '../commands/context.js';
import type { BatchFlags } from '../batch/command.js';
import type { ConvertJob } from '../batch/run.js';
import { ExitWithStatus, Py2pkgError, singleLine } from '../errors.js';
import { looksLikeLocalPath } from '../source/options.js';
import type { PlanNode } from './tree.js';

export interface RecursiveFlags extends BatchFlags {
  recursive?: boolean;
  dryRun?: boolean;
  /** --archive-url URL (repeatable) */
  archiveUrl?: string[];
}

const PROBE_INPUT = 'py2pkg-recursive-settings';

export async function runRecursiveCommand(inputs: string[], flags: RecursiveFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (inputs.length === 0) throw new Py2pkgError('USAGE', "--recursive needs at least one requirement (name, name==1.2, 'name[extra]>=1')");
  for (const i of inputs)
    if (looksLikeLocalPath(i))
      throw new Py2pkgError(
        'USAGE',
        `--recursive resolves requirements on the index; "${singleLine(i, 80)}" is a path: publish it on an index or --find-links directory and name it`,
      );
  if ((flags.requirement?.length ?? 0) > 0 || flags.locked)
    throw new Py2pkgError(
      'USAGE',
      '--recursive cannot be combined with -r or --locked (a lock written with --recursive --lock FILE is replayed by py2pkg --locked --lock FILE alone)',
    );
  const [
    { resolveSettings },
    { parseRequirement },
    { defaultCacheDir },
    { netConfig },
    { loadTargetArchive },
    { resolveTree },
    { nodeFetcher },
    { planLines, planJson },
  ] = await Promise.all([
    import('../settings.js'),
    import('../python/pep508.js'),
    import('../source/cache.js'),
    import('../source/stage.js'),
    import('./archive-load.js'),
    import('./tree.js'),
    import('./fetch-node.js'),
    import('./plan-text.js'),
  ]);
  for (const i of inputs) {
    try {
      const r = parseRequirement(i);
      if (r.url !== undefined || r.marker !== undefined) throw new Error('url or marker');
    } catch {
      throw new Py2pkgError('USAGE', `"${singleLine(i, 80)}" is not a requirement such as name, name==1.2 or 'name[extra]>=1,<2'`);
    }
  }
  const base = await resolveSettings(PROBE_INPUT, flags, env);
  const quietish = base.quiet || base.json;
  const progress = quietish ? () => {} : (m: string) => io.err(`py2pkg: ${m}\n`);
  const warn = quietish ? () => {} : (m: string) => io.err(`py2pkg: warning: ${m}\n`);
  const notify = (m: string) => io.err(`py2pkg: ${m}\n`);
  const cacheDir = base.source?.cacheDir ?? defaultCacheDir(env);
  const net = base.source ? netConfig(base.source, progress) : undefined;
  const archive = await loadTargetArchive(base.target, { archiveUrls: flags.archiveUrl ?? [], net, cacheDir });
  const plan = await resolveTree(inputs, {
    profile: base.target,
    archive,
    fetch: nodeFetcher({ settings: base, cacheDir, progress: () => {}, warn, notify }),
    dropDepends: base.dependencies.dropDepends,
    rootExtras: base.dependencies.withExtras,
    warn,
  });

  const text = planLines(plan)
    .map((l) => `${l}\n`)
    .join('');
  if (flags.dryRun || plan.exitStatus !== 0) {
    if (flags.json) io.out(`${JSON.stringify({ plan: planJson(plan) }, null, 2)}\n`);
    else if (flags.dryRun) io.out(text);
    else io.err(text);
    if (plan.exitStatus !== 0) {
      io.err(`py2pkg: the plan has ${plan.problems} problem(s), marked error[...] on their node${flags.dryRun ? '' : '; nothing was converted'}\n`);
      throw new ExitWithStatus(plan.exitStatus);
    }
    return;
  }
  if (!flags.json && !base.quiet) io.err(text);
  if (plan.convert.length === 0) {
    if (flags.json) io.out(`${JSON.stringify({ plan: planJson(plan), packages: [] }, null, 2)}\n`);
    else if (!base.quiet) io.err('py2pkg: nothing to convert: the target archive has every node\n');
    return;
  }
  // the packages converted together satisfy each other's bounds whatever the archive data has
  const { debianBinaryName } = await import('../deps/names.js');
  // (each job names only its own converted requirements: the build record and cache key stay the node's own)
  const converted = new Map(plan.convert.map((c) => [c.project, c]));
  const plannedFor = new Map<string, Record<string, string>>();
  const walk = (n: PlanNode) => {
    if (n.action === 'convert') {
      const mine = plannedFor.get(n.project) ?? {};
      for (const child of n.children) {
        const c = converted.get(child.project);
        if (c) mine[debianBinaryName(c.name)] = c.version;
      }
      plannedFor.set(n.project, mine);
    }
    n.children.forEach(walk);
  };
  plan.roots.forEach(walk);
  const jobs: ConvertJob[] = plan.convert.map((c) => ({
    input: `${c.name}==${c.version}`,
    label: `${c.name} ${c.version}`,
    sdistSha256: { allowed: [c.sha256], code: 'HASH_MISMATCH', where: 'the --recursive plan' },
    flags: {
      withExtras: c.extras,
      ...(base.format === 'deb' && Object.keys(plannedFor.get(c.project) ?? {}).length > 0 ? { plannedPackages: plannedFor.get(c.project) } : {}),
    },
  }));
  const [{ runBatch }, { printBatchReport, MAX_JOBS }] = await Promise.all([import('../batch/run.js'), import('../batch/command.js')]);
  const j = flags.jobs === undefined ? 1 : Number(flags.jobs);
  if (!Number.isInteger(j) || j < 1 || j > MAX_JOBS) throw new Py2pkgError('USAGE', `-j/--jobs wants a whole number from 1 to ${MAX_JOBS}`);
  const result = await runBatch(jobs, {
    flags: { ...flags, withExtras: [] },
    jobs: j,
    failFast: Boolean(flags.failFast),
    cache: flags.cache !== false,
    io,
    env,
  });
  // --lock FILE: the converted set, for `py2pkg --locked` (written only when every job succeeded)
  const lockFile = flags.lock !== undefined && result.exitStatus === 0 ? resolve(flags.lock) : undefined;
  if (lockFile) {
    const { entryFor, writeLock } = await import('../lock/lockfile.js');
    const options = { maintainer: base.maintainer, signedBy: null, sourceDateEpoch: base.sourceDateEpoch ?? null };
    await writeLock(
      lockFile,
      result.outcomes.map((o) =>
        entryFor(o, dirname(lockFile), {
          ...options,
          withExtras: o.job.flags?.withExtras ?? [],
          ...(o.job.flags?.plannedPackages ? { plannedPackages: o.job.flags.plannedPackages } : {}),
        }),
      ),
    );
  }
  if (flags.json) {
    const packages = result.outcomes.map((o) => ({
      input: o.job.input,
      state: o.state,
      ...(o.files ? { files: o.files } : {}),
      ...(o.error ? { error: o.error } : {}),
    }));
    io.out(
      `${JSON.stringify({ plan: planJson(plan), exitStatus: result.exitStatus, packages, ...(result.repository ? { repository: result.repository } : {}) }, null, 2)}\n`,
    );
    for (const o of result.outcomes) if (o.error) io.err(`py2pkg: failed: ${o.job.input}: ${o.error.line.replace(/^py2pkg: /, '')}\n`);
  } else printBatchReport(result, flags, io, lockFile);
  if (result.exitStatus !== 0) throw new ExitWithStatus(result.exitStatus);
}
