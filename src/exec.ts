/**
 * The one wrapper for every external process py2pkg starts.
 * - argument arrays only (no shell, ever);
 * - an explicit environment: nothing is inherited unless named;
 * - a timeout for every call; the child gets its own process group and the whole group is
 *   killed (SIGKILL) when the time is up;
 * - a failure carries the tail of the tool's stderr;
 * - a child still running when py2pkg is interrupted is killed with its group (src/interrupt.ts).
 * Built on node:child_process directly (execa costs ~80 ms of start-up per run of py2pkg).
 */
import { spawn } from 'node:child_process';
import { Py2pkgError } from './errors.js';
import { trackChildGroup } from './interrupt.js';

/** The PATH every child gets: system directories first, so a pyenv shim is never picked. */
export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunOptions {
  cwd?: string;
  /** The child's whole environment (PATH and LANG are added when missing). */
  env?: Record<string, string>;
  /** Milliseconds; default 10 minutes. */
  timeoutMs?: number;
  input?: string | Buffer;
  /** When false, a non-zero exit returns the result instead of throwing. */
  check?: boolean;
  /** Largest stdout/stderr kept, bytes each (default 64 MiB); past it the child is killed. */
  maxBuffer?: number;
  /** Error code used when the tool fails (default TOOL_FAILED). */
  failCode?: 'TOOL_FAILED' | 'BUILD_FAILED';
  /** Keep stdout as a Buffer too (binary output). */
  binaryStdout?: boolean;
  /** Called once the child is running (work to do while it runs starts here, not before the spawn). */
  onSpawn?: () => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stdoutBuffer?: Buffer;
  stderr: string;
  timedOut: boolean;
}

export const STDERR_TAIL_LINES = 12;

export function tail(text: string, lines = STDERR_TAIL_LINES): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...extra };
}

interface Raw {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  overflow: boolean;
}

function spawnCollect(file: string, args: readonly string[], opts: RunOptions, timeout: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const maxBuffer = opts.maxBuffer ?? 64 * 1024 * 1024;
    const child = spawn(file, [...args], {
      cwd: opts.cwd,
      env: baseEnv(opts.env ?? {}),
      shell: false,
      detached: true, // own process group: a timeout kills the whole tree
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    // its group is killed if py2pkg is interrupted (src/interrupt.ts): Ctrl-C reaches node alone
    const forget = child.pid !== undefined ? trackChildGroup(child.pid) : () => {};
    if (opts.onSpawn) child.once('spawn', opts.onSpawn);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let timedOut = false;
    let overflow = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeout);
    child.stdout!.on('data', (c: Buffer) => {
      outLen += c.length;
      if (outLen > maxBuffer) {
        overflow = true;
        killGroup();
      } else out.push(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      errLen += c.length;
      // keep the most recent stderr: the tail is what explains a failure
      err.push(c);
      while (errLen > maxBuffer && err.length > 1) errLen -= err.shift()!.length;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      forget();
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      forget();
      resolve({ exitCode: code ?? -1, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut, overflow });
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => {}); // a child that exits early closes its stdin: not our error
      child.stdin!.end(opts.input);
    }
  });
}

export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError('run: file must be a non-empty string');
  const timeout = opts.timeoutMs ?? 10 * 60_000;
  const name = file.split('/').pop() ?? file;
  let raw: Raw;
  try {
    raw = await spawnCollect(file, args, opts, timeout);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Py2pkgError('TOOL_MISSING', `${name} is not installed (${file} not found)`);
    throw new Py2pkgError('TOOL_FAILED', `${name} could not be started: ${(e as Error).message}`);
  }
  const stderr = raw.stderr.toString('utf8');
  const result: RunResult = {
    exitCode: raw.exitCode,
    stdout: raw.stdout.toString('utf8'),
    stderr,
    timedOut: raw.timedOut,
    ...(opts.binaryStdout ? { stdoutBuffer: raw.stdout } : {}),
  };
  if (raw.timedOut) {
    throw new Py2pkgError(
      opts.failCode === 'BUILD_FAILED' ? 'BUILD_TIMEOUT' : 'TOOL_FAILED',
      `${name} did not finish within ${Math.round(timeout / 1000)} s and was killed`,
      {
        detail: tail(stderr, 60),
      },
    );
  }
  if (raw.overflow)
    throw new Py2pkgError(opts.failCode ?? 'TOOL_FAILED', `${name} wrote more output than the ${opts.maxBuffer ?? 64 * 1024 * 1024} byte limit and was killed`);
  if ((opts.check ?? true) && result.exitCode !== 0) {
    const last = tail(stderr || result.stdout, STDERR_TAIL_LINES);
    const lastLine =
      last
        .split('\n')
        .filter((l) => l.trim())
        .pop() ?? (raw.signal ? `killed by ${raw.signal}` : '');
    throw new Py2pkgError(opts.failCode ?? 'TOOL_FAILED', `${name} exited with status ${result.exitCode}: ${lastLine}`, {
      detail: `${name} ${args.join(' ')}\n--- stderr (tail) ---\n${last}`,
    });
  }
  return result;
}
