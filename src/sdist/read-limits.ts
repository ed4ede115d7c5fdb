/**
 * Size limits for every metadata file py2pkg reads out of an sdist (or out of the wheel its
 * build produced), and the one bounded reader that enforces them before anything is parsed.
 * The archive-level limits (total size, entries, path length) live in src/sdist/unpack-limits.ts.
 */
import { constants as fsc } from 'node:fs';
import { open } from 'node:fs/promises';
import { Py2pkgError } from '../errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Largest file of each kind, in bytes. Generous for real projects (the largest PKG-INFO on
 * PyPI, a long README plus a changelog, is a few hundred KiB) and small enough that every
 * parser behind them finishes in well under a second.
 */
export const METADATA_LIMITS = Object.freeze({
  /** PKG-INFO in the sdist, METADATA in the built wheel */
  coreMetadata: 4 * MiB,
  pyprojectToml: 1 * MiB,
  setupCfg: 1 * MiB,
  setupPy: 1 * MiB,
  /** what install_wheel.py reports from the wheel (its WHEEL and entry_points.txt) */
  installSummary: 8 * MiB,
  /** one license text; larger ones are left out of the copyright file */
  licenseFile: 256 * KiB,
  /** all license texts together; the rest are left out */
  licenseTotal: 1 * MiB,
  /** license files looked at (named in License-File or found by name) */
  licenseCount: 64,
});

/** The same limits by file name, for the files in the sdist's top-level directory. */
export const TOP_LEVEL_METADATA_LIMITS: ReadonlyMap<string, number> = new Map([
  ['PKG-INFO', METADATA_LIMITS.coreMetadata],
  ['pyproject.toml', METADATA_LIMITS.pyprojectToml],
  ['setup.cfg', METADATA_LIMITS.setupCfg],
  ['setup.py', METADATA_LIMITS.setupPy],
]);

/**
 * Read a file of at most `max` bytes. The size is checked before reading (fstat of the open
 * file) and again while reading (at most max+1 bytes are ever read), so a file that grows or
 * lies about its size costs no more than the limit. Follows symlinks (the unpack stage only
 * lets in-tree ones through); refuses anything that is not a regular file.
 *
 * Returns undefined when the file does not exist; throws METADATA_TOO_LARGE past the limit and
 * METADATA_INVALID for something that is not a regular file.
 */
export async function readBounded(path: string, max: number, what: string): Promise<Buffer | undefined> {
  let fh;
  try {
    fh = await open(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Py2pkgError('METADATA_INVALID', `${what} is not a regular file`);
    if (st.size > max) throw tooLarge(what, max, st.size);
    const buf = Buffer.alloc(Math.min(st.size, max) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > max) throw tooLarge(what, max, got);
      if (got === buf.length) break;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** readBounded, then strict UTF-8; METADATA_INVALID for bytes that are not UTF-8. */
export async function readBoundedText(path: string, max: number, what: string): Promise<string | undefined> {
  const bytes = await readBounded(path, max, what);
  if (bytes === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Py2pkgError('METADATA_INVALID', `${what} is not valid UTF-8`);
  }
}

function tooLarge(what: string, max: number, size: number): Py2pkgError {
  const is = size > max + 1 ? `is ${size} bytes` : 'is larger';
  return new Py2pkgError('METADATA_TOO_LARGE', `${what} ${is}, more than the ${max} bytes py2pkg accepts`);
}
