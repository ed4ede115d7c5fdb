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
 */
import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs';
import { open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { Py2pkgError, singleLine } from '../errors.js';
import { TOP_LEVEL_METADATA_LIMITS } from './read-limits.js';

export interface UnpackLimits {
  /** total expanded size of all regular files, in bytes (default 512 MiB) */
  maxBytes: number;
  /** number of entries (files, directories, links) (default 20000) */
  maxEntries: number;
  /** largest single file, in bytes (default: no limit beyond maxBytes) */
  maxEntryBytes?: number;
}

export interface UnpackResult {
  /** absolute path of the single top-level directory */
  root: string;
  /** entries extracted (files, directories, links) */
  entries: number;
  /** bytes of regular-file data written */
  bytes: number;
}

export const DEFAULT_UNPACK_LIMITS: Readonly<UnpackLimits> = Object.freeze({
  maxBytes: 512 * 1024 * 1024,
  maxEntries: 20000,
});

/** Max symlinks followed while resolving one link (Linux uses 40 too). */
const MAX_SYMLINK_HOPS = 40;
/**
 * Longest entry name or link target, in UTF-8 bytes, and longest path component (NAME_MAX).
 * Without a bound a pax header may carry a 1 MiB name of 500 000 components, and every
 * check on it costs its length times its depth.
 */
const MAX_PATH_BYTES = 1024;
const MAX_COMPONENT_BYTES = 255;
/** Directories a tree may hold beyond its entries (the parents its paths imply), as a multiple of maxEntries. */
const IMPLIED_DIRS_PER_ENTRY = 1;
/** Path components walked while resolving all symlinks of one archive, together. */
const MAX_SYMLINK_STEPS = 256 * 1024;
/** Largest pax / GNU long-name header node-tar will buffer; bigger ones are refused. */
const MAX_META_ENTRY = 1024 * 1024;
/** Read size for the archive file. */
const CHUNK = 64 * 1024;

/**
 * Unpack `archivePath` into `destDir` (an existing, empty, private directory made by the
 * caller). Throws Py2pkgError ARCHIVE_CORRUPT / ARCHIVE_UNSAFE / ARCHIVE_TOO_LARGE /
 * ARCHIVE_LAYOUT for bad archives. On error destDir may hold partial files and the caller
 * must delete it. The format is read from the bytes; `filename` (default: the path's last
 * component) must agree with it: a zip named .tar.gz, or a tar named .zip, is refused.
 */
export async function unpackSdist(archivePath: string, destDir: string, limits?: Partial<UnpackLimits>, filename = basename(archivePath)): Promise<UnpackResult> {
  const lim = resolveLimits(limits);
  const dest = await realpath(destDir);
  if ((await readdir(dest)).length !== 0) throw new Error(`unpackSdist: ${dest} must be an empty directory`);

  // one handle for both passes: the checked bytes and the extracted bytes come from one file
  // (O_NONBLOCK: a FIFO passed as the sdist must not hang the open; it is refused below)
  const fh = await open(archivePath, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Py2pkgError('ARCHIVE_CORRUPT', `${quote(archivePath)} is not a regular file`);
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

function resolveLimits(limits: Partial<UnpackLimits> | undefined): UnpackLimits {
  const out: UnpackLimits = {
    maxBytes: limits?.maxBytes ?? DEFAULT_UNPACK_LIMITS.maxBytes,
    maxEntries: limits?.maxEntries ?? DEFAULT_UNPACK_LIMITS.maxEntries,
  };
  if (limits?.maxEntryBytes !== undefined) out.maxEntryBytes = limits.maxEntryBytes;
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`unpackSdist: limit ${k} must be a non-negative integer`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// errors and names

/** An entry name made printable, bounded and quoted for an error message. */
function quote(name: string): string {
  const short = name.length > 160 ? `${name.slice(0, 160)}…` : name;
  return singleLine(JSON.stringify(short));
}

const unsafe = (msg: string): Py2pkgError => new Py2pkgError('ARCHIVE_UNSAFE', msg);
const corrupt = (msg: string, cause?: unknown): Py2pkgError =>
  new Py2pkgError('ARCHIVE_CORRUPT', msg, cause === undefined ? {} : { cause });
const tooLarge = (msg: string): Py2pkgError => new Py2pkgError('ARCHIVE_TOO_LARGE', msg);
const layout = (msg: string): Py2pkgError => new Py2pkgError('ARCHIVE_LAYOUT', msg);

function errMessage(e: unknown): string {
  return singleLine(e instanceof Error ? e.message : String(e), 200);
}

/** Turn what the decompressor, node-tar or a stream threw into the catalogue's errors. */
function classify(e: unknown): unknown {
  if (e instanceof Py2pkgError) return e;
  const err = e as { code?: unknown; tarCode?: unknown } | null;
  if (err && typeof err === 'object') {
    if (typeof err.tarCode === 'string') return corrupt(`not a valid tar archive: ${errMessage(e)}`, e);
    if (typeof err.code === 'string' && err.code.startsWith('Z_')) return corrupt(`corrupt compressed data: ${errMessage(e)}`, e);
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE') return corrupt(`archive stream ended early: ${errMessage(e)}`, e);
  }
  return e;
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

const FORMAT_NAMES: Record<Format | 'bzip2', string> = { gzip: 'a gzip-compressed tar', tar: 'an uncompressed tar', zip: 'a zip', bzip2: 'a bzip2-compressed tar' };

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

/** Split an entry name into components, refusing anything that is not a plain relative path. */
function splitEntryPath(raw: string, what = 'entry'): string[] {
  if (raw.length === 0) throw unsafe(`${what} with an empty name`);
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES) throw unsafe(`${what} ${quote(raw)} has a name longer than ${MAX_PATH_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw unsafe(`${what} ${quote(raw)} has control characters in its name`);
  if (raw.includes('\\')) throw unsafe(`${what} ${quote(raw)} has a backslash in its name`);
  if (raw.startsWith('/')) throw unsafe(`${what} ${quote(raw)} is an absolute path`);
  if (/^[A-Za-z]:/.test(raw)) throw unsafe(`${what} ${quote(raw)} starts with a drive letter`);
  const comps = raw.split('/').filter((c) => c !== '' && c !== '.');
  if (comps.includes('..')) throw unsafe(`${what} ${quote(raw)} has a '..' component`);
  if (comps.some((c) => Buffer.byteLength(c) > MAX_COMPONENT_BYTES)) throw unsafe(`${what} ${quote(raw)} has a path component longer than ${MAX_COMPONENT_BYTES} bytes`);
  return comps;
}

/** Fold a path the way case-insensitive, normalising file systems (macOS) may. */
function fold(key: string): string {
  return key.normalize('NFD').toLowerCase();
}

// ---------------------------------------------------------------------------------------
// the tree: every check on names, types, links, sizes and layout, and every write

type Kind = 'dir' | 'file' | 'symlink';
interface TreeNode {
  kind: Kind;
  /** a hard link (its own name for an existing file) */
  hard?: boolean;
  /** a symlink's target, as stored in the archive */
  target?: string;
}

/** Bytes written to one regular file, checked against its declared size and the limits. */
class FileSink {
  written = 0;
  constructor(
    private readonly tree: Tree,
    private readonly name: string,
    private readonly declared: number,
    private fd: number | undefined,
    private readonly mode: number,
    private readonly mtime: Date | undefined,
  ) {}

  write(chunk: Buffer): void {
    this.written += chunk.length;
    if (this.written > this.declared) throw corrupt(`${quote(this.name)} holds more data than its declared size (${this.declared} bytes)`);
    this.tree.countBytes(chunk.length, this.name, this.written);
    if (this.fd === undefined) return;
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
  }

  /** Finish the file; with ok=false only release the descriptor. */
  close(ok: boolean): void {
    const fd = this.fd;
    this.fd = undefined;
    this.tree.releaseSink(this);
    try {
      if (ok && this.written !== this.declared) {
        throw corrupt(`${quote(this.name)} is truncated (${this.written} of ${this.declared} bytes)`);
      }
      if (ok && fd !== undefined) {
        fs.fchmodSync(fd, this.mode);
        const t = this.mtime?.getTime();
        if (t !== undefined && Number.isFinite(t) && t >= 0 && t < 253402300800000) fs.futimesSync(fd, this.mtime!, this.mtime!);
      }
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
}

class Tree {
  private readonly nodes = new Map<string, TreeNode>();
  private readonly folds = new Map<string, string[]>();
  private readonly symlinks: string[] = [];
  private symlinkSteps = 0;
  private top: string | undefined;
  private sink: FileSink | undefined;
  entries = 0;
  private declaredBytes = 0;
  private writtenBytes = 0;

  /** dest: the real path of destDir, or null for a dry run that writes nothing */
  constructor(
    private readonly dest: string | null,
    private readonly lim: UnpackLimits,
  ) {}

  countEntry(): void {
    this.entries += 1;
    if (this.entries > this.lim.maxEntries) throw tooLarge(`the sdist has more than ${this.lim.maxEntries} entries`);
  }

  countBytes(n: number, name: string, entryWritten: number): void {
    this.writtenBytes += n;
    if (this.writtenBytes > this.lim.maxBytes) throw tooLarge(`the sdist expands past ${this.lim.maxBytes} bytes (at ${quote(name)})`);
    if (this.lim.maxEntryBytes !== undefined && entryWritten > this.lim.maxEntryBytes) {
      throw tooLarge(`${quote(name)} is larger than ${this.lim.maxEntryBytes} bytes`);
    }
  }

  releaseSink(s: FileSink): void {
    if (this.sink === s) this.sink = undefined;
  }

  /** Close a file left open by an error. */
  closeOpen(): void {
    try {
      this.sink?.close(false);
    } catch {
      // already failing; the caller deletes destDir
    }
  }

  private abs(comps: string[]): string {
    if (this.dest === null) throw new Error('unpack: dry run has no paths');
    const p = join(this.dest, ...comps);
    if (!p.startsWith(this.dest + sep)) throw unsafe(`${quote(comps.join('/'))} resolves outside the unpack directory`);
    return p;
  }

  /** Layout: one top-level directory holding everything. */
  private checkLayout(comps: string[], kind: Kind, raw: string): void {
    const first = comps[0]!;
    if (comps.length === 1 && kind !== 'dir') {
      throw layout(`${quote(raw)} is a ${kind === 'file' ? 'file' : 'link'} at the top level; an sdist holds one top-level directory`);
    }
    if (this.top === undefined) this.top = first;
    else if (first !== this.top) throw layout(`the sdist has more than one top-level entry: ${quote(this.top)} and ${quote(first)}`);
  }

  private lookup(key: string): TreeNode | undefined {
    const exact = this.nodes.get(key);
    if (exact) return exact;
    // on a case-insensitive file system another spelling may name the same file
    const others = this.folds.get(fold(key));
    if (!others) return undefined;
    const nodes = others.map((k) => this.nodes.get(k)!);
    return nodes.find((n) => n.kind === 'symlink') ?? nodes.find((n) => n.kind === 'dir') ?? nodes[0];
  }

  private record(key: string, node: TreeNode): void {
    if (this.nodes.size >= this.lim.maxEntries * (1 + IMPLIED_DIRS_PER_ENTRY) + 1) {
      throw tooLarge(`the sdist has more than ${this.lim.maxEntries} entries (counting the directories its paths imply)`);
    }
    this.nodes.set(key, node);
    const f = fold(key);
    const list = this.folds.get(f);
    if (!list) this.folds.set(f, [key]);
    else if (!list.includes(key)) list.push(key);
  }

  /**
   * Register a new entry. Returns 'new', or 'same' for a directory seen before, or
   * 'replace' for a regular file seen before. Anything else seen twice is refused.
   */
  private claim(comps: string[], node: TreeNode, raw: string): 'new' | 'same' | 'replace' {
    const key = comps.join('/');
    const old = this.nodes.get(key);
    if (!old) {
      this.record(key, node);
      return 'new';
    }
    if (old.kind === 'dir' && node.kind === 'dir') return 'same';
    if (old.kind === 'file' && node.kind === 'file' && !old.hard && !node.hard) return 'replace';
    throw unsafe(`${quote(raw)} appears twice in the archive (as ${describe(old)} and as ${describe(node)})`);
  }

  /**
   * Make sure every parent of comps is a real directory (made here), never a link or file.
   * Every ancestor of a recorded directory was checked when it was recorded, so the walk goes
   * up from the nearest parent to the first known directory: its cost is the number of
   * directories it adds, not the path's depth.
   */
  private parents(comps: string[], raw: string): void {
    let known = comps.length - 1;
    for (; known > 0; known--) {
      const key = comps.slice(0, known).join('/');
      const node = this.nodes.get(key);
      if (node?.kind === 'dir') break;
      if (node?.kind === 'symlink') throw unsafe(`${quote(raw)} goes through the symlink ${quote(key)}`);
      if (node) throw unsafe(`${quote(raw)} goes through the file ${quote(key)}`);
    }
    for (let i = known + 1; i < comps.length; i++) {
      const prefix = comps.slice(0, i);
      this.record(prefix.join('/'), { kind: 'dir' });
      this.mkdir(prefix, raw);
    }
  }

  private mkdir(comps: string[], raw: string): void {
    if (this.dest === null) return;
    const p = this.abs(comps);
    try {
      fs.mkdirSync(p, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, raw);
      // no symlink exists under destDir while files are written, so lstat is enough
      if (!fs.lstatSync(p).isDirectory()) throw unsafe(`${quote(raw)} collides with another entry (case-insensitive file system?)`);
      return;
    }
    fs.chmodSync(p, 0o755);
  }

  private prepare(raw: string, kind: Kind, what = 'entry'): string[] | undefined {
    const comps = splitEntryPath(raw, what);
    if (comps.length === 0) {
      if (kind === 'dir') return undefined; // "./": the archive's own root
      throw unsafe(`${what} ${quote(raw)} has no name`);
    }
    this.checkLayout(comps, kind, raw);
    this.parents(comps, raw);
    return comps;
  }

  addDir(raw: string): void {
    const comps = this.prepare(raw, 'dir');
    if (!comps) return;
    if (this.claim(comps, { kind: 'dir' }, raw) === 'new') this.mkdir(comps, raw);
  }

  /** Check a regular file's name and declared size and register it. */
  declareFile(raw: string, size: number): { comps: string[]; replace: boolean } {
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`${quote(raw)} has an invalid size`);
    if (this.lim.maxEntryBytes !== undefined && size > this.lim.maxEntryBytes) {
      throw tooLarge(`${quote(raw)} is larger than ${this.lim.maxEntryBytes} bytes (declares ${size})`);
    }
    if (this.declaredBytes + size > this.lim.maxBytes) {
      throw tooLarge(`the sdist expands past ${this.lim.maxBytes} bytes (at ${quote(raw)}, which declares ${size})`);
    }
    this.declaredBytes += size;
    const comps = this.prepare(raw, 'file')!;
    // PKG-INFO, pyproject.toml, ...: refused by their declared size, before a byte is extracted
    const metaLimit = comps.length === 2 ? TOP_LEVEL_METADATA_LIMITS.get(comps[1]!) : undefined;
    if (metaLimit !== undefined && size > metaLimit) {
      throw new Py2pkgError('METADATA_TOO_LARGE', `${quote(raw)} is ${size} bytes, more than the ${metaLimit} bytes py2pkg accepts`);
    }
    return { comps, replace: this.claim(comps, { kind: 'file' }, raw) === 'replace' };
  }

  openFile(raw: string, mode: number | undefined, size: number, mtime: Date | undefined): FileSink {
    const { comps, replace } = this.declareFile(raw, size);
    const finalMode = (mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
    let fd: number | undefined;
    if (this.dest !== null) {
      const p = this.abs(comps);
      try {
        if (replace) fs.unlinkSync(p);
        fd = fs.openSync(p, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
      } catch (e) {
        throw fsError(e, raw);
      }
    }
    const s = new FileSink(this, raw, size, fd, finalMode, mtime);
    this.sink = s;
    return s;
  }

  addSymlink(raw: string, target: string): void {
    const comps = this.prepare(raw, 'symlink')!;
    checkLinkText(raw, target);
    if (target.startsWith('/')) throw unsafe(`symlink ${quote(raw)} points to the absolute path ${quote(target)}`);
    // quick lexical check now; the full check (through other symlinks) runs in finish()
    const at = comps.slice(0, -1);
    for (const c of target.split('/')) {
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (at.length <= 1) throw unsafe(`symlink ${quote(raw)} -> ${quote(target)} points outside the top-level directory`);
        at.pop();
      } else at.push(c);
    }
    this.claim(comps, { kind: 'symlink', target }, raw);
    this.symlinks.push(comps.join('/'));
  }

  addHardlink(raw: string, target: string): void {
    const comps = this.prepare(raw, 'file')!;
    checkLinkText(raw, target);
    const tcomps = splitEntryPath(target, `hard link ${quote(raw)} to`);
    const tkey = tcomps.join('/');
    const tnode = this.nodes.get(tkey);
    if (tcomps[0] !== this.top || !tnode) {
      throw unsafe(`hard link ${quote(raw)} points to ${quote(target)}, which is not an earlier file in the sdist`);
    }
    if (tnode.kind !== 'file') throw unsafe(`hard link ${quote(raw)} points to ${quote(target)}, which is a ${describe(tnode)}`);
    this.claim(comps, { kind: 'file', hard: true }, raw);
    if (this.dest !== null) {
      try {
        fs.linkSync(this.abs(tcomps), this.abs(comps));
      } catch (e) {
        throw fsError(e, raw);
      }
    }
  }

  /**
   * Follow a symlink's target through the complete tree, the way the kernel will, and
   * refuse it if any step leaves the top-level directory.
   */
  private checkSymlink(key: string): void {
    const start = this.nodes.get(key)!;
    let at = key.split('/').slice(0, -1);
    let queue = start.target!.split('/');
    let hops = 0;
    const escape = (): Py2pkgError => unsafe(`symlink ${quote(key)} -> ${quote(start.target!)} resolves outside the top-level directory`);
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === '' || c === '.') continue;
      if (++this.symlinkSteps > MAX_SYMLINK_STEPS) throw unsafe(`the sdist's symlinks take more than ${MAX_SYMLINK_STEPS} steps to resolve (at ${quote(key)})`);
      if (c === '..') {
        if (at.length <= 1) throw escape();
        at.pop();
        continue;
      }
      at.push(c);
      const node = this.lookup(at.join('/'));
      if (!node || node.kind === 'dir') continue; // a missing name is followed lexically (stricter than the kernel)
      if (node.kind === 'file') break; // anything after a file fails with ENOTDIR
      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) throw unsafe(`symlink ${quote(key)} -> ${quote(start.target!)} loops`);
      if (node.target!.startsWith('/')) throw escape();
      at.pop();
      queue = [...node.target!.split('/'), ...queue];
    }
    if (at.length === 0 || at[0] !== this.top) throw escape();
  }

  /** Check the layout and every symlink against the whole tree, then create the symlinks. */
  finish(): UnpackResult {
    if (this.top === undefined) throw layout('the sdist is empty; it must hold one top-level directory');
    for (const key of this.symlinks) this.checkSymlink(key);
    if (this.dest !== null) {
      for (const key of this.symlinks) {
        const node = this.nodes.get(key)!;
        try {
          fs.symlinkSync(node.target!, this.abs(key.split('/')));
        } catch (e) {
          throw fsError(e, key);
        }
      }
    }
    return { root: this.dest === null ? '' : join(this.dest, this.top), entries: this.entries, bytes: this.writtenBytes };
  }
}

function describe(n: TreeNode): string {
  if (n.kind === 'dir') return 'a directory';
  if (n.kind === 'symlink') return 'a symlink';
  return n.hard ? 'a hard link' : 'a file';
}

function checkLinkText(raw: string, target: string): void {
  if (target.length === 0) throw unsafe(`link ${quote(raw)} has an empty target`);
  if (Buffer.byteLength(target) > MAX_PATH_BYTES) throw unsafe(`link ${quote(raw)} has a target longer than ${MAX_PATH_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(target)) throw unsafe(`link ${quote(raw)} has control characters in its target`);
  if (target.includes('\\')) throw unsafe(`link ${quote(raw)} has a backslash in its target ${quote(target)}`);
  if (/^[A-Za-z]:/.test(target)) throw unsafe(`link ${quote(raw)} points to ${quote(target)} (a drive letter)`);
}

/** File system errors caused by the archive's names become catalogue errors. */
function fsError(e: unknown, raw: string): unknown {
  if (e instanceof Py2pkgError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'EISDIR') {
    return unsafe(`${quote(raw)} collides with another entry (${code}; case-insensitive file system?)`);
  }
  if (code === 'ENAMETOOLONG' || code === 'EILSEQ' || code === 'EINVAL') return corrupt(`cannot create ${quote(raw)}: ${code}`, e);
  return e;
}

// ---------------------------------------------------------------------------------------
// tar

async function* readChunks(fh: FileHandle, start = 0, end = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
  let pos = start;
  while (pos < end) {
    const want = Math.min(CHUNK, end - pos);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** One pass over the tar stream: every entry goes through `tree` (which writes, or not). */
async function tarPass(fh: FileHandle, gzip: boolean, tree: Tree, lim: UnpackLimits): Promise<void> {
  // the decompressed stream may hold file data plus, per entry, a header, padding and
  // pax / long-name headers; anything beyond that is not an sdist
  const budget = lim.maxBytes + lim.maxEntries * 3072 + 1024 * 1024;
  let streamBytes = 0;
  let failure: unknown;
  let sawEof = false;
  let ended = false;
  let head: Buffer | undefined = Buffer.alloc(0);

  const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: MAX_META_ENTRY });
  const fail = (e: unknown): void => {
    if (failure !== undefined) return;
    failure = e;
    try {
      // a fresh Error: node-tar decorates the error it is given
      parser.abort(new Error('unpack: refused'));
    } catch {
      // abort reports through 'error', which is already handled
    }
  };
  parser.on('error', (e: unknown) => {
    if (failure !== undefined) return;
    const msg = errMessage(e);
    if (sawEof && tree.entries === 0 && /Unrecognized archive format/.test(msg)) {
      failure = layout('the sdist is empty; it must hold one top-level directory');
    } else failure = classify(e);
  });
  parser.on('warn', (code: string, message: string) => fail(corrupt(`not a valid tar archive: ${singleLine(`${code}: ${message}`, 200)}`)));
  parser.on('eof', () => {
    sawEof = true;
  });
  parser.on('end', () => {
    ended = true;
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    if (entry.meta) fail(unsafe(`${quote(entry.path)} has an oversized ${entry.type} header`));
    else fail(unsafe(`${quote(entry.path)} has an unsupported entry type (${entry.type})`));
  });
  parser.on('entry', (entry: ReadEntry) => {
    if (failure === undefined) {
      try {
        onEntry(entry);
      } catch (e) {
        fail(e);
      }
    }
    entry.resume();
  });

  const onEntry = (entry: ReadEntry): void => {
    tree.countEntry();
    const raw = entry.path;
    switch (entry.type) {
      case 'Directory':
        tree.addDir(raw);
        return;
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        const sink = tree.openFile(raw, entry.mode, entry.size, entry.mtime);
        entry.on('data', (chunk: Buffer) => {
          if (failure !== undefined) return;
          try {
            sink.write(chunk);
          } catch (e) {
            fail(e);
          }
        });
        entry.on('end', () => {
          try {
            sink.close(failure === undefined);
          } catch (e) {
            fail(e);
          }
        });
        return;
      }
      case 'SymbolicLink':
        tree.addSymlink(raw, entry.linkpath ?? '');
        return;
      case 'Link':
        tree.addHardlink(raw, entry.linkpath ?? '');
        return;
      case 'CharacterDevice':
        throw unsafe(`${quote(raw)} is a character device`);
      case 'BlockDevice':
        throw unsafe(`${quote(raw)} is a block device`);
      case 'FIFO':
        throw unsafe(`${quote(raw)} is a FIFO`);
      default:
        throw unsafe(`${quote(raw)} has an unsupported entry type (${entry.type})`);
    }
  };

  const feed = (chunk: Buffer): void => {
    if (head !== undefined) {
      // never let node-tar sniff a second compression layer inside the first
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) return;
      if ((head[0] === 0x1f && head[1] === 0x8b) || head.readUInt32BE(0) === 0x28b52ffd) {
        throw corrupt('the archive holds another compressed stream, not a tar archive');
      }
      chunk = head;
      head = undefined;
    }
    parser.write(chunk);
  };

  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      streamBytes += chunk.length;
      if (streamBytes > budget) throw tooLarge(`the sdist's tar stream expands past ${budget} bytes`);
      if (failure !== undefined) throw failure;
      if (sawEof) continue; // data after the end-of-archive blocks is ignored (but still bounded)
      feed(chunk);
      if (failure !== undefined) throw failure;
    }
    if (head !== undefined && head.length > 0) {
      parser.write(head);
      head = undefined;
    }
    parser.end();
    if (failure !== undefined) throw failure;
    if (!ended) throw corrupt('the tar stream did not end cleanly');
  };

  try {
    if (gzip) await pipeline(readChunks(fh), createGunzip(), consume);
    else await pipeline(readChunks(fh), consume);
  } catch (e) {
    throw classify(failure ?? e);
  } finally {
    tree.closeOpen();
  }
}

// ---------------------------------------------------------------------------------------
// zip (stored and deflate; no ZIP64, no encryption, no symlinks)

interface ZipMember {
  name: string;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  localOffset: number;
  dataStart: number;
  isDir: boolean;
  mode: number;
  mtime: Date | undefined;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) throw corrupt('the zip file is truncated');
    got += bytesRead;
  }
  return buf;
}

