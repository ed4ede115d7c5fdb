/**
 * The Apt repository writer. Layout (what apt expects):
 *
 *   pool/<component>/<p>/<source>/<name>_<version>_<arch>.deb
 *   dists/<suite>/{Release,InRelease,Release.gpg}
 *   dists/<suite>/<component>/binary-{all,amd64,...}/Packages{,.gz,.xz}
 *   key.asc, <label>.sources
 *
 * `dists/<suite>` is a symlink to a generation directory under .py2pkg/apt/<suite>/: a
 * publish writes a complete new generation beside the old one (indexes, Release, both
 * signatures, its own state.json) and switches the symlink by rename. Packages go into the
 * pool before the switch under names no current generation uses, and files nothing refers
 * to are removed after it. A publish killed at any point leaves the previous generation in
 * place, and apt accepts it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { run } from '../exec.js';
import { armorSignature } from '../sign/armor.js';
import { readDebLayout, signDeb } from '../sign/deb-sig.js';
import { readPublicKeys } from '../sign/openpgp-verify.js';
import { contentDigest, verifyDeb } from '../sign/verify-package.js';
import { bytesData, feed } from '../sign/sign-data.js';
import { checkControl, debFileName, indexArchs, packagesFile, poolDir, releaseText, type DebEntry, type IndexFile } from './apt-index.js';
import { fsyncPath, nonce, readlinkOrUndefined, switchSymlink, writeAtomic, writeNew } from './fsutil.js';
import { slug } from './options.js';
import { applyChanges, type PublishRequest, type PublishResult } from './publish-types.js';
import { STATE_DIR, sweep } from './repo-dir.js';
import { aptSourcesSnippet } from './snippets.js';
import { pageInBackground } from './page-write.js';
import { cacheChunks, compressIndex, type ChunkCache, type ChunkRef, type CompressedIndex } from './index-compress.js';
import { landPackage, originsOfAdded, underRepoLock } from './publish-frame.js';

export const DPKG_DEB = '/usr/bin/dpkg-deb';
const DIRTY = 'apt-dirty';

interface AptState {
  version: 1;
  entries: DebEntry[];
  /** per Packages file (relative to the generation): where its chunks lie in the .gz and .xz beside it */
  indexes?: Record<string, ChunkRef[]>;
}

const suiteLink = (dir: string, suite: string) => join(dir, 'dists', suite);
const suiteGens = (dir: string, suite: string) => join(dir, STATE_DIR, 'apt', suite);

async function loadSuite(dir: string, suite: string): Promise<{ gen: string | undefined; state: AptState }> {
  const link = suiteLink(dir, suite);
  let target: string | undefined;
  try {
    target = await readlinkOrUndefined(link);
  } catch {
    throw new Py2pkgError('REPO_INVALID', `${link} is not the symlink py2pkg maintains; the repository was changed by hand`);
  }
  if (!target) return { gen: undefined, state: { version: 1, entries: [] } };
  const gen = resolve(dirname(link), target);
  try {
    const state = JSON.parse(await readFile(join(gen, 'state.json'), 'utf8')) as AptState;
    if (state.version !== 1 || !Array.isArray(state.entries)) throw new Error('bad state');
    return { gen, state };
  } catch {
    throw new Py2pkgError('REPO_INVALID', `${link} points at ${target}, which has no readable py2pkg state`);
  }
}

async function suites(dir: string): Promise<string[]> {
  const entries = await readdir(join(dir, 'dists'), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isSymbolicLink()).map((e) => e.name);
}

async function fileHashes(path: string): Promise<{ size: number; md5: string; sha1: string; sha256: string }> {
  const hs = ['md5', 'sha1', 'sha256'].map((a) => createHash(a));
  const size = (await stat(path)).size;
  await feed({ kind: 'ranges', ranges: [{ path, start: 0, length: size }] }, hs);
  const [md5, sha1, sha256] = hs.map((h) => h.digest('hex')) as [string, string, string];
  return { size, md5, sha1, sha256 };
}

/** Is the .deb already signed (debsigs) by this key? */
async function signedBy(path: string, publicKeyArmored: string): Promise<boolean> {
  try {
    await verifyDeb(path, await readPublicKeys(Buffer.from(publicKeyArmored)));
    return true;
  } catch {
    return false;
  }
}

interface Ingest {
  entry: DebEntry;
  /** false when the same package was already published */
  added: boolean;
}

