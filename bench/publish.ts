/**
 * Publish benchmark (see bench/README.md, "Publish"): a repository that already holds N
 * generated packages (default 1,000; each carries a py2pkg provenance.json), then, side by side:
 * (`--count 1000,3000` grows the same repository to each size in turn and measures at each)
 *
 *   apt        py2pkg publish <one more .deb> --repo R     vs   apt-ftparchive packages pool
 *              indexing the same pool from scratch (goal: ratio ≤ 1.2)
 *   yum        py2pkg publish <one more .rpm> --repo R     vs   createrepo_c --update on a plain
 *              copy of the same tree, one rpm added (goal: ratio ≤ 1.2)
 *
 * and, beside the goal (publish-by-hand.ts): the same signed publish done by hand with the
 * standard tools (debsigs/rpmsign, the index tool, gpg), and the floor of any signed publish
 * by a node process.
 *
 * Each is the median of --runs runs (each publish adds another new package). Setting up the
 * repositories (one publish of N packages, which signs each) is timed and shown, not judged.
 * Prints Markdown and writes bench/results/publish-latest.md. Exit 1 only when a run fails.
 */
import { cpus } from 'node:os';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { aptByHand, floorProbe, gnupgHome, runSteps, stopAgent, yumByHand } from './publish-by-hand.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'py2pkg.js');
const ORG_SEC = join(ROOT, 'fixtures/keys/org-repo-TEST-ONLY.sec.asc');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: process.env.HOME ?? '/root' };

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    runs: { type: 'string' },
    only: { type: 'string' },
    results: { type: 'string' },
    keep: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    'usage: node dist/bench/publish.js [--count N[,N...] (1000)] [--runs N (3)] [--only apt|yum] [--results FILE (bench/results/publish-latest.md)] [--keep DIR (work there and leave the repositories, for profiling)]\n',
  );
  process.exit(0);
}
const RUNS = Number(values.runs ?? 3);
const COUNTS = (values.count ?? '1000').split(',').map(Number);
if (COUNTS.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n < COUNTS[i - 1]! + RUNS))) {
  process.stderr.write('--count: ascending whole numbers at least --runs apart, e.g. 1000,3000\n');
  process.exit(2);
}
const COUNT = COUNTS[COUNTS.length - 1]!;
const RESULTS = resolve(values.results ?? join(ROOT, 'bench/results/publish-latest.md'));

const name = (i: number) => `python3-benchpub${String(i).padStart(4, '0')}`;
const project = (i: number) => `benchpub${String(i).padStart(4, '0')}`;

function provenance(i: number): string {
  return `${JSON.stringify({
    sdist: { filename: `${project(i)}-1.0.tar.gz`, sha256: 'ab'.repeat(32), size: 1000 },
    unsigned: false,
    verification: { method: 'pinned-sha256', sha256: 'ab'.repeat(32) },
    trust: { rule: `project ${project(i)}: sha256`, policy: 'bench', project: project(i) },
    verifiedAt: '2026-01-01T00:00:00Z',
  })}\n`;
}

async function makeDeb(dir: string, i: number): Promise<string> {
  const root = join(dir, `root-${i}`);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr/share/doc', name(i)), { recursive: true });
  await writeFile(
    join(root, 'DEBIAN/control'),
    `Package: ${name(i)}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Bench <bench@example.org>\nDepends: python3:any\nDescription: generated package ${i}\n for the publish benchmark\n`,
  );
  await writeFile(join(root, 'usr/share/doc', name(i), 'provenance.json'), provenance(i));
  const out = join(dir, `${name(i)}_1.0-1_all.deb`);
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, out], { env: ENV, extendEnv: false });
  await rm(root, { recursive: true, force: true });
  return out;
}

/** One rpmbuild run makes many subpackages (rpmbuild per package would dominate the set-up). */
async function makeRpms(dir: string, from: number, to: number): Promise<string[]> {
  const top = join(dir, `rpmbuild-${from}`);
  const spec = [`Name: benchpub-base`, 'Version: 1.0', 'Release: 1', 'Summary: bench', 'License: MIT', 'BuildArch: noarch', '%description', 'bench', ''];
  const install = ['%install'];
  for (let i = from; i < to; i++) {
    spec.push(
      `%package -n ${name(i)}`,
      `Summary: generated package ${i}`,
      `%description -n ${name(i)}`,
      `generated package ${i}`,
      `%files -n ${name(i)}`,
      `/usr/share/doc/${name(i)}/provenance.json`,
      '',
    );
    install.push(
      `mkdir -p %{buildroot}/usr/share/doc/${name(i)}`,
      `cat > %{buildroot}/usr/share/doc/${name(i)}/provenance.json <<'EOF'`,
      provenance(i).trim(),
      'EOF',
    );
  }
  await mkdir(join(top, 'SPECS'), { recursive: true });
  const specFile = join(top, 'SPECS', 'bench.spec');
  await writeFile(specFile, `${spec.join('\n')}\n${install.join('\n')}\n`);
  await execa(
    '/usr/bin/rpmbuild',
    ['-bb', '--define', `_topdir ${top}`, '--define', '_binary_payload w2.gzdio', '--define', '__os_install_post %{nil}', specFile],
    { env: ENV, extendEnv: false },
  );
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(join(top, 'RPMS', 'noarch', `${name(i)}-1.0-1.noarch.rpm`));
  return out;
}

