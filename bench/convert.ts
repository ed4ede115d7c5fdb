/**
 * Conversion benchmark (see bench/README.md): on one sdist, in one run, interleaved
 * round-robin so that machine noise hits every contender alike:
 *
 *   py2pkg   the real CLI process: verify + unpack + sandboxed build + install + dpkg-deb
 *   floor    the same work with no checks and no sandbox (tar, build, installer, dpkg-deb)
 *   stdeb    Debian's py2dsc-deb on the same sdist (fewer runs: it is slow)
 *   version  `py2pkg --version` startup (and `node -e 0` as the reference floor)
 *
 * Prints a Markdown report and writes it to bench/results/latest.md. Exits 1 only when a
 * contender fails to run or produces no package; slow numbers are reported, never fatal.
 *
 * Every process goes through execa with an argument array, an explicit environment and a
 * timeout. Python is only ever /usr/bin/python3 with a system PATH (never a pyenv shim).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import {
  ROOT,
  PYTHON,
  DPKG_DEB,
  PY2DSC_DEB,
  BWRAP,
  GNU_TIME,
  SOURCE_DATE_EPOCH,
  ContenderFailed,
  env,
  py2pkgContender,
  floorContender,
  stdebContender,
  versionContender,
  nodeContender,
  sandboxProbe,
  probeContender,
  type Options,
  type Sample,
  type Contender,
} from './convert-contenders.js';

const USAGE = `usage: node dist/bench/convert.js [options]
       make bench [BENCH_ARGS='options']

  --runs N            conversions per contender for py2pkg and the floor (default 7)
  --stdeb-runs N      py2dsc-deb runs (default 3; 0 skips stdeb)
  --version-runs N    py2pkg --version runs (default 20)
  --warmup N          untimed runs of each contender before measuring (default 1)
  --sdist FILE        input sdist (default fixtures/dist/rpc4django-0.6.3.tar.gz; FILE.asc beside it)
  --trusted-keys FILE pinned signer keys (default fixtures/keys/upstream-TEST-ONLY.pub.asc)
  --results FILE      where the Markdown report goes (default bench/results/latest.md)
  -h, --help          this text
`;

// ---------------------------------------------------------------------------------------
// options

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      'stdeb-runs': { type: 'string' },
      'version-runs': { type: 'string' },
      warmup: { type: 'string' },
      sdist: { type: 'string' },
      'trusted-keys': { type: 'string' },
      results: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const count = (name: string, raw: string | undefined, def: number, min: number): number => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    runs: count('runs', values.runs, 7, 1),
    stdebRuns: count('stdeb-runs', values['stdeb-runs'], 3, 0),
    versionRuns: count('version-runs', values['version-runs'], 20, 1),
    warmup: count('warmup', values.warmup, 1, 0),
    sdist: resolve(values.sdist ?? join(ROOT, 'fixtures/dist/rpc4django-0.6.3.tar.gz')),
    keys: resolve(values['trusted-keys'] ?? join(ROOT, 'fixtures/keys/upstream-TEST-ONLY.pub.asc')),
    results: resolve(values.results ?? join(ROOT, 'bench/results/latest.md')),
  };
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------
// scheduling and statistics

/** How many of `total` runs fall in iteration `i` of `n` (evenly spread). */
function share(total: number, i: number, n: number): number {
  return Math.floor(((i + 1) * total) / n) - Math.floor((i * total) / n);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
}
const stats = (xs: number[]): Stats => ({ n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

function fmtMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
}

// ---------------------------------------------------------------------------------------
// main

async function machine(): Promise<Record<string, string>> {
  const q = async (file: string, args: string[]): Promise<string> => {
    const r = await execa(file, args, { env: env(tmpdir()), extendEnv: false, reject: false, timeout: 10_000, stdin: 'ignore' });
    return r.exitCode === 0 ? (`${String(r.stdout)}${String(r.stderr)}`.trim().split('\n')[0] ?? '') : 'unknown';
  };
  const osRelease = existsSync('/etc/os-release') ? (/^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown') : 'unknown';
  const commit = existsSync(join(ROOT, '.git')) ? await q('/usr/bin/git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) : 'unknown';
  return {
    cpu: `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length} cores`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${osRelease}, Linux ${release()}`,
    node: process.version,
    python: await q(PYTHON, ['--version']),
    dpkg: await q('/usr/bin/dpkg-query', ['-W', '-f', '${Version}', 'dpkg']),
    stdeb: await q('/usr/bin/dpkg-query', ['-W', '-f', '${Version}', 'python3-stdeb']),
    commit,
  };
}

async function main(): Promise<number> {
  let o: Options;
  try {
    // `make bench BENCH_ARGS='--runs 15'`: make exports command-line variables to recipes
    const fromMake = (process.env.BENCH_ARGS ?? '').split(/\s+/).filter(Boolean);
    o = parseOptions([...fromMake, ...process.argv.slice(2)]);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  for (const [what, p] of [
    ['sdist', o.sdist],
    ['signature', `${o.sdist}.asc`],
    ['trusted keys', o.keys],
    ['py2pkg build (run make build)', join(ROOT, 'dist/src/cli.js')],
    ['python3', PYTHON],
    ['dpkg-deb', DPKG_DEB],
    ['bwrap', BWRAP],
    ...(o.stdebRuns > 0 ? [['py2dsc-deb (apt-get install python3-stdeb)', PY2DSC_DEB]] : []),
  ] as Array<[string, string]>) {
    if (!existsSync(p)) {
      process.stderr.write(`bench: ${what} not found: ${p}\n`);
      return 1;
    }
  }
  const haveTime = existsSync(GNU_TIME);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const sha256 = createHash('sha256').update(readFileSync(o.sdist)).digest('hex');
  const box = await mkdtemp(join(tmpdir(), 'bench-box-'));

  const conv = [py2pkgContender(o, haveTime), floorContender(o), stdebContender(o)];
  const probeHelper = join(ROOT, 'python/probe_build_deps.py');
  const quick = [
    versionContender(version),
    nodeContender(),
    sandboxProbe(false, box),
    sandboxProbe(true, box),
    ...(existsSync(probeHelper) ? [probeContender(probeHelper, box)] : []),
  ];
  const samples = new Map<string, Sample[]>();
  const labels = new Map<string, string>([...conv, ...quick].map((c) => [c.key, c.label]));
  const record = (key: string, s: Sample): void => {
    samples.set(key, [...(samples.get(key) ?? []), s]);
  };
  const log = (m: string): void => {
    process.stderr.write(`bench: ${m}\n`);
  };

  try {
    const started = new Date();
    log(
      `input ${basename(o.sdist)} (sha256 ${sha256.slice(0, 16)}…), ${o.runs} runs, ${o.stdebRuns} stdeb runs, ${o.versionRuns} --version runs, ${o.warmup} warm-up`,
    );
    for (let w = 0; w < o.warmup; w++) {
      for (const c of [...conv.filter((c) => c.key !== 'stdeb' || o.stdebRuns > 0), ...quick]) {
        log(`warm-up ${c.key}`);
        await c.run();
      }
    }
    for (let i = 0; i < o.runs; i++) {
      // round-robin, and the starting contender rotates so that none always goes first;
      // stdeb's fewer runs are spread over the iterations
      const order: Contender[] = [];
      for (const c of conv) {
        const times = c.key === 'stdeb' ? share(o.stdebRuns, i, o.runs) : 1;
        for (let k = 0; k < times; k++) order.push(c);
      }
      const rot = i % order.length;
      const rotated = [...order.slice(rot), ...order.slice(0, rot)];
      for (const c of rotated) {
        const s = await c.run();
        record(c.key, s);
        log(`run ${i + 1}/${o.runs} ${c.key.padEnd(7)} ${fmtMs(s.ms)}${s.rssKiB ? `, peak RSS ${(s.rssKiB / 1024).toFixed(0)} MiB` : ''}`);
      }
      for (let k = 0; k < share(o.versionRuns, i, o.runs); k++) for (const c of quick) record(c.key, await c.run());
    }
    const report = renderReport(o, samples, labels, await machine(), started, sha256, version, haveTime);
    process.stdout.write(report);
    await mkdir(dirname(o.results), { recursive: true });
    await writeFile(o.results, report);
    log(`written ${o.results}`);
    return 0;
  } catch (e) {
    if (e instanceof ContenderFailed) {
      process.stderr.write(`bench: FAILED ${e.message}\n${e.detail ? `${e.detail}\n` : ''}`);
      return 1;
    }
    throw e;
  } finally {
    await rm(box, { recursive: true, force: true });
  }
}

function renderReport(
  o: Options,
  samples: Map<string, Sample[]>,
  labels: Map<string, string>,
  m: Record<string, string>,
  started: Date,
  sha256: string,
  version: string,
  haveTime: boolean,
): string {
  const st = (key: string): Stats | undefined => {
    const xs = samples.get(key)?.map((s) => s.ms);
    return xs && xs.length ? stats(xs) : undefined;
  };
  const py = st('py2pkg');
  const fl = st('floor');
  const sd = st('stdeb');
  const ver = st('version');
  const row = (key: string, ratioTo?: Stats): string => {
    const s = st(key);
    if (!s) return '';
    const ratio = ratioTo ? `${(s.median / ratioTo.median).toFixed(2)}×` : '';
    return `| ${labels.get(key)} | ${s.n} | **${fmtMs(s.median)}** | ${fmtMs(s.min)} | ${fmtMs(s.max)} | ${ratio} |\n`;
  };
  const L: string[] = [];
  L.push(`# py2pkg conversion benchmark\n`);
  L.push(`- date: ${started.toISOString().replace(/\.\d+Z$/, 'Z')}`);
  L.push(`- machine: ${m.cpu}, ${m.memory} RAM; ${m.os}`);
  L.push(`- tools: node ${m.node}, ${m.python}, dpkg ${m.dpkg}, python3-stdeb ${m.stdeb}; py2pkg ${version} (commit ${m.commit}, working tree as built)`);
  L.push(`- input: \`${basename(o.sdist)}\` (sha256 \`${sha256}\`), signature \`${basename(o.sdist)}.asc\`, SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH}`);
  L.push(
    `- schedule: ${o.warmup} untimed warm-up run(s) each, then ${o.runs} round-robin iterations (stdeb's ${sd?.n ?? 0} runs and the start-up probes spread over them)`,
  );
  L.push('');
  L.push('## Wall time\n');
  L.push('| contender | runs | median | min | max | median ÷ floor |');
  L.push('|---|---:|---:|---:|---:|---:|');
  L.push((row('py2pkg', fl) + row('floor', fl) + row('stdeb', fl)).trimEnd());
  L.push('');
  L.push('| start-up | runs | median | min | max | |');
  L.push('|---|---:|---:|---:|---:|---:|');
  L.push((row('version') + row('node')).trimEnd());
  L.push('');
  L.push('## Goals\n');
  L.push('| goal | measured | met |');
  L.push('|---|---:|:---:|');
  if (py && fl) {
    const r = py.median / fl.median;
    L.push(`| one conversion ≤ 1.3× the raw floor | ${r.toFixed(2)}× (${fmtMs(py.median)} vs ${fmtMs(fl.median)}) | ${r <= 1.3 ? 'yes' : '**no**'} |`);
  }
  if (py && sd) {
    const r = py.median / sd.median;
    L.push(`| well under py2dsc-deb (< 0.5 counted as met) | ${r.toFixed(2)}× (${fmtMs(py.median)} vs ${fmtMs(sd.median)}) | ${r < 0.5 ? 'yes' : '**no**'} |`);
  }
  if (ver) L.push(`| \`py2pkg --version\` ≤ 120 ms | ${fmtMs(ver.median)} (median) | ${ver.median <= 120 ? 'yes' : '**no**'} |`);
  const rss =
    samples
      .get('py2pkg')
      ?.map((s) => s.rssKiB)
      .filter((x): x is number => x !== undefined) ?? [];
  L.push('');
  if (rss.length) {
    const r = stats(rss);
    L.push(
      `Peak RSS of the py2pkg run: median ${(r.median / 1024).toFixed(0)} MiB (min ${(r.min / 1024).toFixed(0)}, max ${(r.max / 1024).toFixed(0)}) — GNU time's %M, the largest single process of the tree (node; the sandboxed pythons are smaller).`,
    );
  } else if (!haveTime) {
    L.push('Peak RSS: not measured (/usr/bin/time is not installed).');
  }
  L.push('');

  // where py2pkg's time goes
  const partTable = (key: string, title: string, note: string): void => {
    const ss = samples.get(key) ?? [];
    if (!ss.length) return;
    const names: string[] = [];
    for (const s of ss) for (const n of Object.keys(s.parts)) if (!names.includes(n)) names.push(n);
    if (!names.length) return;
    const total = median(ss.map((s) => s.ms));
    L.push(`## ${title}\n`);
    if (note) L.push(`${note}\n`);
    L.push('| part | median | min | max | share of median total |');
    L.push('|---|---:|---:|---:|---:|');
    for (const n of names) {
      const s = stats(ss.map((x) => x.parts[n] ?? 0));
      L.push(`| ${n} | ${fmtMs(s.median)} | ${fmtMs(s.min)} | ${fmtMs(s.max)} | ${((100 * s.median) / total).toFixed(0)} % |`);
    }
    L.push('');
  };
  partTable(
    'py2pkg',
    'py2pkg by stage',
    "From the time each `py2pkg: <stage>` progress line reached the benchmark's pipe. `build` covers the build-requirement probe, copying the tree, and two sandboxed python runs (`-m build`, then the installer).",
  );
  partTable('floor', 'Raw floor by step', '');
  const bare = st('bare-python');
  const boxed = st('bwrap-python');
  if (bare && boxed) {
    L.push('## Sandbox and helper processes\n');
    L.push('| probe | runs | median | min | max |');
    L.push('|---|---:|---:|---:|---:|');
    for (const k of ['bare-python', 'bwrap-python', 'probe']) {
      const s = st(k);
      if (s) L.push(`| ${labels.get(k)} | ${s.n} | ${fmtMs(s.median)} | ${fmtMs(s.min)} | ${fmtMs(s.max)} |`);
    }
    L.push('');
    L.push(
      `One bwrap start costs about ${fmtMs(boxed.median - bare.median)} over the bare interpreter (median difference); a conversion starts the sandbox twice.`,
    );
    const probe = st('probe');
    if (probe)
      L.push(
        `The build-requirement probe (unsandboxed, once per conversion, inside \`build\`) costs ${fmtMs(probe.median - bare.median)} over a bare interpreter.`,
      );
    L.push('');
  }
  const produced = (key: string): string | undefined => samples.get(key)?.at(-1)?.produced;
  L.push('## Packages produced (last run, `dpkg-deb --field`)\n');
  for (const k of ['py2pkg', 'floor', 'stdeb']) if (produced(k)) L.push(`- ${k}: ${produced(k)}`);
  L.push('');
  return `${L.join('\n')}\n`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
