/**
 * A clean Debian 12 root for install tests, built with mmdebstrap from Debian's archive and
 * cached as a tarball between runs (outside the clone, so CI on the same machine reuses it).
 * Each test run extracts a fresh copy; packages are installed with the root's own apt-get.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SYSTEM_PATH } from './project.js';

/** What the root holds besides apt: Python and the Debian packages the fixtures depend on. */
export const ROOT_PACKAGES = ['python3', 'python3-django', 'python3-defusedxml', 'python3-six'];
export const SUITE = 'bookworm';
export const MIRROR = 'http://deb.debian.org/debian';

export const rootCacheDir = process.env.PY2PKG_TEST_CACHE ?? '/var/cache/py2pkg-test';

const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive' };

export function rootTarball(): string {
  const key = createHash('sha256')
    .update(`${SUITE} ${MIRROR} ${ROOT_PACKAGES.join(',')}`)
    .digest('hex')
    .slice(0, 12);
  return join(rootCacheDir, `${SUITE}-${key}.tar`);
}

/** mmdebstrap into `tarball` when it is missing, by atomic rename (partial files never count). */
async function ensureTarball(tarball: string, options: string[], timeout: number): Promise<string> {
  if (existsSync(tarball)) return tarball;
  await mkdir(rootCacheDir, { recursive: true });
  const tmp = `${tarball}.${process.pid}.partial`;
  try {
    await execa('/usr/bin/mmdebstrap', [...options, '--format=tar', SUITE, tmp, `deb ${MIRROR} ${SUITE} main`], { env, extendEnv: false, timeout });
    await rename(tmp, tarball);
  } finally {
    await rm(tmp, { force: true });
  }
  return tarball;
}

/** Build the cached root tarball when it is missing (about 30 s with a reachable archive). */
export function ensureRootTarball(): Promise<string> {
  return ensureTarball(rootTarball(), ['--variant=apt', `--include=${ROOT_PACKAGES.join(',')}`], 20 * 60_000);
}

export interface DebRoot {
  dir: string;
  /** run a command inside the root (chroot), returns the result without throwing */
  run(args: string[], opts?: { timeoutMs?: number; network?: boolean }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

export async function freshRoot(tarballPath?: string): Promise<DebRoot> {
  const tarball = tarballPath ?? (await ensureRootTarball());
  const dir = await mkdtemp('/var/tmp/py2pkg-root-');
  await execa('/usr/bin/tar', ['-C', dir, '-xf', tarball], { env, extendEnv: false, timeout: 10 * 60_000 });
  return {
    dir,
    async run(args, opts = {}) {
      // bubblewrap with the root as /: own PID namespace and /proc, no network (everything the
      // tests install comes from the cached root or the .deb files copied into it) unless a
      // test asks for it to reach Debian's archive (network: true, with the host's resolv.conf)
      const net = opts.network ? ['--ro-bind', '/etc/resolv.conf', '/etc/resolv.conf'] : ['--unshare-net'];
      const r = await execa(
        '/usr/bin/bwrap',
        [
          '--bind',
          dir,
          '/',
          '--proc',
          '/proc',
          '--dev',
          '/dev',
          '--unshare-pid',
          ...net,
          '--die-with-parent',
          '--cap-add',
          'ALL',
          '--clearenv',
          '--setenv',
          'PATH',
          SYSTEM_PATH,
          '--setenv',
          'LANG',
          'C.UTF-8',
          '--setenv',
          'DEBIAN_FRONTEND',
          'noninteractive',
          '--setenv',
          'HOME',
          '/root',
          '--',
          ...args,
        ],
        {
          env,
          extendEnv: false,
          reject: false,
          timeout: opts.timeoutMs ?? 10 * 60_000,
        },
      );
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The buildd variant (build-essential, apt; what sbuild builds in), for source package builds. */
export function builddTarball(): string {
  const key = createHash('sha256').update(`${SUITE} ${MIRROR} buildd`).digest('hex').slice(0, 12);
  return join(rootCacheDir, `${SUITE}-buildd-${key}.tar`);
}

/** Build the cached buildd root tarball when it is missing (a few minutes with a reachable archive). */
export function ensureBuilddTarball(): Promise<string> {
  return ensureTarball(builddTarball(), ['--variant=buildd'], 30 * 60_000);
}
