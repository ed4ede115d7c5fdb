/** Where py2pkg's own files live (templates, python helpers), found from this module's location. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The directory holding py2pkg's package.json (works from src/ via tsx or from dist/src/). */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('py2pkg: cannot find its own installation directory (package.json + templates/)');
    dir = up;
  }
}

export const templatesDir = (): string => join(projectRoot(), 'templates');
export const pythonHelpersDir = (): string => join(projectRoot(), 'python');
/** The system's Python, which runs py2pkg's helpers (in the sandbox and out of it). */
export const PYTHON = '/usr/bin/python3';