async function ingestDeb(req: PublishRequest, src: string, current: DebEntry[], everywhere: DebEntry[], publicKey: string): Promise<Ingest> {
  const { opts } = req;
  await readDebLayout(src); // a readable ar archive in the .deb layout, or PACKAGE_INVALID
  const field = await run(DPKG_DEB, ['--field', '--', src], { timeoutMs: 120_000, check: false });
  if (field.exitCode !== 0) throw new Py2pkgError('PACKAGE_INVALID', `dpkg-deb cannot read ${basename(src)}: ${field.stderr.trim().split('\n').pop() ?? ''}`);
  let facts;
  try {
    facts = checkControl(field.stdout);
  } catch (e) {
    throw new Py2pkgError('PACKAGE_INVALID', `${basename(src)} has a control file the repository cannot carry: ${(e as Error).message}`);
  }
  const content = await contentDigest(src);
  const same = current.find((e) => e.name === facts.name && e.version === facts.version && e.arch === facts.arch);
  if (same && same.content === content) return { entry: same, added: false };
  if (same && !opts.replace) {
    throw new Py2pkgError('REPO_CONFLICT', `${facts.name} ${facts.version} (${facts.arch}) is already in ${opts.suite} with different contents`);
  }
  // the same package may already be in the pool for another suite: share the file
  const shared = everywhere.find((e) => e.name === facts.name && e.version === facts.version && e.arch === facts.arch && e.content === content);
  if (shared) return { entry: { ...shared, component: opts.component }, added: true };

  const dir = poolDir(opts.component, facts.source);
  const name = debFileName(facts.name, facts.version, facts.arch);
  const taken = new Set(everywhere.map((e) => e.filename));
  const { rel, facts: h } = await landPackage(opts.dir, taken, { dir, name, content }, src, async (tmp) => {
    if (!(await signedBy(tmp, publicKey))) await signDeb(tmp, req.signer, tmp);
    return fileHashes(tmp);
  });
  return {
    entry: { component: opts.component, name: facts.name, version: facts.version, arch: facts.arch, filename: rel, ...h, content, control: facts.control },
    added: true,
  };
}

function indexFile(path: string, data: Buffer): IndexFile {
  return { path, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), sha512: createHash('sha512').update(data).digest('hex') };
}

/** The previous generation's compressed chunks, for the indexes of the next one. */
async function previousChunks(prev: { gen: string | undefined; state: AptState }): Promise<ChunkCache> {
  const cache: ChunkCache = new Map();
  const { gen } = prev;
  if (!gen) return cache;
  for (const [rel, refs] of Object.entries(prev.state.indexes ?? {})) {
    if (rel.split('/').includes('..') || !Array.isArray(refs)) continue;
    await cacheChunks(cache, join(gen, rel), refs);
  }
  return cache;
}

