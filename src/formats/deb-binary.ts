/**
 * What an architecture-specific .deb needs beyond a pure one, done with Debian's own tools
 * as debhelper does: the host's architecture (dpkg --print-architecture), extension modules
 * stripped (dh_strip's strip options), Depends on the shared libraries they link
 * (dpkg-shlibdeps, dh_shlibdeps' engine) and on the Python ABI they were built for (dh_python3's
 * `python3 (>= 3.11~), python3 (<< 3.12)`). Before stripping, the debug symbols are split off
 * into /usr/lib/debug/.build-id/xx/yyyy.debug and linked back with --add-gnu-debuglink, as
 * dh_strip does for its -dbgsym package (src/formats/deb-dbgsym.ts builds that package).
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { run } from '../exec.js';

export const DPKG = '/usr/bin/dpkg';
export const DPKG_SHLIBDEPS = '/usr/bin/dpkg-shlibdeps';
export const STRIP = '/usr/bin/strip';
export const OBJCOPY = '/usr/bin/objcopy';
export const READELF = '/usr/bin/readelf';

/** The Debian architecture of this machine (`amd64`). */
export async function dpkgArchitecture(): Promise<string> {
  const arch = (await run(DPKG, ['--print-architecture'], { timeoutMs: 30_000 })).stdout.trim();
  if (!/^[a-z0-9][a-z0-9-]*$/.test(arch)) throw new Py2pkgError('TOOL_FAILED', `dpkg --print-architecture gave ${singleLine(arch, 40)}`);
  return arch;
}

/** dh_strip's options for shared objects (it always includes --strip-unneeded for them). */
const STRIP_SHARED = ['--remove-section=.comment', '--remove-section=.note', '--strip-unneeded'];

/** The NT_GNU_BUILD_ID of `readelf -n` output (lower-case hex), when there is one. */
export function parseBuildId(readelfNotes: string): string | undefined {
  const m = /\sBuild ID: ([0-9a-f]{2})([0-9a-f]+)\s*$/m.exec(readelfNotes);
  return m ? `${m[1]}${m[2]}` : undefined;
}

/** Where a -dbgsym package keeps the debug file of a build id (relative to its root). */
export function buildIdDebugPath(buildId: string): string {
  if (!/^[0-9a-f]{4,}$/.test(buildId)) throw new Py2pkgError('TOOL_FAILED', `not a build id: ${singleLine(buildId, 60)}`);
  return `usr/lib/debug/.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}.debug`;
}

export interface SplitDebug {
  /** build ids of the debug files written below debugRoot, sorted */
  buildIds: string[];
  /** shared objects that had symbols but no build id: stripped without a debug file (dh_strip warns the same) */
  withoutBuildId: string[];
}

/**
 * dh_strip's sequence for a package with a -dbgsym companion, per shared object that is not
 * stripped yet: `objcopy --only-keep-debug --compress-debug-sections` into
 * debugRoot/usr/lib/debug/.build-id/xx/yyyy.debug (mode 0644), strip, then
 * `objcopy --add-gnu-debuglink` so the stripped module names its debug file.
 */
export async function stripWithDebugSymbols(files: readonly string[], debugRoot: string): Promise<SplitDebug> {
  const buildIds: string[] = [];
  const withoutBuildId: string[] = [];
  for (const f of files) {
    const info = (await run(READELF, ['-n', '-S', '-W', f], { timeoutMs: 60_000, env: { LC_ALL: 'C' } })).stdout;
    const id = parseBuildId(info);
    // already stripped (no symbol table): nothing to keep, as dh_strip's "not stripped" test
    const unstripped = /\]\s+\.symtab\s/.test(info);
    if (!unstripped || id === undefined) {
      if (unstripped) withoutBuildId.push(f);
      await run(STRIP, [...STRIP_SHARED, f], { timeoutMs: 60_000 });
      continue;
    }
    const debugFile = join(debugRoot, buildIdDebugPath(id));
    await mkdir(dirname(debugFile), { recursive: true });
    // two modules with one build id are one file (dh_strip: "unless -e $debug_path")
    if (!buildIds.includes(id)) {
      await run(OBJCOPY, ['--only-keep-debug', '--compress-debug-sections', f, debugFile], { timeoutMs: 60_000 });
      await chmod(debugFile, 0o644);
      buildIds.push(id);
    }
    await run(STRIP, [...STRIP_SHARED, f], { timeoutMs: 60_000 });
    await run(OBJCOPY, ['--add-gnu-debuglink', debugFile, f], { timeoutMs: 60_000 });
  }
  return { buildIds: buildIds.sort(), withoutBuildId };
}

/**
 * The interpreter ABI an extension module built for Python X.Y needs, as dh_python3 writes it
 * for Debian 12: `python3 (>= 3.11~)`, `python3 (<< 3.12)`.
 */
export function pythonAbiDepends(pythonVersion: string): string[] {
  const m = /^(\d+)\.(\d+)$/.exec(pythonVersion);
  if (!m) throw new Py2pkgError('TOOL_FAILED', `not a Python major.minor version: ${singleLine(pythonVersion, 20)}`);
  return [`python3 (>= ${pythonVersion}~)`, `python3 (<< ${m[1]}.${Number(m[2]) + 1})`];
}

/** Parse dpkg-shlibdeps -O output: `shlibs:Depends=libc6 (>= 2.2.5), libfoo1` -> the relations. */
export function parseShlibsDepends(stdout: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith('shlibs:Depends='));
  if (!line) return [];
  return line
    .slice('shlibs:Depends='.length)
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}

/**
 * dpkg-shlibdeps on the (already stripped) shared objects: it reads debian/control, so it runs
 * in a private directory holding a minimal one naming the package.
 */
export async function shlibDepends(pkg: string, files: readonly string[], workDir: string): Promise<string[]> {
  if (files.length === 0) return [];
  const dir = await mkdtemp(join(workDir, 'shlibdeps-'));
  try {
    await mkdir(join(dir, 'debian'));
    await writeFile(join(dir, 'debian', 'control'), `Source: ${pkg}\n\nPackage: ${pkg}\nArchitecture: any\n`);
    const r = await run(DPKG_SHLIBDEPS, ['-O', ...files.map((f) => `-e${f}`)], { cwd: dir, timeoutMs: 5 * 60_000 });
    return parseShlibsDepends(r.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
