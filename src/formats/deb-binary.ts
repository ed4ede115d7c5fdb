/**
 * What an architecture-specific .deb needs beyond a pure one, done with Debian's own tools
 * as debhelper does: the host's architecture (dpkg --print-architecture), extension modules
 * stripped (dh_strip's strip options), Depends on the shared libraries they link
 * (dpkg-shlibdeps, dh_shlibdeps' engine) and on the Python ABI they were built for (dh_python3's
 * `python3 (>= 3.11~), python3 (<< 3.12)`). No -dbgsym package yet: the debug symbols are dropped.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { run } from '../exec.js';

export const DPKG = '/usr/bin/dpkg';
export const DPKG_SHLIBDEPS = '/usr/bin/dpkg-shlibdeps';
export const STRIP = '/usr/bin/strip';

/** The Debian architecture of this machine (`amd64`). */
export async function dpkgArchitecture(): Promise<string> {
  const arch = (await run(DPKG, ['--print-architecture'], { timeoutMs: 30_000 })).stdout.trim();
  if (!/^[a-z0-9][a-z0-9-]*$/.test(arch)) throw new Py2pkgError('TOOL_FAILED', `dpkg --print-architecture gave ${singleLine(arch, 40)}`);
  return arch;
}

/** strip --strip-unneeded --remove-section=.comment --remove-section=.note, as dh_strip does for shared objects. */
export async function stripSharedObjects(files: readonly string[]): Promise<void> {
  for (const f of files) await run(STRIP, ['--strip-unneeded', '--remove-section=.comment', '--remove-section=.note', f], { timeoutMs: 60_000 });
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
  return line.slice('shlibs:Depends='.length).split(',').map((r) => r.trim()).filter(Boolean);
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