/** Write a complete generation for the suite; returns its directory. */
async function writeGeneration(req: PublishRequest, entries: DebEntry[], prev: { gen: string | undefined; state: AptState }): Promise<string> {
  const { opts, signer } = req;
  const gen = join(suiteGens(opts.dir, opts.suite), `g${Date.now()}-${nonce()}`);
  await mkdir(gen, { recursive: true });
  const components = [...new Set([opts.component, ...entries.map((e) => e.component)])].sort();
  const archs = indexArchs(entries);
  const files: IndexFile[] = [];
  // every Packages text first; a text shared by several files (binary-all and binary-<arch> when
  // every package is arch all) is compressed once, and only the chunks no earlier generation has
  const texts: Array<{ rel: string; text: Buffer }> = [];
  for (const component of components) {
    // binary-<arch> lists the `all` packages too: without packages of its own it is binary-all's text
    const own = new Set(entries.filter((e) => e.component === component).map((e) => e.arch));
    let allText: Buffer | undefined;
    for (const arch of archs) {
      const text = arch !== 'all' && !own.has(arch) && allText ? allText : Buffer.from(packagesFile(entries, component, arch), 'utf8');
      if (arch === 'all') allText = text;
      texts.push({ rel: `${component}/binary-${arch}/Packages`, text });
    }
  }
  const cache = await previousChunks(prev);
  const compressed = new Map<Buffer, Promise<CompressedIndex>>();
  const compress = (text: Buffer): Promise<CompressedIndex> => {
    let p = compressed.get(text);
    if (!p) {
      p = compressIndex(text, cache);
      compressed.set(text, p);
    }
    return p;
  };
  const done = await Promise.all(texts.map((t) => compress(t.text)));
  const indexes: Record<string, ChunkRef[]> = {};
  for (const [i, { rel, text }] of texts.entries()) {
    await mkdir(join(gen, dirname(rel)), { recursive: true });
    const { gz, xz, chunks } = done[i]!;
    indexes[rel] = chunks;
    const variants: Array<[string, Buffer]> = [
      [rel, text],
      [`${rel}.gz`, gz],
      [`${rel}.xz`, xz],
    ];
    for (const [p, data] of variants) {
      await writeNew(join(gen, p), data);
      files.push(indexFile(p, data));
    }
  }
  const now = new Date();
  const release = releaseText({
    origin: opts.origin,
    label: opts.label,
    suite: opts.suite,
    components,
    archs,
    date: now,
    ...(opts.validForDays ? { validUntil: new Date(now.getTime() + opts.validForDays * 86400_000) } : {}),
    files,
  });
  await writeNew(join(gen, 'Release'), release);
  await writeNew(join(gen, 'Release.gpg'), await armorSignature(await signer.detachSign(bytesData(release))));
  await writeNew(join(gen, 'InRelease'), await signer.clearSign(release));
  const state: AptState = { version: 1, entries, indexes };
  await writeNew(join(gen, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
  for (const d of new Set(files.map((f) => dirname(join(gen, f.path))))) await fsyncPath(d);
  await fsyncPath(gen);
  return gen;
}

function matchesRemoval(e: DebEntry, r: { name: string; version?: string }): boolean {
  return e.name === r.name && (r.version === undefined || e.version === r.version || e.version.replace(/^\d+:/, '') === r.version);
}

export async function publishApt(req: PublishRequest): Promise<PublishResult> {
  const { opts, signer } = req;
  return underRepoLock(req, 'apt', async ({ lock, stateDir, publicKey }) => {
    const prev = await loadSuite(opts.dir, opts.suite);
    const { state } = prev;
    // every suite's current generation, read once (nothing else changes them while the lock is held)
    const loaded = new Map<string, { gen: string | undefined; entries: DebEntry[] }>();
    for (const s of await suites(opts.dir)) {
      if (s === opts.suite) continue;
      const { gen, state: other } = await loadSuite(opts.dir, s);
      loaded.set(s, { gen, entries: other.entries });
    }
    const elsewhere = [...loaded.values()].flatMap((v) => v.entries);

    // pool files land before the switch: until the garbage is collected, a killed publish may leave some behind
    const leftBehind = await stat(join(stateDir, DIRTY)).then(
      () => true,
      () => false,
    );
    if (req.files.length > 0 && !leftBehind) await writeAtomic(join(stateDir, DIRTY), `${process.pid}\n`);
    const { entries, packages, removed } = await applyChanges(req, state.entries, {
      ingest: (file, current) => ingestDeb(req, file, current, [...current, ...elsewhere], publicKey),
      sameSlot: (a, b) => a.name === b.name && a.version === b.version && a.arch === b.arch,
      matches: matchesRemoval,
      where: `suite ${opts.suite} of ${opts.dir}`,
    });

    // the page (with the new packages' provenance) is made while the generation is written
    const suiteEntries = new Map<string, readonly DebEntry[]>([...loaded].map(([suite, v]) => [suite, v.entries]));
    suiteEntries.set(opts.suite, entries);
    const page = pageInBackground(opts.dir, 'apt', {
      signedBy: signer.key.fingerprint,
      known: originsOfAdded(opts.dir, 'apt', state.entries, entries),
      suiteEntries,
    });
    const gen = await writeGeneration(req, entries, prev);
    await lock.assertHeld();
    const link = suiteLink(opts.dir, opts.suite);
    await mkdir(dirname(link), { recursive: true });
    await switchSymlink(link, relative(dirname(link), gen));
    req.progress(`signed dists/${opts.suite} (InRelease, Release.gpg) with ${signer.key.fingerprint}`);

    const keyFile = join(opts.dir, 'key.asc');
    await writeAtomic(keyFile, publicKey);
    const components = [...new Set([opts.component, ...entries.map((e) => e.component)])].sort();
    const snippet = join(opts.dir, `${slug(opts.label)}.sources`);
    await writeAtomic(snippet, aptSourcesSnippet({ url: opts.url, suite: opts.suite, components, publicKeyArmored: publicKey }));

    const kept = new Set(entries.map((e) => e.filename));
    loaded.set(opts.suite, { gen, entries });
    await collectGarbage(
      opts.dir,
      leftBehind,
      state.entries.map((e) => e.filename).filter((f) => !kept.has(f)),
      loaded,
    );
    await page.land();
    return { kind: 'apt', dir: opts.dir, packages, removed, keyFile, snippet };
  });
}

/**
 * Drop old generations and pool files that no current generation refers to. A publish marks
 * the repository (.py2pkg/apt-dirty) before it lands pool files and clears the mark after
 * this ran. Found at the start, the mark means a publish was killed after landing files: then
 * the whole pool is swept (`full`). Otherwise only the files of the entries this publish
 * dropped (replaced or removed) go, without walking the pool. `suitesNow` is every suite's
 * current generation and entries, as the publish (holding the lock) read and wrote them.
 */
async function collectGarbage(
  dir: string,
  full: boolean,
  dropped: readonly string[],
  suitesNow: ReadonlyMap<string, { gen: string | undefined; entries: readonly DebEntry[] }>,
): Promise<void> {
  const keep = new Set<string>();
  const current = new Set<string>();
  for (const { gen, entries } of suitesNow.values()) {
    if (gen) current.add(gen);
    for (const e of entries) keep.add(e.filename);
  }
  const root = join(dir, STATE_DIR, 'apt');
  for (const s of await readdir(root).catch(() => [] as string[])) {
    for (const g of await readdir(join(root, s)).catch(() => [] as string[])) {
      const path = join(root, s, g);
      if (!current.has(path)) await rm(path, { recursive: true, force: true });
    }
  }
  if (full) await sweep(dir, keep, 'pool');
  for (const f of full ? [] : dropped) {
    if (keep.has(f)) continue;
    await rm(join(dir, f), { force: true });
    // empty parents up to pool/
    for (let d = dirname(f); d.startsWith('pool/') && d.split('/').length > 2; d = dirname(d)) {
      if (
        !(await rmdir(join(dir, d)).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
  await rm(join(dir, STATE_DIR, DIRTY), { force: true });
}
