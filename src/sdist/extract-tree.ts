/**
 * The tree: every check on names, types, links, sizes and layout, and every write. The same
 * class runs both passes of the unpack stage: with no destination it only checks (the dry
 * run), with one it also creates directories, files, hard links and finally the symlinks.
 */
import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs';
import { join, sep } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { corrupt, layout, quote, tooLarge, unsafe } from './archive-errors.js';
import { checkLinkText, fold, splitEntryPath } from './entry-path.js';
import { TOP_LEVEL_METADATA_LIMITS } from './read-limits.js';
import { IMPLIED_DIRS_PER_ENTRY, MAX_SYMLINK_HOPS, MAX_SYMLINK_STEPS, type UnpackLimits, type UnpackResult } from './unpack-limits.js';

type Kind = 'dir' | 'file' | 'symlink';
interface TreeNode {
  kind: Kind;
  /** a hard link (its own name for an existing file) */
  hard?: boolean;
  /** a symlink's target, as stored in the archive */
  target?: string;
}

/** Bytes written to one regular file, checked against its declared size and the limits. */
export class FileSink {
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

export class Tree {
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
    const at = key.split('/').slice(0, -1);
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