/** One process, timed (the by-hand contenders time their steps the same way). */
const timed = (file: string, args: string[], opts: { cwd?: string } = {}): Promise<number> => runSteps([{ file, args, cwd: opts.cwd }], { HOME: ENV.HOME });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Side {
  kind: string;
  /** packages in the repository before the measured publishes */
  count: number;
  setupMs: number;
  oursMs: number[];
  theirsMs: number[];
  tool: string;
  /** the same signed publish by hand (publish-by-hand.ts) */
  handMs: number[];
  /** the floor: node, openpgp.js, the key, the signatures (+ the tool's own run on the Yum side) */
  floorMs: number[];
}

interface ByHand {
  sync(repo: string): Promise<void>;
  publish(file: string): Promise<number>;
  /** signatures a publish makes; whether it runs the tool itself (Yum: createrepo_c) */
  signatures: number;
  runsTool: boolean;
}

/**
 * Grow the repository to each of COUNTS in turn (one publish of the new files, timed as set-up),
 * then RUNS times: publish one more with py2pkg, and run the tool on the same tree.
 */
async function points(
  kind: string,
  tool: string,
  files: string[],
  repo: string,
  theirs: () => Promise<number>,
  hand: ByHand,
  added?: (file: string) => Promise<void>,
): Promise<Side[]> {
  const out: Side[] = [];
  let next = 0;
  for (const count of COUNTS) {
    const grow = files.slice(next, count);
    next += grow.length;
    const setupMs = await timed(process.execPath, [CLI, 'publish', '--repo', repo, '--sign-key', ORG_SEC, '--quiet', ...grow]);
    if (added) for (const f of grow) await added(f);
    await theirs(); // untimed: the tool's first run after the growth reads the new files into the page cache too
    await hand.sync(repo);
    const oursMs: number[] = [];
    const theirsMs: number[] = [];
    const handMs: number[] = [];
    const floorMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const one = files[next++]!;
      oursMs.push(await timed(process.execPath, [CLI, 'publish', '--repo', repo, '--sign-key', ORG_SEC, '--quiet', one]));
      if (added) await added(one);
      const t = await theirs();
      theirsMs.push(t);
      handMs.push(await hand.publish(one));
      floorMs.push((await floorProbe(ORG_SEC, hand.signatures)) + (hand.runsTool ? t : 0));
    }
    out.push({ kind, count, setupMs, oursMs, theirsMs, tool, handMs, floorMs });
  }
  return out;
}

async function apt(work: string, gpg: Record<string, string>): Promise<Side[]> {
  const debs = join(work, 'debs');
  await mkdir(debs, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < COUNT + RUNS; i++) files.push(await makeDeb(debs, i));
  const repo = join(work, 'apt');
  // by hand: debsigs signs the .deb, and the .deb, Release.gpg and InRelease are three signatures
  const hand = { ...aptByHand(join(work, 'hand-apt'), gpg), signatures: 3, runsTool: false };
  return points(
    'Apt',
    'apt-ftparchive packages pool (from scratch)',
    files,
    repo,
    () => timed('/usr/bin/apt-ftparchive', ['packages', 'pool'], { cwd: repo }),
    hand,
  );
}

async function yum(work: string, gpg: Record<string, string>): Promise<Side[]> {
  const rpms = join(work, 'rpms');
  await mkdir(rpms, { recursive: true });
  const files: string[] = [];
  const total = COUNT + RUNS;
  for (let from = 0; from < total; from += 250) files.push(...(await makeRpms(rpms, from, Math.min(from + 250, total))));
  const repo = join(work, 'yum');
  // the baseline: the same rpms as py2pkg signed them, in a plain directory that createrepo_c maintains
  const plain = join(work, 'plain');
  await mkdir(join(plain, 'Packages'), { recursive: true });
  const cr = ['--no-database', '--general-compress-type', 'gz', '--workers', '2'];
  // py2pkg keeps them under Packages/<first letter>/ (src/repo/yum.ts)
  const copySigned = async (f: string) => {
    const sub = join('Packages', basename(f).slice(0, 1).toLowerCase());
    await mkdir(join(plain, sub), { recursive: true });
    await copyFile(join(repo, sub, basename(f)), join(plain, sub, basename(f)));
  };
  return points(
    'Yum',
    'createrepo_c --update (same tree, one rpm added)',
    files,
    repo,
    () => timed('/usr/bin/createrepo_c', ['--update', ...cr, plain]),
    // the rpm header and repomd.xml.asc: two signatures, and createrepo_c runs inside the publish
    { ...yumByHand(join(work, 'hand-yum'), gpg, cr), signatures: 2, runsTool: true },
    copySigned,
  );
}

