/**
 * One progress display for a batch, on stderr. On a terminal: finished packages scroll above a
 * live block (one line per running package: its stage and elapsed time, then a counts line),
 * redrawn in place with plain ANSI (cursor up, erase down). Elsewhere (a pipe, a CI log): one
 * plain line per state change, nothing redrawn. `none` prints only what must be seen.
 */
import { singleLine } from '../errors.js';

export type DisplayMode = 'tty' | 'plain' | 'none';

interface Running {
  label: string;
  stage: string;
  since: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class BatchDisplay {
  private readonly running = new Map<number, Running>();
  private drawn = 0;
  private done = 0;
  private failed = 0;
  private cached = 0;
  private readonly t0 = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
    readonly mode: DisplayMode,
    private readonly columns = 100,
  ) {
    if (mode === 'tty') {
      this.timer = setInterval(() => this.render(), 500);
      this.timer.unref();
    }
  }

  start(i: number, label: string): void {
    this.running.set(i, { label: singleLine(label, 80), stage: 'waiting', since: Date.now() });
    if (this.mode === 'plain') this.write(`py2pkg: [${i + 1}/${this.total}] ${singleLine(label, 80)}: started\n`);
    this.render();
  }

  stage(i: number, message: string): void {
    const r = this.running.get(i);
    if (!r) return;
    r.stage = singleLine(message, 80);
    this.render();
  }

  /** A finished package: state is converted, cached or failed; `what` the package path or the error line. */
  finish(i: number, state: 'converted' | 'cached' | 'failed', what: string): void {
    const r = this.running.get(i);
    this.running.delete(i);
    this.done++;
    if (state === 'failed') this.failed++;
    if (state === 'cached') this.cached++;
    const label = r?.label ?? String(i + 1);
    const took = r ? seconds(Date.now() - r.since) : '';
    const mark = this.mode === 'tty' ? (state === 'failed' ? '\x1b[31m✗\x1b[0m' : '\x1b[32m✓\x1b[0m') : `[${i + 1}/${this.total}]`;
    const line = `py2pkg: ${mark} ${label}: ${state}${state === 'failed' ? '' : ` in ${took}`}: ${singleLine(what, 300)}`;
    if (this.mode !== 'none') this.log(line);
  }

  /** A line that stays (warnings, finished packages); the live block is redrawn below it. */
  log(line: string): void {
    this.clear();
    this.write(`${line}\n`);
    this.render();
  }

  private clear(): void {
    if (this.mode !== 'tty' || this.drawn === 0) return;
    this.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }

  private render(): void {
    if (this.mode !== 'tty') return;
    this.clear();
    const now = Date.now();
    const cut = (s: string) => (s.length > this.columns - 1 ? `${s.slice(0, this.columns - 2)}…` : s);
    const lines = [...this.running.values()].map((r) => cut(`  ${r.label}: ${r.stage} (${seconds(now - r.since)})`));
    lines.push(
      cut(
        `py2pkg: [${this.done}/${this.total}] ${this.done - this.failed} ok (${this.cached} cached), ${this.failed} failed, ${this.running.size} running · ${seconds(now - this.t0)}`,
      ),
    );
    this.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}
