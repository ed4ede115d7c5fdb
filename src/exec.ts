/**
 * The one wrapper for every external process py2pkg starts.
 * - argument arrays only (no shell, ever);
 * - an explicit environment: nothing is inherited unless named;
 * - a timeout for every call;
 * - a failure carries the tail of the tool's stderr.
 */
import { Py2pkgError } from './errors.js';

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
  /** Largest stdout/stderr kept, bytes (default 64 MiB). */
  maxBuffer?: number;
  /** Error code used when the tool fails (default TOOL_FAILED). */
  failCode?: 'TOOL_FAILED' | 'BUILD_FAILED';
  /** Pass stdout through as a Buffer instead of a string. */
  binaryStdout?: boolean;
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

export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError('run: file must be a non-empty string');
  const { execa } = await import('execa');
  const env = baseEnv(opts.env ?? {});
  const timeout = opts.timeoutMs ?? 10 * 60_000;
  const name = file.split('/').pop() ?? file;
  const result = await execa(file, [...args], {
    cwd: opts.cwd,
    env,
    extendEnv: false,
    shell: false,
    reject: false,
    timeout,
    killSignal: 'SIGKILL',
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024,
    encoding: opts.binaryStdout ? 'buffer' : 'utf8',
    stripFinalNewline: false,
  });
  const stdoutBuffer = opts.binaryStdout ? Buffer.from(result.stdout as unknown as Uint8Array) : undefined;
  const stdout = opts.binaryStdout ? '' : String(result.stdout ?? '');
  const stderr = typeof result.stderr === 'string' ? result.stderr : Buffer.from(result.stderr as unknown as Uint8Array).toString('utf8');
  const out: RunResult = {
    exitCode: result.exitCode ?? -1,
    stdout,
    stderr,
    timedOut: Boolean(result.timedOut),
    ...(stdoutBuffer ? { stdoutBuffer } : {}),
  };
  if (result.failed && (result as { code?: string }).code === 'ENOENT') {
    throw new Py2pkgError('TOOL_MISSING', `${name} is not installed (${file} not found)`);
  }
  if (out.timedOut) {
    throw new Py2pkgError(opts.failCode === 'BUILD_FAILED' ? 'BUILD_TIMEOUT' : 'TOOL_FAILED', `${name} did not finish within ${Math.round(timeout / 1000)} s and was killed`, {
      detail: tail(stderr, 60),
    });
  }
  if ((opts.check ?? true) && out.exitCode !== 0) {
    const last = tail(stderr || stdout, STDERR_TAIL_LINES);
    const lastLine = last.split('\n').filter((l) => l.trim()).pop() ?? '';
    throw new Py2pkgError(opts.failCode ?? 'TOOL_FAILED', `${name} exited with status ${out.exitCode}: ${lastLine}`, {
      detail: `${name} ${args.join(' ')}\n--- stderr (tail) ---\n${last}`,
    });
  }
  return out;
}
