/**
 * reStructuredText -> text blocks through docutils (Debian's python3-docutils), in
 * /usr/bin/python3 -I running python/rst_to_text.py: the text on stdin (at most MAX_RST
 * bytes, cut at a line end), a timeout, an output limit. docutils runs with its security
 * settings (see the Python file). A severe parse problem (exit 3) means "not valid
 * reStructuredText": the caller falls back to plain text, as PyPI does. Any other failure
 * (docutils missing, timeout) falls back too, with a warning.
 */
import { Py2pkgError } from '../errors.js';
import { run } from '../exec.js';
import { PYTHON, pythonHelpersDir } from '../paths.js';
import { join } from 'node:path';
import type { Block } from './blocks.js';

export const MAX_RST = 256 * 1024;
export const RST_TIMEOUT_MS = 20_000;

export type RstResult = { ok: true; blocks: Block[] } | { ok: false; warning?: string };

/** The first `max` bytes of `text`, cut at the last line end inside them. */
export function boundText(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  const cut = buf
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const nl = cut.lastIndexOf('\n');
  return nl > 0 ? cut.slice(0, nl + 1) : cut;
}

function isBlock(v: unknown): v is Block {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  if (typeof b.x !== 'string') return false;
  switch (b.t) {
    case 'h':
      return typeof b.l === 'number';
    case 'p':
    case 'c':
      return true;
    case 'i':
      return typeof b.d === 'number' && typeof b.m === 'string' && typeof b.c === 'boolean';
    default:
      return false;
  }
}

export async function rstBlocks(text: string): Promise<RstResult> {
  let r;
  try {
    r = await run(PYTHON, ['-I', join(pythonHelpersDir(), 'rst_to_text.py')], {
      input: boundText(text, MAX_RST),
      env: { HOME: '/nonexistent', PYTHONDONTWRITEBYTECODE: '1' },
      cwd: '/',
      timeoutMs: RST_TIMEOUT_MS,
      maxBuffer: 8 * 1024 * 1024,
      check: false,
    });
  } catch (e) {
    return { ok: false, warning: `the reStructuredText description was not parsed (${e instanceof Py2pkgError ? e.message : String(e)}); kept as plain text` };
  }
  if (r.exitCode === 3) return { ok: false };
  if (r.exitCode !== 0) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    return {
      ok: false,
      warning: `docutils could not parse the description (${/No module named .docutils/.test(r.stderr) ? 'python3-docutils is not installed' : last.slice(0, 160)}); kept as plain text`,
    };
  }
  try {
    const parsed = JSON.parse(r.stdout) as { blocks?: unknown };
    if (!Array.isArray(parsed.blocks) || !parsed.blocks.every(isBlock)) throw new Error('unexpected output');
    return { ok: true, blocks: parsed.blocks };
  } catch {
    return { ok: false, warning: 'rst_to_text.py wrote unexpected output; the description is kept as plain text' };
  }
}
