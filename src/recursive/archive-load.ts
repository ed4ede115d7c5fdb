/**
 * Which archive a --recursive plan asks, and reading it:
 *   1. --archive-url URL (repeatable): a Debian mirror (dists/<suite>/main/binary-<arch>/
 *      Packages.xz, .gz or plain) or, for an RPM target, a Yum repository (repodata/repomd.xml
 *      -> its primary metadata, .gz/.zst/.xz or plain); http(s) through the index client's
 *      network settings, or file://;
 *   2. a Debian target that is this host's release: the host's apt lists
 *      (/var/lib/apt/lists/*_dists_<codename>[-updates|-security]_*_Packages*, decompressed by
 *      apt-helper as apt itself does);
 *   3. the profile's offline data (src/deps/data/<archive>-archive.tsv).
 * Compressed lists are decompressed by xz/zstd/apt-helper through src/exec.ts, bounded.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Py2pkgError, singleLine } from '../errors.js';
import { baseEnv, run } from '../exec.js';
import { httpGet, type NetConfig } from '../source/http.js';
import { redactUrl } from '../source/url.js';
import { hostSystem, type HostSystem } from '../targets/host.js';
import type { TargetProfile } from '../targets/profiles.js';
import { addPackagesText, addPrimaryXml, emptyIndex, offlineIndex, type ArchiveIndex } from './archive-index.js';

/** A Packages list or primary.xml bigger than this (compressed or not) is refused. */
export const MAX_LIST_BYTES = 512 * 1024 * 1024;
export const APT_LISTS = '/var/lib/apt/lists';

export interface ArchiveLoadOptions {
  archiveUrls: string[];
  net: NetConfig | undefined;
  host?: HostSystem | undefined;
  aptListsDir?: string;
  /** where the parsed host lists are kept between runs (keyed by each list's name, size and mtime) */
  cacheDir?: string;
}

const DEB_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x' };

/** Bytes at a URL, or undefined when it is not there (404 / no such file). */
async function fetchOptional(url: URL, net: NetConfig | undefined, what: string): Promise<Buffer | undefined> {
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    if (st.size > MAX_LIST_BYTES) throw new Py2pkgError('ARCHIVE_INDEX', `${path} is larger than ${MAX_LIST_BYTES} bytes`);
    return readFile(path);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Py2pkgError('ARCHIVE_INDEX', `--archive-url ${singleLine(redactUrl(url), 120)}: only http(s) and file URLs`);
  if (!net) throw new Error('no network settings for --archive-url');
  const r = await httpGet(url, net, { what, maxBytes: MAX_LIST_BYTES, tooLargeCode: 'FETCH_TOO_LARGE', passStatuses: [404, 410] });
  return r.status === 404 || r.status === 410 ? undefined : r.body;
}

/** Decompress by the file name's suffix (gzip in process; xz and zstd by their tools, bounded). */
export async function decompress(name: string, bytes: Buffer): Promise<string> {
  if (name.endsWith('.gz')) return gunzipSync(bytes, { maxOutputLength: MAX_LIST_BYTES }).toString('utf8');
  const tool = name.endsWith('.xz') ? '/usr/bin/xz' : name.endsWith('.zst') ? '/usr/bin/zstd' : undefined;
  if (!tool) return bytes.toString('utf8');
  const r = await run(tool, ['-dc'], { input: bytes, env: baseEnv(), timeoutMs: 120_000, maxBuffer: MAX_LIST_BYTES });
  return r.stdout;
}

const base = (url: string): URL => new URL(url.endsWith('/') ? url : `${url}/`);

async function loadDebMirror(index: ArchiveIndex, url: string, profile: TargetProfile, net: NetConfig | undefined): Promise<void> {
  const arch = DEB_ARCH[process.arch] ?? 'amd64';
  const dir = new URL(`dists/${profile.distribution}/main/binary-${arch}/`, base(url));
  for (const name of ['Packages.xz', 'Packages.gz', 'Packages']) {
    const bytes = await fetchOptional(new URL(name, dir), net, `${profile.distribution} ${name} of ${redactUrl(url)}`);
    if (bytes === undefined) continue;
    addPackagesText(index, await decompress(name, bytes));
    return;
  }
  throw new Py2pkgError(
    'ARCHIVE_INDEX',
    `--archive-url ${singleLine(redactUrl(url), 120)} has no dists/${profile.distribution}/main/binary-${arch}/Packages(.xz|.gz)`,
  );
}

