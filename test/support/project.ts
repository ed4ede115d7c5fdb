/** Paths and a runner for tests that drive py2pkg as a user would: the real CLI, a real process. */
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repo root not found');
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot();
export const fixturesDist = join(repoRoot, 'fixtures', 'dist');
export const keysDir = join(repoRoot, 'fixtures', 'keys');
export const upstreamPub = join(keysDir, 'upstream-TEST-ONLY.pub.asc');
export const cacheDir = join(repoRoot, '.cache');
export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run bin/py2pkg.js with a clean environment (plus `env`), the build cache off (PY2PKG_NO_CACHE=1) unless `env` says otherwise. */
export async function py2pkg(args: string[], env: Record<string, string> = {}, cwd = repoRoot): Promise<CliResult> {
  const r = await execa(process.execPath, [join(repoRoot, 'bin', 'py2pkg.js'), ...args], {
    cwd,
    // no build cache unless a test asks for it (PY2PKG_NO_CACHE: ''): tests check what builds do
    env: { PATH: SYSTEM_PATH, HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', PY2PKG_NO_CACHE: '1', ...env },
    extendEnv: false,
    reject: false,
    timeout: 15 * 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * Run `fn` with the process umask set to `mask` (children started meanwhile inherit it), then
 * put the old one back. For the reproducibility tests: a user's umask 077 must not reach the
 * modes inside a package.
 */
export async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

/** The signed fixture sdists (made by `make fixtures`). */
export function fixtureSdist(prefix: string): string {
  const files = existsSync(fixturesDist) ? readdirSync(fixturesDist) : [];
  const hit = files.find((f) => f.startsWith(`${prefix}-`) && /\.(tar\.gz|zip)$/.test(f));
  if (!hit) throw new Error(`fixture sdist ${prefix}-*.tar.gz not found in ${fixturesDist}: run make fixtures`);
  return join(fixturesDist, hit);
}

export function allFixtureSdists(): string[] {
  return readdirSync(fixturesDist)
    .filter((f) => /\.(tar\.gz|zip)$/.test(f))
    .sort()
    .map((f) => join(fixturesDist, f));
}