/** Parse the central directory and every local header; check names, types, sizes, overlaps. */
async function readZipDirectory(fh: FileHandle, size: number, lim: UnpackLimits): Promise<ZipMember[]> {
  if (size < 22) throw corrupt('the zip file is truncated');
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('not a zip file: no end-of-central-directory record');
  if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === SIG_EOCD64_LOCATOR) throw corrupt('ZIP64 archives are not supported');
  const disk = tail.readUInt16LE(eocd + 4);
  const cdDisk = tail.readUInt16LE(eocd + 6);
  const onDisk = tail.readUInt16LE(eocd + 8);
  const total = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw corrupt('ZIP64 archives are not supported');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) throw corrupt('multi-disk zip archives are not supported');
  if (total > lim.maxEntries) throw tooLarge(`the sdist has more than ${lim.maxEntries} entries (${total})`);
  const eocdPos = size - tailLen + eocd;
  if (cdOffset + cdSize !== eocdPos) throw corrupt('the zip central directory is not where the archive says (prefixed or damaged file)');
  const cd = await readAt(fh, cdOffset, cdSize);

  const members: ZipMember[] = [];
  let p = 0;
  let declared = 0;
  for (let n = 0; n < total; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt('damaged zip central directory');
    const madeBy = cd.readUInt16LE(p + 4);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const dosTime = cd.readUInt16LE(p + 12);
    const dosDate = cd.readUInt16LE(p + 14);
    const crc = cd.readUInt32LE(p + 16);
    const csize = cd.readUInt32LE(p + 20);
    const usize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const startDisk = cd.readUInt16LE(p + 34);
    const external = cd.readUInt32LE(p + 38);
    const localOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw corrupt('damaged zip central directory');
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    p = end;

    const name = decodeZipName(nameBytes, flags);
    if (flags & 0x0041) throw corrupt(`${quote(name)} is encrypted; encrypted zip archives are not supported`);
    if (csize === 0xffffffff || usize === 0xffffffff || localOffset === 0xffffffff || startDisk === 0xffff || hasExtra(extra, 0x0001)) {
      throw corrupt('ZIP64 archives are not supported');
    }
    if (method !== 0 && method !== 8) throw corrupt(`${quote(name)} uses zip compression method ${method}; only stored and deflate are supported`);
    if (method === 0 && csize !== usize) throw corrupt(`${quote(name)} is stored but its sizes differ`);

    // the file type, when the archiver recorded Unix mode bits
    const unixMode = external >>> 16;
    const fmt = unixMode & 0o170000;
    if (fmt === 0o120000) throw unsafe(`${quote(name)} is a symlink; symlinks in zip sdists are refused`);
    if (fmt !== 0 && fmt !== 0o100000 && fmt !== 0o040000) throw unsafe(`${quote(name)} is a device, FIFO or socket (mode ${fmt.toString(8)})`);
    const isDir = name.endsWith('/') || fmt === 0o040000 || ((madeBy >> 8) === 0 && (external & 0x10) !== 0);
    if (isDir && usize !== 0) throw corrupt(`${quote(name)} is a directory with data`);
    if (!isDir) {
      if (lim.maxEntryBytes !== undefined && usize > lim.maxEntryBytes) throw tooLarge(`${quote(name)} is larger than ${lim.maxEntryBytes} bytes (declares ${usize})`);
      declared += usize;
      if (declared > lim.maxBytes) throw tooLarge(`the sdist expands past ${lim.maxBytes} bytes (declared sizes)`);
    }
    members.push({
      name,
      method,
      crc,
      csize,
      usize,
      localOffset,
      dataStart: 0,
      isDir,
      mode: unixMode & 0o111 ? 0o755 : 0o644,
      mtime: zipMtime(extra, dosDate, dosTime),
    });
    // local header: the same name and method, data inside the archive
    const local = await readAt(fh, localOffset, 30).catch(() => {
      throw corrupt(`${quote(name)}: local header outside the zip file`);
    });
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(`${quote(name)}: damaged zip local header`);
    const lNameLen = local.readUInt16LE(26);
    const lExtraLen = local.readUInt16LE(28);
    if (local.readUInt16LE(8) !== method || (local.readUInt16LE(6) & 0x0041) !== 0) throw corrupt(`${quote(name)}: local header disagrees with the central directory`);
    const lName = await readAt(fh, localOffset + 30, lNameLen);
    if (!lName.equals(nameBytes)) throw unsafe(`${quote(name)}: local header names a different file`);
    const m = members[members.length - 1]!;
    m.dataStart = localOffset + 30 + lNameLen + lExtraLen;
    if (m.dataStart + csize > cdOffset) throw corrupt(`${quote(name)}: data runs past the end of the archive`);
  }
  if (p !== cd.length) throw corrupt('damaged zip central directory (trailing bytes)');

  // members must not share bytes (overlapping members are the classic zip bomb)
  const sorted = [...members].sort((a, b) => a.localOffset - b.localOffset);
  let prevEnd = 0;
  for (const m of sorted) {
    if (m.localOffset < prevEnd) throw unsafe(`${quote(m.name)} overlaps another zip member`);
    prevEnd = m.dataStart + m.csize;
  }
  return members;
}

