/**
 * The build sandbox: an sdist's build code is hostile, so it runs under bubblewrap the way
 * build farms (sbuild, mock) treat it:
 *  - own user, PID, IPC, UTS, cgroup and network namespaces (no network: only a down loopback),
 *    no capabilities, a new session (no TIOCSTI into our terminal), killed with its parent;
 *  - the system (/usr) read-only; from /etc only what Python needs to start;
 *    nothing of /root, /home, /work, /var, /run or the caller's cwd is visible;
 *  - only the build directory is writable (mounted at /build), /tmp is a private tmpfs;
 *  - a minimal environment built from scratch (no signing material, no tokens, no proxy),
 *    HOME inside the build directory;
 *  - /proc shows only the sandbox's own processes, so the parent's environment and command
 *    line are out of reach;
 *  - a wall-clock timeout (enforced by the exec wrapper, SIGKILL).
 */
import { run, type RunResult } from '../exec.js';

export const BWRAP = '/usr/bin/bwrap';

/** Read-only pieces of /etc that CPython and the dynamic linker need. */
const ETC_READ_ONLY = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/python3', '/etc/alternatives', '/etc/localtime'];

export interface SandboxSpec {
  /** host directory mounted read-write at /build */
  buildDir: string;
  /** working directory inside the sandbox (under /build) */
  cwd: string;
  /** extra read-only binds: host path -> sandbox path */
  readOnly?: Array<[string, string]>;
  /** environment variables besides the fixed minimal set */
  env?: Record<string, string>;
  /** python minor version, e.g. "3.11", to expose /etc/python3.X */
  pythonVersion: string;
}

export const SANDBOX_BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/bin:/bin',
  HOME: '/build/home',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONHASHSEED: '0',
  PYTHONNOUSERSITE: '1',
  PIP_NO_INDEX: '1',
  NO_COLOR: '1',
};

/** The bwrap argument list for a command (pure: unit-tested). */
export function bwrapArgs(spec: SandboxSpec, command: readonly string[]): string[] {
  const args = [
    '--unshare-all', // user, ipc, pid, net, uts, cgroup
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--dir',
    '/etc',
  ];
  for (const p of [...ETC_READ_ONLY, `/etc/python${spec.pythonVersion}`]) args.push('--ro-bind-try', p, p);
  args.push('--bind', spec.buildDir, '/build');
  for (const [host, inside] of spec.readOnly ?? []) args.push('--ro-bind', host, inside);
  args.push('--chdir', spec.cwd, '--clearenv');
  const env = { ...SANDBOX_BASE_ENV, ...(spec.env ?? {}) };
  for (const key of Object.keys(env).sort()) args.push('--setenv', key, env[key] as string);
  args.push('--', ...command);
  return args;
}

export interface SandboxRunOptions {
  timeoutMs: number;
  check?: boolean;
  onSpawn?: () => void;
}

export async function runSandboxed(spec: SandboxSpec, command: readonly string[], opts: SandboxRunOptions): Promise<RunResult> {
  return run(BWRAP, bwrapArgs(spec, command), {
    env: {},
    timeoutMs: opts.timeoutMs,
    check: opts.check ?? true,
    failCode: 'BUILD_FAILED',
    onSpawn: opts.onSpawn,
  });
}
