/**
 * Batch benchmark (see bench/README.md, "Batch, cache"): 30 generated sdists with distinct
 * names (setuptools, flit_core and hatchling in turn, signed with the TEST-ONLY key), in one
 * run, side by side:
 *
 *   serial     py2pkg <30 sdists> -j1 --no-cache
 *   parallel   py2pkg <30 sdists> -j2 --no-cache      (goal: serial ÷ parallel ≥ 1.8)
 *   cold       py2pkg <30 sdists> -j2, empty build cache
 *   rerun      the same again, unchanged              (goal: rerun ÷ cold ≤ 0.1)
 *   single     py2pkg <one sdist> --no-cache, each of the first `--singles` sdists, in every round
 *              (goal: serial batch ÷ 30 ≤ 0.8 × the single conversion's median)
 *   memory     peak resident memory of the whole process tree of one more -j2 run, sampled from
 *              /proc every 100 ms (goal < 500 MB), and GNU time's %M (largest single process);
 *              the timed runs are not sampled (the sampler's CPU would weigh on -j2 only)
 *
 * Prints Markdown and writes bench/results/batch-latest.md. Exit 1 only when a run fails.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { signDetached } from '../fixtures/sign.js';
import { buildTgz, type TarEntry } from '../test/support/tarbuilder.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'py2pkg.js');
const KEYS = join(ROOT, 'fixtures/keys/upstream-TEST-ONLY.pub.asc');
const SECRET = join(ROOT, 'fixtures/keys/upstream-TEST-ONLY.sec.asc');
const MTIME = 1700000000;

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    singles: { type: 'string' },
    rounds: { type: 'string' },
    results: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    'usage: node dist/bench/batch.js [--count N (30)] [--singles N (5)] [--rounds N (3)] [--results FILE (bench/results/batch-latest.md)]\n',
  );
  process.exit(0);
}
const COUNT = Number(values.count ?? 30);
const SINGLES = Number(values.singles ?? 5);
/** rounds: py2pkg serial and -j2, and the bare builds 1 and 2 at a time, each once per round, in rotating order */
const ROUNDS = Math.max(1, Number(values.rounds ?? 3));
const RESULTS = resolve(values.results ?? join(ROOT, 'bench/results/batch-latest.md'));

const BACKENDS = [
  { name: 'setuptools', requires: 'setuptools>=61', backend: 'setuptools.build_meta', extra: '[tool.setuptools]\npackages = ["NAME"]\n' },
  { name: 'flit_core', requires: 'flit_core>=3.2', backend: 'flit_core.buildapi', extra: '' },
  { name: 'hatchling', requires: 'hatchling', backend: 'hatchling.build', extra: '[tool.hatch.build.targets.wheel]\npackages = ["NAME"]\n' },
] as const;

/** One small pure-Python sdist: PKG-INFO, pyproject.toml, a package, a license. */
function sdistEntries(i: number): { name: string; entries: TarEntry[] } {
  const name = `benchpkg${String(i).padStart(2, '0')}`;
  const b = BACKENDS[i % BACKENDS.length]!;
  const top = `${name}-1.0`;
  const file = (path: string, data: string): TarEntry => ({ path: `${top}/${path}`, data, mtime: MTIME, mode: 0o644 });
  return {
    name,
    entries: [
      { path: `${top}/`, type: 'dir', mtime: MTIME, mode: 0o755 },
      file('PKG-INFO', `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\nSummary: benchmark package ${i}\nLicense: MIT\nRequires-Python: >=3.8\n`),
      file(
        'pyproject.toml',
        `[build-system]\nrequires = ["${b.requires}"]\nbuild-backend = "${b.backend}"\n\n[project]\nname = "${name}"\nversion = "1.0"\ndescription = "benchmark package ${i}"\nrequires-python = ">=3.8"\nlicense = { text = "MIT" }\n\n${b.extra.replace('NAME', name)}`,
      ),
      { path: `${top}/${name}/`, type: 'dir', mtime: MTIME, mode: 0o755 },
      file(`${name}/__init__.py`, `"""benchmark package ${i}."""\n__version__ = "1.0"\n\n\ndef answer():\n    return ${i}\n`),
      file(
        'LICENSE',
        'MIT License\n\nCopyright (c) 2023 Bench\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n',
      ),
    ],
  };
}