function hasExtra(extra: Buffer, id: number): boolean {
  for (let i = 0; i + 4 <= extra.length; ) {
    const hid = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (hid === id) return true;
    i += 4 + len;
  }
  return false;
}

function decodeZipName(bytes: Buffer, flags: number): string {
  if (flags & 0x0800) return new TextDecoder('utf-8').decode(bytes);
  // no UTF-8 flag: CP437 in theory; plain ASCII in practice. Non-ASCII bytes map to latin1.
  return bytes.toString('latin1');
}

/** The Unix mtime from an extended-timestamp extra field, else the DOS time (taken as UTC). */
function zipMtime(extra: Buffer, dosDate: number, dosTime: number): Date | undefined {
  for (let i = 0; i + 4 <= extra.length; ) {
    const hid = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (hid === 0x5455 && len >= 5 && i + 9 <= extra.length && (extra[i + 4]! & 1) !== 0) {
      return new Date(extra.readInt32LE(i + 5) * 1000);
    }
    i += 4 + len;
  }
  if (dosDate === 0) return undefined;
  const t = Date.UTC(1980 + (dosDate >> 9), ((dosDate >> 5) & 0xf) - 1, dosDate & 0x1f, dosTime >> 11, (dosTime >> 5) & 0x3f, (dosTime & 0x1f) * 2);
  return Number.isFinite(t) ? new Date(t) : undefined;
}

function planZipMember(tree: Tree, m: ZipMember): void {
  tree.countEntry();
  if (m.isDir) tree.addDir(m.name);
  else tree.declareFile(m.name, m.usize);
}

async function extractZipMember(fh: FileHandle, tree: Tree, m: ZipMember): Promise<void> {
  tree.countEntry();
  if (m.isDir) {
    tree.addDir(m.name);
    return;
  }
  const sink = tree.openFile(m.name, m.mode, m.usize, m.mtime);
  let crc = 0xffffffff;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      sink.write(chunk); // throws as soon as the data passes the declared size or a limit
      crc = crc32Update(crc, chunk);
    }
  };
  const src = readChunks(fh, m.dataStart, m.dataStart + m.csize);
  try {
    if (m.method === 0) await pipeline(src, consume);
    else await pipeline(src, createInflateRaw(), consume);
  } catch (e) {
    sink.close(false);
    throw classify(e);
  }
  if (((crc ^ 0xffffffff) >>> 0) !== m.crc) {
    sink.close(false);
    throw corrupt(`${quote(m.name)} fails its CRC check`);
  }
  sink.close(true);
}

let crcTable: Uint32Array | undefined;
function crc32Update(crc: number, buf: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = crc;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}
