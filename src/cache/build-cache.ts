/**
 * Built packages, content-addressed, under the download cache's directory
 * ($XDG_CACHE_HOME/py2pkg/packages/ab/<key>/: entry.json + the package files).
 *
 * The key is the sha256 of everything that decides the package's bytes (key.ts): the sdist's
 * sha256, the target profile, the format, the options that reach the package (maintainer,
 * dependency overrides, SOURCE_DATE_EPOCH), the templates' digest, py2pkg's version, the
 * signing key's fingerprint, what admitted the sdist (provenance without times) and the build
 * machine's relevant Debian packages. A hit copies the cached (signed) files into --out by
 * atomic rename and does no build work. An entry is written complete into tmp/ and renamed
 * into place; entry.json records every file's sha256, re-checked on every hit: a damaged
 * entry is removed and the package rebuilt.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PackageOutput } from '../formats/packager.js';
import { copyAtomic, fsyncPath } from '../repo/fsutil.js';
import { sha256OfFile } from '../source/cache.js';
import { removeOnInterrupt } from '../interrupt.js';

export interface CachedFile {
  name: string;
  sha256: string;
  size: number;
}

export interface CacheEntry {
  key: string;
  /** when the entry was written (ISO 8601); not part of the package */
  created: string;
  name: string;
  version: string;
  /** the package as the pipeline reported it; `path` is the file's name in the entry */
  output: PackageOutput & { signedBy?: string };
  files: CachedFile[];
  /** the warnings the build gave, shown again on a hit */
  warnings?: string[];
}

const MAX_ENTRY_BYTES = 1024 * 1024;
const KEY = /^[0-9a-f]{64}$/;

export class BuildCache {
  constructor(readonly root: string) {}

  private dir(key: string): string {
    return join(this.root, 'packages', key.slice(0, 2), key);
  }

  /** The entry for this key with every file re-checked, or undefined (a damaged entry is removed). */
  async lookup(key: string): Promise<CacheEntry | undefined> {
    if (!KEY.test(key)) return undefined;
    const dir = this.dir(key);
    let entry: CacheEntry;
    try {
      const st = await stat(join(dir, 'entry.json'));
      if (st.size > MAX_ENTRY_BYTES) throw new Error('too large');
      entry = JSON.parse(await readFile(join(dir, 'entry.json'), 'utf8')) as CacheEntry;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    const ok = entry.key === key && Array.isArray(entry.files) && entry.files.length > 0 && (await this.filesIntact(dir, entry.files));
    if (!ok) {
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    return entry;
  }

  private async filesIntact(dir: string, files: CachedFile[]): Promise<boolean> {
    for (const f of files) {
      if (typeof f.name !== 'string' || basename(f.name) !== f.name || f.name.startsWith('.')) return false;
      try {
        const got = await sha256OfFile(join(dir, 'files', f.name));
        if (got.sha256 !== f.sha256 || got.size !== f.size) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Copy a looked-up entry's files into outDir (each by atomic rename); the paths written. */
  async restore(entry: CacheEntry, outDir: string): Promise<string[]> {
    const dir = this.dir(entry.key);
    const written: string[] = [];
    for (const f of entry.files) {
      const to = join(outDir, f.name);
      await copyAtomic(join(dir, 'files', f.name), to);
      written.push(to);
    }
    return written;
  }

  /** Record the package files of a finished conversion under `key`; a concurrent writer's entry wins. */
  async save(
    key: string,
    result: { name: string; version: string; output: PackageOutput & { signedBy?: string }; warnings?: string[] },
    paths: string[],
  ): Promise<void> {
    if (!KEY.test(key)) return;
    const tmpRoot = join(this.root, 'tmp');
    await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    const tmp = await mkdtemp(join(tmpRoot, 'pkg-'));
    const release = removeOnInterrupt(tmp);
    try {
      await mkdir(join(tmp, 'files'));
      const files: CachedFile[] = [];
      for (const p of paths) {
        const to = join(tmp, 'files', basename(p));
        await copyAtomic(p, to);
        files.push({ name: basename(p), ...(await sha256OfFile(to)) });
      }
      const entry: CacheEntry = {
        key,
        created: new Date().toISOString(),
        name: result.name,
        version: result.version,
        output: { ...result.output, path: basename(result.output.path) },
        files,
        warnings: result.warnings ?? [],
      };
      await writeFile(join(tmp, 'entry.json'), `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o644 });
      await fsyncPath(join(tmp, 'entry.json'));
      const final = this.dir(key);
      await mkdir(join(final, '..'), { recursive: true, mode: 0o755 });
      try {
        await rename(tmp, final);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // another run stored the same key first: its entry is as good as ours
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
      release();
    }
  }
}
