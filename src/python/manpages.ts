/**
 * A manual page for every program in the scripts directory, as Debian policy (12.1) asks and
 * lintian (`no-manual-page`) and rpmlint (`no-manual-page-for-binary`) check:
 *   - help2man on the program's `--help`, run inside the build sandbox (the program is the
 *     sdist's code: hostile) with the staged tree mounted read-only and on PYTHONPATH, no
 *     network, a short timeout; help2man escapes the program's output for roff;
 *   - when that fails (a dependency missing at build time, no `--help`, help2man missing), a
 *     short page written here: NAME and DESCRIPTION from the summary, SYNOPSIS from the name.
 * Pages already staged by the wheel are kept. Each is installed as
 * /usr/share/man/man1/<program>.1.gz, compressed like `gzip -9n` (no name, no time stamp).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { singleLine } from '../errors.js';
import { run } from '../exec.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { BUILD_PYTHON_VERSION, listFiles, type BuildResult } from './build.js';
import { BWRAP, bwrapArgs, type SandboxSpec } from './sandbox.js';

export const HELP2MAN = '/usr/bin/help2man';
const MAN1 = '/usr/share/man/man1';
/** a program name that is safe as a file name and in roff without escaping */
const SAFE_PROGRAM = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,100}$/;
const MAX_PAGE_BYTES = 512 * 1024;
const HELP2MAN_TIMEOUT_MS = 60_000;

export interface ManPagesInput {
  build: BuildResult;
  meta: PythonMetadata;
  target: TargetProfile;
  sourceDateEpoch: number;
  /** the build's timeout: help2man gets at most a minute of it per program */
  timeoutMs: number;
  /** a private directory for the sandbox's writable part */
  workDir: string;
}

export interface ManPage {
  program: string;
  path: string;
  source: 'help2man' | 'generated' | 'upstream';
}

/** Text for inline roff: one line, backslashes escaped, minus signs as `\-`. */
export function roffInline(text: string, max = 200): string {
  return singleLine(text, max).replace(/\\/g, '\\e').replace(/-/g, '\\-');
}

/** help2man's date: `January 2026` from SOURCE_DATE_EPOCH (UTC). */
export function manDate(epoch: number): string {
  return new Date(epoch * 1000).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

const NAME_PLACEHOLDER = 'PYTWOPKGWHATISPLACEHOLDER';

/** The NAME line's description: the summary, or what the program belongs to. */
function whatis(summary: string, distName: string): string {
  return summary.trim() ? roffInline(summary) : `a command of the Python 3 distribution ${roffInline(distName, 100)}`;
}

/** The short page written when help2man cannot read the program's --help. Pure. */
export function generatedManPage(o: { program: string; version: string; summary: string; distName: string; epoch: number }): string {
  const what = whatis(o.summary, o.distName);
  const prog = o.program.replace(/-/g, '\\-');
  return [
    '.\\" Written by py2pkg: the program\'s --help could not be read when the package was built.',
    `.TH ${o.program.toUpperCase().replace(/-/g, '\\-')} "1" "${manDate(o.epoch)}" "${prog} ${o.version}" "User Commands"`,
    '.SH NAME',
    `${prog} \\- ${what}`,
    '.SH SYNOPSIS',
    `.B ${prog}`,
    '[\\fI\\,OPTION\\/\\fR]...',
    '.SH DESCRIPTION',
    `\\&${what}`,
    '.PP',
    `\\fB${prog}\\fR is a command of the Python 3 distribution ${roffInline(o.distName, 100)}.`,
    `Run \\fB${prog} \\-\\-help\\fR for its options.`,
    '',
  ].join('\n');
}

/** help2man in the build sandbox; the page text, or undefined when it did not give a usable one. */
async function help2man(input: ManPagesInput, program: string, box: string): Promise<string | undefined> {
  if (!existsSync(HELP2MAN) || !existsSync(BWRAP)) return undefined;
  await mkdir(join(box, 'home'), { recursive: true, mode: 0o700 });
  await mkdir(join(box, 'out'), { recursive: true });
  const spec: SandboxSpec = {
    buildDir: box,
    cwd: '/build',
    pythonVersion: BUILD_PYTHON_VERSION,
    readOnly: [[input.build.stagingRoot, '/staging']],
    env: { SOURCE_DATE_EPOCH: String(input.sourceDateEpoch), PYTHONPATH: `/staging${input.target.siteDir}`, COLUMNS: '80' },
  };
  const out = `/build/out/${program}.1`;
  // help2man writes --name as given but turns non-ASCII into `?`: a placeholder, replaced below
  const command = [
    HELP2MAN,
    '--no-info',
    '--no-discard-stderr',
    `--version-string=${input.meta.version}`,
    `--name=${NAME_PLACEHOLDER}`,
    `--output=${out}`,
    `/staging${input.target.scriptsDir}/${program}`,
  ];
  try {
    const r = await run(BWRAP, bwrapArgs(spec, command), {
      env: {},
      timeoutMs: Math.min(HELP2MAN_TIMEOUT_MS, input.timeoutMs),
      check: false,
      maxBuffer: 1024 * 1024,
    });
    if (r.exitCode !== 0) return undefined;
  } catch {
    return undefined; // killed at the timeout or past the output limit
  }
  const file = join(box, 'out', `${program}.1`);
  if (!existsSync(file) || (await stat(file)).size > MAX_PAGE_BYTES) return undefined;
  const text = await readFile(file, 'utf8');
  const nameLine = `\n${program.replace(/-/g, '\\-')} \\- ${NAME_PLACEHOLDER}\n`;
  if (!/^\.TH /m.test(text) || text.split(nameLine).length !== 2) return undefined;
  // split/join, not replace(): a `$&` in the summary must stay text
  return text.split(nameLine).join(`\n${program.replace(/-/g, '\\-')} \\- ${whatis(input.meta.summary, input.meta.name)}\n`);
}

/** Stage a man page for every program that has none; the build result with the new file list. */
export async function addManPages(input: ManPagesInput): Promise<{ build: BuildResult; pages: ManPage[] }> {
  const { build, target } = input;
  const staged = new Set(build.files.map((f) => f.path));
  const programs = build.files.map((f) => f.path).filter((p) => p.startsWith(`${target.scriptsDir}/`) && !p.slice(target.scriptsDir.length + 1).includes('/'));
  const pages: ManPage[] = [];
  for (const [i, path] of programs.entries()) {
    const program = path.slice(target.scriptsDir.length + 1);
    if (!SAFE_PROGRAM.test(program)) continue;
    const dest = `${MAN1}/${program}.1.gz`;
    if (staged.has(dest) || staged.has(`${MAN1}/${program}.1`)) {
      pages.push({ program, path: staged.has(dest) ? dest : `${MAN1}/${program}.1`, source: 'upstream' });
      continue;
    }
    const fromHelp = await help2man(input, program, join(input.workDir, `man-${i}`));
    const text =
      fromHelp ??
      generatedManPage({ program, version: input.meta.version, summary: input.meta.summary, distName: input.meta.name, epoch: input.sourceDateEpoch });
    await mkdir(join(build.stagingRoot, MAN1), { recursive: true });
    await writeFile(join(build.stagingRoot, dest), gzipSync(Buffer.from(text, 'utf8'), { level: 9 }), { mode: 0o644 });
    pages.push({ program, path: dest, source: fromHelp ? 'help2man' : 'generated' });
  }
  if (pages.every((p) => p.source === 'upstream')) return { build, pages };
  return { build: { ...build, files: await listFiles(build.stagingRoot) }, pages };
}