async function makeSdists(dir: string): Promise<string[]> {
  const key = readFileSync(SECRET, 'utf8');
  const out: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const { name, entries } = sdistEntries(i);
    const path = join(dir, `${name}-1.0.tar.gz`);
    const data = buildTgz(entries);
    await writeFile(path, data);
    await writeFile(`${path}.asc`, (await signDetached(data, key)) as string);
    out.push(path);
  }
  return out;
}

interface Run {
  ms: number;
  /** peak RSS of the whole process tree (KiB), sampled */
  treeKiB: number;
  /** GNU time %M: the largest single process (KiB) */
  maxKiB: number;
}

/** Sum of VmRSS over `pid` and its descendants, from /proc. */
async function treeRss(pid: number): Promise<number> {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      parent.set(Number(entry), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      rss.set(Number(entry), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    } catch {
      // the process ended meanwhile
    }
  }
  let sum = 0;
  for (const [p] of rss) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        sum += rss.get(p) ?? 0;
        break;
      }
    }
  }
  return sum;
}

/**
 * One py2pkg run, timed. `sampleTree`: also sample the process tree's resident memory from /proc
 * every 100 ms; that sampling costs CPU on the machine's two cores, more so when both are busy, so
 * the timed comparisons run without it and memory has its own run.
 */
async function run(args: string[], env: Record<string, string>, expect: number, sampleTree = false): Promise<Run> {
  const tmp = await mkdtemp(join(tmpdir(), 'bench-batch-run-'));
  const timeFile = join(tmp, 'time');
  const t0 = process.hrtime.bigint();
  const child = execa('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, CLI, ...args], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', SOURCE_DATE_EPOCH: String(MTIME), ...env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 3_600_000,
  });
  let treeKiB = 0;
  const sampler = sampleTree
    ? setInterval(() => {
        if (child.pid) void treeRss(child.pid).then((k) => (treeKiB = Math.max(treeKiB, k)));
      }, 100)
    : undefined;
  const r = await child;
  clearInterval(sampler);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const maxKiB = Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop());
  await rm(tmp, { recursive: true, force: true });
  if (r.exitCode !== 0) throw new Error(`py2pkg ${args.slice(0, 3).join(' ')}… exited ${r.exitCode}\n${String(r.stderr).slice(-3000)}`);
  const produced = String(r.stdout).trim().split('\n').filter(Boolean).length;
  if (produced !== expect) throw new Error(`expected ${expect} packages, got ${produced}`);
  return { ms, treeKiB, maxKiB };
}

/**
 * The machine's own scaling for this work: the same sdists unpacked, and only their wheel builds
 * (`python3 -m build --wheel --no-isolation`, no sandbox, no py2pkg), `j` at a time. Wall ms.
 */