async function loadYumRepo(index: ArchiveIndex, url: string, net: NetConfig | undefined): Promise<void> {
  const root = base(url);
  const repomd = await fetchOptional(new URL('repodata/repomd.xml', root), net, `repomd.xml of ${redactUrl(url)}`);
  if (repomd === undefined) throw new Py2pkgError('ARCHIVE_INDEX', `--archive-url ${singleLine(redactUrl(url), 120)} has no repodata/repomd.xml`);
  const data = /<data\s+type="primary">([\s\S]*?)<\/data>/.exec(repomd.toString('utf8'))?.[1] ?? '';
  const href = /<location\s[^>]*href="([^"]+)"/.exec(data)?.[1];
  if (!href || href.includes('..') || href.startsWith('/') || /^[a-z]+:/i.test(href))
    throw new Py2pkgError('ARCHIVE_INDEX', `repomd.xml of ${singleLine(redactUrl(url), 120)} names no usable primary metadata`);
  const bytes = await fetchOptional(new URL(href, root), net, `primary metadata of ${redactUrl(url)}`);
  if (bytes === undefined) throw new Py2pkgError('ARCHIVE_INDEX', `${singleLine(redactUrl(url), 120)}: ${singleLine(href, 120)} is missing`);
  addPrimaryXml(index, await decompress(href, bytes));
}

/** Only Python's share of a list is kept between runs: what a requirement can map to. */
const PYTHONISH = /^python3/;

/**
 * The host's apt lists for the target's suites (bookworm, bookworm-updates, bookworm-security).
 * Parsing ~50 MB of lists takes seconds: Python's share is kept in the cache directory, keyed
 * by the lists' names, sizes and mtimes (an `apt-get update` changes the key).
 */
async function loadHostLists(index: ArchiveIndex, dir: string, codename: string, cacheDir: string | undefined): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => new RegExp(`_dists_${codename}(-updates|-security)?_.*_Packages(\\.(lz4|gz|xz|zst))?$`).test(n))
    .sort();
  if (names.length === 0) return 0;
  const stamps = await Promise.all(names.map(async (n) => stat(join(dir, n)).then((st) => `${n} ${st.size} ${st.mtimeMs}`)));
  const key = createHash('sha256')
    .update(`${dir}\n${stamps.join('\n')}`)
    .digest('hex');
  const cached = cacheDir ? join(cacheDir, 'archive-lists', `${key}.json`) : undefined;
  if (cached) {
    const saved = await readFile(cached, 'utf8')
      .then((t) => JSON.parse(t) as SavedIndex)
      .catch(() => undefined);
    if (saved && Array.isArray(saved.packages) && Array.isArray(saved.provides)) {
      for (const [n, v] of saved.packages) index.packages.set(n, v);
      for (const [n, l] of saved.provides) index.provides.set(n, l);
      return names.length;
    }
  }
  for (const n of names) {
    const r = await run('/usr/lib/apt/apt-helper', ['cat-file', join(dir, n)], { env: baseEnv(), timeoutMs: 120_000, maxBuffer: MAX_LIST_BYTES });
    addPackagesText(index, r.stdout);
  }
  if (cached) {
    const saved: SavedIndex = {
      packages: [...index.packages].filter(([n]) => PYTHONISH.test(n)),
      provides: [...index.provides].filter(([n]) => PYTHONISH.test(n)),
    };
    await mkdir(dirname(cached), { recursive: true })
      .then(() => writeFile(`${cached}.tmp${process.pid}`, JSON.stringify(saved)))
      .then(() => rename(`${cached}.tmp${process.pid}`, cached))
      .catch(() => {});
  }
  return names.length;
}

interface SavedIndex {
  packages: Array<[string, string]>;
  provides: Array<[string, Array<{ provider: string; version: string }>]>;
}

/** The archive a plan asks (see the file comment for the order). */
export async function loadTargetArchive(profile: TargetProfile, o: ArchiveLoadOptions): Promise<ArchiveIndex> {
  const kind = profile.family === 'debian' ? 'deb' : 'rpm';
  if (o.archiveUrls.length > 0) {
    const index = emptyIndex(kind, o.archiveUrls.map((u) => redactUrl(new URL(u))).join(', '));
    for (const url of o.archiveUrls) {
      if (kind === 'deb') await loadDebMirror(index, url, profile, o.net);
      else await loadYumRepo(index, url, o.net);
    }
    return index;
  }
  const host = 'host' in o ? o.host : hostSystem();
  if (kind === 'deb' && host?.codename && host.codename === profile.distribution) {
    const index = emptyIndex(kind, `apt lists of this host (${profile.distribution})`);
    if ((await loadHostLists(index, o.aptListsDir ?? APT_LISTS, host.codename, o.cacheDir)) > 0) return index;
  }
  return offlineIndex(profile) ?? emptyIndex(kind, 'none (no archive data for this target: every node is converted)');
}
