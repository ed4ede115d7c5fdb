/**
 * --recursive --dry-run benchmark (see bench/README.md, "Recursive plan"): a generated tree of
 * 50 projects — 45 signed sdists on a loopback simple-API index (test/support/index-server.ts),
 * each requiring up to two others and some requiring projects Debian 12 has (six, requests,
 * PyYAML, idna, certifi) — planned for the debian12 target against this host's apt lists.
 *
 *   cold   empty cache: index pages, sdists, signatures, PKG-INFO, the parsed apt lists
 *   warm   the same again, the median of --runs (goal: < 2 s)
 *
 * Every run through the real CLI (node bin/py2pkg.js), wall time. Prints Markdown and writes
 * bench/results/recursive-latest.md. Exit 1 when a run fails or the plan is not the expected one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startIndexServer } from '../test/support/index-server.js';
import { treeProjects, type TreeProject } from '../test/support/tree-index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'py2pkg.js');
const KEYS = join(ROOT, 'fixtures/keys/upstream-TEST-ONLY.pub.asc');

const { values } = parseArgs({ options: { runs: { type: 'string' }, results: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
if (values.help) {
  process.stdout.write('usage: node dist/bench/recursive.js [--runs N (5)] [--results FILE (bench/results/recursive-latest.md)]\n');
  process.exit(0);
}
const RUNS = Number(values.runs ?? 5);
const RESULTS = resolve(values.results ?? join(ROOT, 'bench/results/recursive-latest.md'));
const REUSED = ['six', 'requests', 'PyYAML', 'idna', 'certifi'];
const GENERATED = 45;

/** benchnode00 (the root) .. benchnode44: node i requires 2i+1 and 2i+2 (a binary tree), every 9th one also a Debian package. */
function tree(): TreeProject[] {
  const name = (i: number) => `benchnode${String(i).padStart(2, '0')}`;
  const list: TreeProject[] = [];
  for (let i = 0; i < GENERATED; i++) {
    const requires = [2 * i + 1, 2 * i + 2].filter((c) => c < GENERATED).map((c) => `${name(c)}>=1.0`);
    if (i % 9 === 0) requires.push(`${REUSED[(i / 9) % REUSED.length]}>=1.0`);
    list.push({ name: name(i), version: '1.0', requires });
  }
  return list;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'py2pkg-bench-recursive-'));
  const server = await startIndexServer({ projects: await treeProjects(tree()) });
  try {
    const env = {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: work,
      XDG_CACHE_HOME: join(work, 'cache'),
      XDG_CONFIG_HOME: join(work, 'config'),
      LANG: 'C.UTF-8',
    };
    const args = [CLI, '--recursive', 'benchnode00', '--dry-run', '--json', '--target', 'debian12', '--index-url', server.indexUrl, '--trusted-keys', KEYS];
    const once = async (): Promise<{ ms: number; convert: number; reuse: number }> => {
      const t0 = process.hrtime.bigint();
      const r = await execa(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), ...args], {
        env,
        extendEnv: false,
        reject: false,
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.exitCode !== 0) throw new Error(`py2pkg exited ${r.exitCode}: ${r.stderr}`);
      const { plan } = JSON.parse(r.stdout) as { plan: { convert: unknown[]; reuse: unknown[] } };
      return { ms, convert: plan.convert.length, reuse: plan.reuse.length };
    };
    const cold = await once();
    if (cold.convert !== GENERATED || cold.reuse !== REUSED.length) throw new Error(`unexpected plan: convert ${cold.convert}, reuse ${cold.reuse}`);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push((await once()).ms);
    const m = median(warm);
    const report = [
      '# --recursive --dry-run on a 50-project tree',
      '',
      `${new Date().toISOString()}, ${cpus().length} cores (shared), node ${process.version}; ${GENERATED} signed sdists on a loopback index + ${REUSED.length} projects reused from this host's apt lists (debian12).`,
      '',
      '| run | wall time | goal |',
      '|---|---|---|',
      `| cold (empty cache) | ${(cold.ms / 1000).toFixed(3)} s | |`,
      `| warm, median of ${RUNS} | ${(m / 1000).toFixed(3)} s | < 2 s: ${m < 2000 ? 'met' : 'NOT met'} |`,
      `| warm, each | ${warm.map((x) => (x / 1000).toFixed(3)).join(', ')} s | |`,
      '',
    ].join('\n');
    process.stdout.write(report);
    await writeFile(RESULTS, report);
    return 0;
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench/recursive: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
