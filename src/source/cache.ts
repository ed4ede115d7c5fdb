/**
 * The download cache under $XDG_CACHE_HOME/py2pkg (default ~/.cache/py2pkg):
 *   blobs/sha256/ab/abcd…   content-addressed files (sdists, signatures, metadata)
 *   pages/<sha256(url)>.json index pages with their ETag / Last-Modified, for revalidation
 *   refs/<sha256(url)>.json  URL -> blob (or "absent": a signature probe that found none)
 *   tmp/                     downloads in progress
 * Writers stage everything in tmp/ and rename it into place only when the whole resolve +
 * fetch succeeded (`commit`); a failed run leaves nothing behind (`abort`). Renames are
 * atomic and blobs are named by their content, so concurrent runs cannot see a half-written
 * file or overwrite one with different bytes. Credentials never reach the cache: keys and
 * stored URLs are the public URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { removeOnInterrupt } from '../interrupt.js';

export interface PageEntry {
  url: string;
  contentType: string;
  etag: string | undefined;
  lastModified: string | undefined;
  /** base64 of the (decoded) body */
  body: string;
}

export interface RefEntry {
  url: string;
  /** the blob's sha256, or null when the URL answered 404 (no such file) */
  sha256: string | null;
  size: number;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'py2pkg');
}

const urlKey = (url: string) => createHash('sha256').update(url).digest('hex');

export async function sha256OfFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

const STALE_TEMP_MS = 24 * 3600 * 1000;

export class DownloadCache {
  constructor(readonly root: string) {}

  blobPath(sha256: string): string {
    return join(this.root, 'blobs', 'sha256', sha256.slice(0, 2), sha256);
  }

  /** The cached file with this sha256, checked again; a damaged copy is removed. */
  async findBlob(sha256: string): Promise<{ path: string; size: number } | undefined> {
    const path = this.blobPath(sha256);
    try {
      const got = await sha256OfFile(path);
      if (got.sha256 === sha256) return { path, size: got.size };
      await rm(path, { force: true });
    } catch {
      // not cached
    }
    return undefined;
  }

  private async readJson<T>(dir: string, url: string): Promise<T | undefined> {
    try {
      const entry = JSON.parse(await readFile(join(this.root, dir, `${urlKey(url)}.json`), 'utf8')) as T & { url?: string };
      return entry.url === url ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  readPage(url: string): Promise<PageEntry | undefined> {
    return this.readJson<PageEntry>('pages', url);
  }

  readRef(url: string): Promise<RefEntry | undefined> {
    return this.readJson<RefEntry>('refs', url);
  }

  async begin(): Promise<CacheTransaction> {
    const tmp = join(this.root, 'tmp');
    try {
      await mkdir(tmp, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new Py2pkgError('CONFIG', `cannot create the download cache ${this.root}: ${(e as Error).message} (set XDG_CACHE_HOME to a writable directory)`);
    }
    await this.sweep(tmp);
    return new CacheTransaction(this, tmp);
  }

  /** Remove temp files a killed run left behind (older than a day). */
  private async sweep(tmp: string): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(tmp).catch(() => [] as string[])) {
      const p = join(tmp, name);
      const st = await stat(p).catch(() => undefined);
      if (st && now - st.mtimeMs > STALE_TEMP_MS) await rm(p, { force: true });
    }
  }
}

interface Staged {
  temp: string;
  final: string;
}

export class CacheTransaction {
  private readonly staged: Staged[] = [];
  /** temp path -> the call that stops it being removed on an interrupt (src/interrupt.ts) */
  private readonly temps = new Map<string, () => void>();
  private done = false;

  constructor(
    readonly cache: DownloadCache,
    private readonly tmp: string,
  ) {}

  /** A fresh path in the cache's tmp/ (same file system as the cache, so rename is atomic). */
  tempPath(label: string): string {
    const p = join(this.tmp, `${process.pid}-${randomBytes(6).toString('hex')}-${label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}`);
    this.temps.set(p, removeOnInterrupt(p));
    return p;
  }

  /** Forget a temp file (the caller removed it or it was never written). */
  async discard(temp: string): Promise<void> {
    await rm(temp, { force: true });
    this.temps.get(temp)?.();
    this.temps.delete(temp);
  }

  stageBlob(temp: string, sha256: string): void {
    this.staged.push({ temp, final: this.cache.blobPath(sha256) });
  }

  async stagePage(entry: PageEntry): Promise<void> {
    await this.stageJson('pages', entry.url, entry);
  }

  async stageRef(entry: RefEntry): Promise<void> {
    await this.stageJson('refs', entry.url, entry);
  }

  private async stageJson(dir: string, url: string, value: unknown): Promise<void> {
    const temp = this.tempPath(`${dir}.json`);
    await writeFile(temp, JSON.stringify(value), { mode: 0o600 });
    this.staged.push({ temp, final: join(this.cache.root, dir, `${urlKey(url)}.json`) });
  }

  /** Move every staged file into place: blobs first, then the pages and refs naming them. */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const order = (s: Staged) => (s.final.includes(`${join(this.cache.root, 'blobs')}`) ? 0 : 1);
    for (const s of [...this.staged].sort((a, b) => order(a) - order(b))) {
      await mkdir(dirname(s.final), { recursive: true, mode: 0o700 });
      await rename(s.temp, s.final);
      this.temps.get(s.temp)?.();
      this.temps.delete(s.temp);
    }
    await this.abortTemps();
  }

  /** Remove everything this run wrote; the cache is as it was. */
  async abort(): Promise<void> {
    this.done = true;
    await this.abortTemps();
  }

  private async abortTemps(): Promise<void> {
    for (const [t, release] of this.temps) {
      await rm(t, { force: true });
      release();
    }
    this.temps.clear();
  }
}
