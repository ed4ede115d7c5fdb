/**
 * The conversion benchmark's contenders (bench/convert.ts): py2pkg, the no-checks floor,
 * Debian's py2dsc-deb, start-up and sandbox probes, and how each process is run and timed
 * (execa, an argument array, an explicit environment, a timeout; never a shell).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { bwrapArgs } from '../src/python/sandbox.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'); // dist/bench -> project root
export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
export const PYTHON = '/usr/bin/python3';
export const DPKG_DEB = '/usr/bin/dpkg-deb';
export const TAR = '/usr/bin/tar';
export const PY2DSC_DEB = '/usr/bin/py2dsc-deb';
export const BWRAP = '/usr/bin/bwrap';
export const GNU_TIME = '/usr/bin/time';
export const CLI = join(ROOT, 'bin', 'py2pkg.js');
export const SOURCE_DATE_EPOCH = '1700000000';
export const MAINTAINER = 'py2pkg benchmark <bench@example.org>';
export interface Options {
  runs: number;
  stdebRuns: number;
  versionRuns: number;
  warmup: number;
  sdist: string;
  keys: string;
  results: string;
}

/** A contender that did not run or did not produce its package: the only fatal outcome. */
export class ContenderFailed extends Error {
  constructor(
    readonly contender: string,
    message: string,
    readonly detail = '',
  ) {
    super(`${contender}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------
// process running

export const MS = (t0: bigint, t1: bigint = process.hrtime.bigint()): number => Number(t1 - t0) / 1e6;

/** The whole environment of a child: nothing is inherited. */
export function env(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: SYSTEM_PATH, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', SOURCE_DATE_EPOCH, ...extra };
}

export interface Ran {
  ms: number;
  stdout: string;
  stderr: string;
  /** [ms since spawn, stderr line] as the lines arrived */
  marks: Array<[number, string]>;
}

export async function runTimed(
  contender: string,
  file: string,
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; timeoutMs: number; markStderr?: boolean },
): Promise<Ran> {
  const marks: Array<[number, string]> = [];
  const t0 = process.hrtime.bigint();
  const stamp = function* (line: unknown) {
    marks.push([MS(t0), String(line)]);
    yield line;
  };
  const r = await execa(file, args, {
    env: opts.env,
    extendEnv: false,
    shell: false,
    reject: false,
    cwd: opts.cwd,
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    stdin: 'ignore',
    maxBuffer: 64 * 1024 * 1024,
    ...(opts.markStderr ? { stderr: stamp } : {}),
  });
  const ms = MS(t0);
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  if (r.timedOut) throw new ContenderFailed(contender, `${basename(file)} timed out after ${opts.timeoutMs / 1000} s`, tail(stderr));
  if (r.failed || r.exitCode !== 0) {
    const why = r.exitCode === undefined ? (r.originalMessage ?? r.shortMessage) : `exit status ${r.exitCode}`;
    throw new ContenderFailed(contender, `${[file, ...args].map(shellQuote).join(' ')} failed (${why})`, tail(`${stderr}\n${stdout}`));
  }
  return { ms, stdout, stderr, marks };
}

export function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Only for messages: the commands themselves never go through a shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The package really is a .deb (checked outside the timed region). */
export async function checkDeb(contender: string, path: string | undefined): Promise<string> {
  if (!path || !existsSync(path)) throw new ContenderFailed(contender, `no .deb was produced (${path ?? 'none found'})`);
  const r = await execa(DPKG_DEB, ['--field', path, 'Package', 'Version'], {
    env: env(tmpdir()),
    extendEnv: false,
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) throw new ContenderFailed(contender, `${path} is not a valid .deb`, String(r.stderr));
  return String(r.stdout).trim().replace(/\n/g, ', ');
}

// ---------------------------------------------------------------------------------------
// contenders

export interface Sample {
  ms: number;
  /** named parts of the run (ms) */
  parts: Record<string, number>;
  rssKiB?: number;
  produced?: string;
}

export interface Contender {
  key: string;
  label: string;
  run: () => Promise<Sample>;
}

export function py2pkgContender(o: Options, haveTime: boolean): Contender {
  return {
    key: 'py2pkg',
    label: 'py2pkg convert (CLI: verify + unpack + sandboxed build + install + dpkg-deb)',
    async run() {
      const tmp = await mkdtemp(join(tmpdir(), 'bench-py2pkg-'));
      try {
        const out = join(tmp, 'out');
        const home = join(tmp, 'home');
        await mkdir(out);
        await mkdir(home);
        const rssFile = join(tmp, 'rss');
        const cli = [process.execPath, CLI, '--format', 'deb', '--trusted-keys', o.keys, '--maintainer', MAINTAINER, '--out', out, o.sdist];
        const [file, ...args] = haveTime ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...cli] : cli;
        const r = await runTimed('py2pkg', file as string, args, { env: env(home), timeoutMs: 300_000, markStderr: true });
        const produced = r.stdout.trim().split('\n').pop();
        const fields = await checkDeb('py2pkg', produced);
        const rss = haveTime ? Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop()) : NaN;
        return { ms: r.ms, parts: stagesFromProgress(r.marks, r.ms), ...(Number.isFinite(rss) ? { rssKiB: rss } : {}), produced: fields };
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}

/**
 * py2pkg prints `py2pkg: <stage> ...` when a stage starts; the time between two messages
 * is the earlier stage. Before the first message: node start-up, module loading, settings.
 * After the last: packaging, temp-dir removal and process exit.
 */
export function stagesFromProgress(marks: Array<[number, string]>, total: number): Record<string, number> {
  const parts: Record<string, number> = {};
  let name = 'start-up (node, modules, settings)';
  let since = 0;
  for (const [at, line] of marks) {
    const m = /^py2pkg: (\w[\w-]*)/.exec(line);
    if (!m || /^py2pkg: (error|warning)\b/.test(line)) continue;
    parts[name] = (parts[name] ?? 0) + (at - since);
    name = m[1] as string;
    since = at;
  }
  if (name === 'package') name = 'package (+ cleanup, exit)';
  parts[name] = (parts[name] ?? 0) + (total - since);
  return parts;
}

export function floorContender(o: Options): Contender {
  return {
    key: 'floor',
    label: 'raw floor (tar + build + installer + dpkg-deb, no checks, no sandbox)',
    async run() {
      const tmp = await mkdtemp(join(tmpdir(), 'bench-floor-'));
      try {
        const t0 = process.hrtime.bigint();
        const parts: Record<string, number> = {};
        const step = async (name: string, f: () => Promise<unknown>): Promise<void> => {
          const s = process.hrtime.bigint();
          await f();
          parts[name] = MS(s);
        };
        const home = join(tmp, 'home');
        const src = join(tmp, 'src');
        const wheelDir = join(tmp, 'wheel');
        const stage = join(tmp, 'stage');
        const deb = join(tmp, 'out.deb');
        const e = env(home);
        await Promise.all([mkdir(home), mkdir(src)]);
        await step('tar -xzf', () => runTimed('floor', TAR, ['-xzf', o.sdist, '-C', src], { env: e, timeoutMs: 60_000 }));
        const top = (await readdir(src))[0];
        if (!top) throw new ContenderFailed('floor', 'the sdist unpacked to nothing');
        await step('python3 -m build --wheel', () =>
          runTimed('floor', PYTHON, ['-m', 'build', '--wheel', '--no-isolation', '--skip-dependency-check', '--outdir', wheelDir, join(src, top)], {
            env: e,
            timeoutMs: 300_000,
          }),
        );
        const wheel = (await readdir(wheelDir)).find((f) => f.endsWith('.whl'));
        if (!wheel) throw new ContenderFailed('floor', 'python3 -m build produced no wheel');
        await step('python3 -m installer', () =>
          runTimed('floor', PYTHON, ['-m', 'installer', '--destdir', stage, '--prefix', '/usr', '--no-compile-bytecode', join(wheelDir, wheel)], {
            env: e,
            timeoutMs: 120_000,
          }),
        );
        await step('DEBIAN/control', async () => {
          await mkdir(join(stage, 'DEBIAN'));
          const name = wheel.split('-')[0]!.toLowerCase().replace(/_/g, '-');
          const version = wheel.split('-')[1]!;
          await writeFile(
            join(stage, 'DEBIAN', 'control'),
            `Package: python3-${name}\nVersion: ${version}-1\nArchitecture: all\nMaintainer: ${MAINTAINER}\nDescription: raw floor build of ${name}\n`,
          );
        });
        await step('dpkg-deb --build', () =>
          runTimed('floor', DPKG_DEB, ['--root-owner-group', '-Zxz', '--build', stage, deb], { env: e, timeoutMs: 120_000 }),
        );
        const ms = MS(t0);
        const produced = await checkDeb('floor', deb);
        return { ms, parts, produced };
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}

export function stdebContender(o: Options): Contender {
  return {
    key: 'stdeb',
    label: "stdeb's py2dsc-deb (source package + dpkg-buildpackage, tests off)",
    async run() {
      const tmp = await mkdtemp(join(tmpdir(), 'bench-stdeb-'));
      try {
        const home = join(tmp, 'home');
        await mkdir(home);
        const local = join(tmp, basename(o.sdist));
        await copyFile(o.sdist, local); // py2dsc-deb writes deb_dist/ next to its cwd
        // DEB_BUILD_OPTIONS=nocheck: py2pkg does not run the project's tests either (and
        // this fixture's tests import Django, which the build machine need not have)
        const r = await runTimed('stdeb', PY2DSC_DEB, ['--maintainer', MAINTAINER, basename(o.sdist)], {
          env: env(home, { DEB_BUILD_OPTIONS: 'nocheck' }),
          cwd: tmp,
          timeoutMs: 600_000,
        });
        const debDist = join(tmp, 'deb_dist');
        const debs = existsSync(debDist) ? (await readdir(debDist)).filter((f) => f.endsWith('.deb')) : [];
        if (debs.length === 0) throw new ContenderFailed('stdeb', 'py2dsc-deb exited 0 but wrote no .deb in deb_dist/', tail(r.stderr + r.stdout));
        const produced = await checkDeb('stdeb', join(debDist, debs[0] as string));
        return { ms: r.ms, parts: {}, produced };
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}

export function versionContender(expected: string): Contender {
  return {
    key: 'version',
    label: '`py2pkg --version` (start-up)',
    async run() {
      const r = await runTimed('version', process.execPath, [CLI, '--version'], { env: env(tmpdir()), timeoutMs: 30_000 });
      if (r.stdout.trim() !== expected) throw new ContenderFailed('version', `printed ${JSON.stringify(r.stdout.trim())}, expected ${expected}`);
      return { ms: r.ms, parts: {} };
    },
  };
}

export function nodeContender(): Contender {
  return {
    key: 'node',
    label: '`node -e 0` (reference: bare node start-up)',
    async run() {
      const r = await runTimed('node', process.execPath, ['-e', '0'], { env: env(tmpdir()), timeoutMs: 30_000 });
      return { ms: r.ms, parts: {} };
    },
  };
}

/** What the build sandbox itself costs: the same trivial python with and without bwrap. */
export function sandboxProbe(sandboxed: boolean, box: string): Contender {
  const cmd = [PYTHON, '-c', 'pass'];
  return {
    key: sandboxed ? 'bwrap-python' : 'bare-python',
    label: sandboxed ? '`bwrap … python3 -c pass` (py2pkg sandbox settings)' : '`python3 -c pass`',
    async run() {
      const args = sandboxed ? bwrapArgs({ buildDir: box, cwd: '/build', pythonVersion: '3.11', env: { SOURCE_DATE_EPOCH } }, cmd) : cmd.slice(1);
      const r = await runTimed(sandboxed ? 'bwrap' : 'python3', sandboxed ? BWRAP : PYTHON, args, { env: env(box), timeoutMs: 30_000 });
      return { ms: r.ms, parts: {} };
    },
  };
}

/**
 * py2pkg's build-requirement probe, run unsandboxed before the build with the arguments a
 * legacy setup.py project gets (only when the helper exists: it is an implementation detail).
 */
export function probeContender(helper: string, box: string): Contender {
  return {
    key: 'probe',
    label: '`python3 -I python/probe_build_deps.py setuptools.build_meta:__legacy__ setuptools wheel`',
    async run() {
      const r = await runTimed('probe', PYTHON, ['-I', helper, 'setuptools.build_meta:__legacy__', 'setuptools', 'wheel'], {
        env: env(box),
        timeoutMs: 60_000,
      });
      return { ms: r.ms, parts: {} };
    },
  };
}
