/**
 * Copyright notices from the headers of the sdist's source files (the inspect stage): the
 * first HEAD_BYTES of up to MAX_FILES Python/C files, in path order, tests, docs and build
 * debris left out. Symlinks are not followed (unpack refuses them anyway).
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { noticesIn, uniqueNotices } from '../license/notices.js';

const MAX_FILES = 400;
const HEAD_BYTES = 4096;
const SOURCE = /\.(py|pyi|pyx|pxd|c|h|cc|cpp)$/;
const SKIP_DIRS = /^(\..*|tests?|testing|docs?|examples?|build|dist|node_modules|__pycache__|.*\.egg-info|.*\.dist-info|benchmarks?)$/i;

export async function sourceHeaderNotices(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (files.length >= MAX_FILES || depth > 12) return;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (files.length >= MAX_FILES) return;
      const full = join(dir, e.name);
      if (e.isDirectory() && !SKIP_DIRS.test(e.name)) await walk(full, depth + 1);
      else if (e.isFile() && SOURCE.test(e.name)) files.push(full);
    }
  };
  await walk(root, 0);
  const notices: string[] = [];
  const buf = Buffer.alloc(HEAD_BYTES);
  for (const f of files) {
    const fh = await open(f, 'r');
    try {
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      notices.push(...noticesIn(buf.subarray(0, bytesRead).toString('utf8'), { maxLines: 60 }));
    } finally {
      await fh.close();
    }
  }
  return uniqueNotices(notices);
}