async function bareBuilds(dirs: string[], j: number, out: string): Promise<number> {
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', SOURCE_DATE_EPOCH: String(MTIME), HOME: out, PYTHONDONTWRITEBYTECODE: '1' };
  await mkdir(out, { recursive: true });
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < dirs.length) {
      const dir = dirs[next++]!;
      await execa('/usr/bin/python3', ['-m', 'build', '--wheel', '--no-isolation', '--skip-dependency-check', '--outdir', out, dir], {
        env,
        extendEnv: false,
        stdout: 'ignore',
      });
    }
  };
  await Promise.all(Array.from({ length: j }, worker));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await rm(out, { recursive: true, force: true });
  return ms;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'bench-batch-'));
  try {
    const sdists = await makeSdists(join(await mkdir(join(work, 'sdists'), { recursive: true }).then(() => work), 'sdists'));
    const common = ['--trusted-keys', KEYS, '--maintainer', 'py2pkg benchmark <bench@example.org>', '--quiet'];
    const home = (n: string) => ({ HOME: join(work, n), XDG_CACHE_HOME: join(work, n, 'cache') });
    const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

    // the same builds without py2pkg, for scale: the sdists unpacked, wheel builds only
    const unpacked = join(work, 'unpacked');
    await mkdir(unpacked, { recursive: true });
    for (const f of sdists) await execa('/usr/bin/tar', ['-xzf', f, '-C', unpacked], { env: { PATH: '/usr/bin:/bin' }, extendEnv: false });
    const dirs = (await readdir(unpacked)).sort().map((d) => join(unpacked, d));

    // the machine is shared: each round runs py2pkg serial and -j2 and the bare builds 1 and 2 at
    // a time, in an order that rotates between rounds, and the medians are compared
    const serials: Run[] = [];
    const parallels: Run[] = [];
    const bare1: number[] = [];
    const bare2: number[] = [];
    const loads: string[] = [];
    const batchAt = (j: 1 | 2, into: Run[]) => async (p: number) => {
      loads.push(`${j === 1 ? 'serial' : '-j2'} ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
      log(`round ${p + 1}/${ROUNDS}: py2pkg batch -j${j}, --no-cache`);
      const out = join(work, `o-j${j}-${p}`);
      into.push(await run([...sdists, '-j', String(j), '--no-cache', '--out', out, ...common], home(`h${j}-${p}`), COUNT));
      await rm(out, { recursive: true, force: true });
    };
    const bareAt = (j: 1 | 2, into: number[]) => async (p: number) => {
      log(`round ${p + 1}/${ROUNDS}: bare builds, ${j} at a time`);
      into.push(await bareBuilds(dirs, j, join(work, `bare-${j}-${p}`)));
    };
    const contenders = [batchAt(1, serials), batchAt(2, parallels), bareAt(1, bare1), bareAt(2, bare2)];
    // single conversions (each of the first SINGLES sdists), in the rounds too: the batch's per-package cost is compared with them
    const singles: number[] = [];
    contenders.push(async (p: number) => {
      for (let i = 0; i < Math.min(SINGLES, COUNT); i++) {
        log(`round ${p + 1}/${ROUNDS}: single conversion ${i + 1}/${SINGLES}`);
        singles.push((await run([sdists[i]!, '--no-cache', '--out', join(work, `o-single-${p}-${i}`), ...common], home(`h4-${p}`), 1)).ms);
      }
    });
    for (let p = 0; p < ROUNDS; p++) {
      for (let k = 0; k < contenders.length; k++) await contenders[(k + p) % contenders.length]!(p);
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const bareSpeedup = med(bare1) / med(bare2);
    const byMs = (a: Run, b: Run) => a.ms - b.ms;
    const serial = [...serials].sort(byMs)[Math.floor(ROUNDS / 2)]!;
    log('memory: py2pkg batch -j2, --no-cache, the process tree sampled (untimed)');
    const memory = await run([...sdists, '-j', '2', '--no-cache', '--out', join(work, 'o-memory'), ...common], home('h5'), COUNT, true);
    const parallel = {
      ...[...parallels].sort(byMs)[Math.floor(ROUNDS / 2)]!,
      treeKiB: memory.treeKiB,
      maxKiB: Math.max(memory.maxKiB, ...parallels.map((r) => r.maxKiB)),
    };
    log('cold batch -j2 with an empty build cache');
    const cold = await run([...sdists, '-j', '2', '--out', join(work, 'o-cold'), ...common], home('h3'), COUNT);
    log('unchanged rerun');
    const rerun = await run([...sdists, '-j', '2', '--out', join(work, 'o-cold'), ...common], home('h3'), COUNT);
    const single = median(singles);
    const perSerial = serial.ms / COUNT;
    const perParallel = parallel.ms / COUNT;
    const speedup = serial.ms / parallel.ms;
    const pairRatios = serials.map((r, i) => (r.ms / parallels[i]!.ms).toFixed(2)).join(', ');
    const rerunRatio = rerun.ms / cold.ms;
    const goals: Array<[string, string, boolean | null]> = [
      [`-j2 ≥ 1.8× faster than serial`, `${speedup.toFixed(2)}× (${s(serial.ms)} vs ${s(parallel.ms)})`, speedup >= 1.8],
      [
        'for scale, not a goal: the bare wheel builds of the same sdists, 2 at a time vs 1 (what this machine gives two processes)',
        `${bareSpeedup.toFixed(2)}× (${s(med(bare1))} vs ${s(med(bare2))}); py2pkg's -j2 gets ${((speedup / bareSpeedup) * 100).toFixed(0)}% of it`,
        null,
      ],
      ['unchanged rerun ≤ 0.1× the cold run', `${rerunRatio.toFixed(3)}× (${s(rerun.ms)} vs ${s(cold.ms)})`, rerunRatio <= 0.1],
      [
        'per-package cost in a batch ≤ 0.8× a single conversion (serial batch)',
        `${(perSerial / single).toFixed(2)}× (${s(perSerial)} vs ${s(single)})`,
        perSerial / single <= 0.8,
      ],
      [
        'per-package cost in a -j2 batch (wall ÷ N) vs a single conversion',
        `${(perParallel / single).toFixed(2)}× (${s(perParallel)} vs ${s(single)})`,
        perParallel / single <= 0.8,
      ],
      [
        `peak memory of the ${COUNT}-sdist -j2 batch < 500 MB (whole process tree)`,
        `${mib(parallel.treeKiB)} (largest process ${mib(parallel.maxKiB)})`,
        parallel.treeKiB * 1024 < 500e6,
      ],
    ];
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const report = `# py2pkg batch benchmark

- date: ${new Date().toISOString()}
- machine: ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; load average at the end ${load} (other work shares the machine: times are upper bounds)
- input: ${COUNT} generated sdists (setuptools, flit_core, hatchling in turn), signed with the TEST-ONLY key; SOURCE_DATE_EPOCH=${MTIME}; ${ROUNDS} rounds of py2pkg serial, py2pkg -j2 and the bare builds 1 and 2 at a time, in rotating order (medians shown; serial ÷ -j2 per round: ${pairRatios}; 1-minute load average as each py2pkg batch started: ${loads.join(', ')}); single conversions of the first ${Math.min(SINGLES, COUNT)} sdists in every round (${singles.length} in all); the cache runs (cold, then unchanged) once

| run | wall | per package | peak RSS, process tree | largest process |
|---|---:|---:|---:|---:|
| serial batch (-j1, --no-cache), median | ${s(serial.ms)} | ${s(perSerial)} | not sampled | ${mib(serial.maxKiB)} |
| parallel batch (-j2, --no-cache), median (process tree: a separate sampled run; largest process: the largest of all) | ${s(parallel.ms)} | ${s(perParallel)} | ${mib(parallel.treeKiB)} | ${mib(parallel.maxKiB)} |
| cold batch (-j2, empty cache) | ${s(cold.ms)} | ${s(cold.ms / COUNT)} | not sampled | ${mib(cold.maxKiB)} |
| unchanged rerun (-j2, cache) | ${s(rerun.ms)} | ${s(rerun.ms / COUNT)} | not sampled | ${mib(rerun.maxKiB)} |
| single conversion (median of ${singles.length}) | ${s(single)} | ${s(single)} | | |

## Goals

| goal | measured | met |
|---|---:|:---:|
${goals.map(([g, m, ok]) => `| ${g} | ${m} | ${ok === null ? '—' : ok ? 'yes' : '**no**'} |`).join('\n')}
`;
    process.stdout.write(report);
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, report);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