async function main(): Promise<void> {
  const work = values.keep ? resolve(values.keep) : await mkdtemp(join(tmpdir(), 'py2pkg-bench-publish-'));
  if (values.keep) await mkdir(work, { recursive: false });
  const sides: Side[] = [];
  let gpg: Record<string, string> | undefined;
  try {
    gpg = await gnupgHome(work, ORG_SEC);
    if (values.only !== 'yum') sides.push(...(await apt(work, gpg)));
    if (values.only !== 'apt') sides.push(...(await yum(work, gpg)));
  } finally {
    if (gpg) await stopAgent(gpg);
    if (!values.keep) await rm(work, { recursive: true, force: true });
  }
  const ratio = (x: Side) => median(x.oursMs) / median(x.theirsMs);
  const lines = [
    `# Publish benchmark: one more package into a repository of ${COUNTS.join(', then ')}`,
    '',
    `${new Date().toISOString()}, ${cpus().length} CPUs (shared), node ${process.version}; median of ${RUNS} runs. Goal: py2pkg ÷ tool ≤ 1.2 at 1,000, and falling as the repository grows.`,
    '',
    '| repository | packages | set-up (publish them) | py2pkg publish one more | tool | tool time | ratio | ≤ 1.2 |',
    '|---|---|---|---|---|---|---|---|',
    ...sides.map(
      (x) =>
        `| ${x.kind} | ${x.count} | ${s(x.setupMs)} | ${s(median(x.oursMs))} (${x.oursMs.map(s).join(', ')}) | ${x.tool} | ${s(median(x.theirsMs))} (${x.theirsMs.map(s).join(', ')}) | ${ratio(x).toFixed(2)}× | ${ratio(x) <= 1.2 ? 'met' : 'NOT met'} |`,
    ),
    '',
    "Beside the goal: the same signed publish by hand with the standard tools (`publish-by-hand.ts`: Apt debsigs, apt-ftparchive packages, xz, gzip, apt-ftparchive release, gpg --clearsign, gpg -abs; Yum rpmsign --addsign, createrepo_c --update, gpg --detach-sign), and the floor of any signed publish by a node process (node, openpgp.js, the key, the signatures: `publish-floor.ts`; on the Yum side plus the tool's own time, since the publish runs createrepo_c itself). Floor ÷ tool above 1.2 means the goal cannot be met by a node process that signs with the key file.",
    '',
    '| repository | packages | tool | py2pkg | by hand | py2pkg ÷ by hand | floor | floor ÷ tool | py2pkg ÷ floor |',
    '|---|---|---|---|---|---|---|---|---|',
    ...sides.map((x) => {
      const [t, o, h, f] = [x.theirsMs, x.oursMs, x.handMs, x.floorMs].map(median) as [number, number, number, number];
      return `| ${x.kind} | ${x.count} | ${s(t)} | ${s(o)} | ${s(h)} (${x.handMs.map(s).join(', ')}) | ${(o / h).toFixed(2)}× | ${s(f)} (${x.floorMs.map(s).join(', ')}) | ${(f / t).toFixed(2)}× | ${(o / f).toFixed(2)}× |`;
    }),
    '',
  ];
  // growth per 1,000 packages between the first and the last point: what incremental means
  for (const kind of new Set(sides.map((x) => x.kind))) {
    const pts = sides.filter((x) => x.kind === kind);
    if (pts.length < 2) continue;
    const [a, b] = [pts[0]!, pts[pts.length - 1]!];
    const per = (ms: (x: Side) => number) => ((ms(b) - ms(a)) / (b.count - a.count)) * 1000;
    lines.push(
      `${kind}, from ${a.count} to ${b.count} packages, per 1,000 more: py2pkg ${per((x) => median(x.oursMs)).toFixed(0)} ms, the tool ${per((x) => median(x.theirsMs)).toFixed(0)} ms.`,
      '',
    );
  }
  const text = lines.join('\n');
  process.stdout.write(text);
  await mkdir(dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, text);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
