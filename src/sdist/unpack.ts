/**
 * The unpack stage: a verified sdist (.tar.gz, .tgz, .tar or .zip) -> a source tree in a
 * private directory. The archive is hostile until proven otherwise.
 *
 * How it stays safe:
 * - node-tar's Parser only *reads* the archive (strict mode: every warning is an error).
 *   Nothing is written by node-tar's Unpack: this module validates every entry and creates
 *   every file itself, so no behaviour depends on node-tar's own path stripping defaults.
 * - Two passes over the same open file handle. The first pass writes nothing: it checks
 *   every path, type, link, size, the entry count and the layout, and resolves every
 *   symlink against the complete tree. Only if all of that passes does the second pass
 *   extract, re-checking everything (the file could change between the passes).
 * - Symlinks are created last, after every regular file and directory exists, and a path
 *   that goes through a symlink entry is refused. So while files are written there is no
 *   symlink on disk under destDir that a write could follow; files are opened with
 *   O_CREAT|O_EXCL|O_NOFOLLOW and directories are made one component at a time.
 * - Sizes: entry count and declared sizes are checked before any data is written, the
 *   bytes actually written are counted too, and the decompressed stream itself has a
 *   budget (gzip bombs stop early, not after expanding).
 * - Modes: files end up 0644 or 0755 (0755 when any execute bit was set), directories
 *   0755, symlinks as the system makes them. No setuid/setgid/sticky bits, nothing
 *   group- or world-writable, ownership never set (everything belongs to the caller).
 *
 * On any error destDir may hold partial files: deleting destDir (recursively) is the
 * caller's job. Nothing is ever written outside destDir.
 *
 * The files: unpack.ts (this stage: format, the two passes), unpack-limits.ts, archive-errors.ts,
 * entry-path.ts (which names may exist), extract-tree.ts (checks and writes), tar-read.ts,
 * zip-read.ts.
 */
import { constants as fsc } from 'node:fs';
import { open, readdir, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { corrupt, quote } from './archive-errors.js';
import { Tree } from './extract-tree.js';
import { tarPass } from './tar-read.js';
import { resolveLimits, type UnpackLimits, type UnpackResult } from './unpack-limits.js';
import { extractZipMember, planZipMember, readZipDirectory } from './zip-read.js';

export { DEFAULT_UNPACK_LIMITS, type UnpackLimits, type UnpackResult } from './unpack-limits.js';

/**
 * Unpack `archivePath` into `destDir` (an existing, empty, private directory made by the
 * caller). Throws Py2pkgError ARCHIVE_CORRUPT / ARCHIVE_UNSAFE / ARCHIVE_TOO_LARGE /
 * ARCHIVE_LAYOUT for bad archives. On error destDir may hold partial files and the caller
 * must delete it. The format is read from the bytes; `filename` (default: the path's last
 * component) must agree with it: a zip named .tar.gz, or a tar named .zip, is refused.
 */
export async function unpackSdist(
  archivePath: string,
  destDir: string,
  limits?: Partial<UnpackLimits>,
  filename = basename(archivePath),
): Promise<UnpackResult> {
  const lim = resolveLimits(limits);
  const dest = await realpath(destDir);
  if ((await readdir(dest)).length !== 0) throw new Error(`unpackSdist: ${dest} must be an empty directory`);

  // one handle for both passes: the checked bytes and the extracted bytes come from one file
  // (O_NONBLOCK: a FIFO passed as the sdist must not hang the open; it is refused below)
  const fh = await open(archivePath, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw corrupt(`${quote(archivePath)} is not a regular file`);
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const format = sniff(head.subarray(0, bytesRead));
    checkNameAgrees(filename, format);

    if (format === 'zip') {
      const plan = await readZipDirectory(fh, st.size, lim);
      // pass 1: check every name, type and size; nothing written
      const check = new Tree(null, lim);
      for (const m of plan) planZipMember(check, m);
      check.finish();
      // pass 2: extract
      const tree = new Tree(dest, lim);
      try {
        for (const m of plan) await extractZipMember(fh, tree, m);
      } finally {
        tree.closeOpen();
      }
      return tree.finish();
    }

    const gzip = format === 'gzip';
    // pass 1: read everything, write nothing
    const check = new Tree(null, lim);
    await tarPass(fh, gzip, check, lim);
    check.finish();
    // pass 2: extract, checking everything again
    const tree = new Tree(dest, lim);
    await tarPass(fh, gzip, tree, lim);
    return tree.finish();
  } finally {
    await fh.close();
  }
}

type Format = 'gzip' | 'tar' | 'zip';

function sniff(head: Buffer): Format {
  if (head.length === 0) throw corrupt('the sdist is an empty file');
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'zip';
  if (starts(0x42, 0x5a, 0x68)) throw corrupt('bzip2-compressed sdists are not supported (use the .tar.gz)');
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) throw corrupt('xz-compressed sdists are not supported (use the .tar.gz)');
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) throw corrupt('zstd-compressed sdists are not supported (use the .tar.gz)');
  if (starts(0x50, 0x4b)) throw corrupt('unsupported zip layout (split, spanned or self-extracting archive)');
  return 'tar';
}

/** The format a file name promises, by its suffix; undefined for a name with no known suffix. */
function formatByName(filename: string): Format | 'bzip2' | undefined {
  const n = filename.toLowerCase();
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'gzip';
  if (n.endsWith('.zip')) return 'zip';
  if (n.endsWith('.tar')) return 'tar';
  if (n.endsWith('.tar.bz2')) return 'bzip2';
  return undefined;
}

const FORMAT_NAMES: Record<Format | 'bzip2', string> = {
  gzip: 'a gzip-compressed tar',
  tar: 'an uncompressed tar',
  zip: 'a zip',
  bzip2: 'a bzip2-compressed tar',
};

/**
 * The name must not say one format over content of another: tools downstream (pip, a
 * mirror, a person) choose by name, and a mismatch is how a file slips past a check made for
 * the other format.
 */
function checkNameAgrees(filename: string, format: Format): void {
  const named = formatByName(filename);
  if (named === undefined || named === format) return;
  throw corrupt(`${quote(filename)} is named as ${FORMAT_NAMES[named]} archive but its content is ${FORMAT_NAMES[format]} archive`);
}
