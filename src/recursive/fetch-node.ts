/**
 * One node of a --recursive tree from the index: resolved, fetched (the download cache) and
 * admitted by the same trust policy as any conversion, then its requirements read from the
 * sdist's PKG-INFO (or `*.egg-info/requires.txt` when PKG-INFO lists none, as older setuptools
 * writes). The metadata of an sdist is kept in the cache by its sha256 (a warm rerun unpacks
 * nothing); the evidence is checked on every run.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { requiresTxtToRequiresDist } from '../deps/egg-info.js';
import { Py2pkgError, singleLine } from '../errors.js';
import { normalizeName, parseCoreMetadata } from '../sdist/pkginfo.js';
import { METADATA_LIMITS, readBoundedText } from '../sdist/read-limits.js';
import { splitSdistFilename } from '../sdist/inspect.js';
import { unpackSdist } from '../sdist/unpack.js';
import type { Settings } from '../settings.js';
import { parseByName } from '../source/options.js';
import type { Provenance } from '../types.js';
import type { FetchedNode } from './tree.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

interface CachedMetadata {
  name: string;
  version: string;
  requiresDist: string[];
  providesExtra: string[];
  requiresPython: string | null;
}

/** The trust decision in one line: `signed by ...`, `publisher ...`, `unsigned (--allow-unsigned)`. */
export function evidenceLine(p: Provenance): string {
  const v = p.verification;
  const how =
    v.method === 'openpgp-detached-signature'
      ? `OpenPGP ${v.signers.map((s) => s.fingerprint.slice(-16)).join(', ')}`
      : v.method === 'pep740-attestation'
        ? 'PEP 740 attestation'
        : v.method === 'pinned-sha256'
          ? 'pinned sha256'
          : 'unsigned';
  return p.trust ? `${how}; ${p.trust.rule}` : how;
}

async function readMetadata(sdistPath: string, filename: string, maxBytes: number): Promise<CachedMetadata> {
  const work = makeWorkDir('py2pkg-recursive-');
  try {
    const unpacked = await unpackSdist(sdistPath, work, { maxBytes }, filename);
    const text = await readBoundedText(join(unpacked.root, 'PKG-INFO'), METADATA_LIMITS.coreMetadata, 'PKG-INFO');
    if (text === undefined) throw new Py2pkgError('ARCHIVE_LAYOUT', `${singleLine(filename, 80)} has no PKG-INFO in its top-level directory`);
    const meta = parseCoreMetadata(text);
    const parts = splitSdistFilename(filename);
    if (!parts || normalizeName(parts.name) !== normalizeName(meta.name))
      throw new Py2pkgError('METADATA_MISMATCH', `${singleLine(filename, 80)} contains ${singleLine(meta.name, 60)}, not what its file name says`);
    let requiresDist = meta.requiresDist;
    if (requiresDist.length === 0) {
      const egg = (await readdir(unpacked.root)).find((n) => n.endsWith('.egg-info'));
      const txt = egg
        ? await readBoundedText(join(unpacked.root, egg, 'requires.txt'), METADATA_LIMITS.coreMetadata, 'requires.txt').catch(() => undefined)
        : undefined;
      if (txt) requiresDist = requiresTxtToRequiresDist(txt);
    }
    return { name: meta.name, version: meta.version, requiresDist, providesExtra: meta.providesExtra, requiresPython: meta.requiresPython ?? null };
  } finally {
    await removeWorkDir(work);
  }
}

async function cachedMetadata(cacheDir: string | undefined, sha256: string, read: () => Promise<CachedMetadata>): Promise<CachedMetadata> {
  const file = cacheDir ? join(cacheDir, 'recursive-metadata', `${sha256}.json`) : undefined;
  if (file) {
    const hit = await readFile(file, 'utf8')
      .then((t) => JSON.parse(t) as CachedMetadata)
      .catch(() => undefined);
    if (hit && typeof hit.name === 'string' && Array.isArray(hit.requiresDist) && hit.requiresDist.every((l) => typeof l === 'string')) return hit;
  }
  const meta = await read();
  if (file) {
    await mkdir(dirname(file), { recursive: true })
      .then(() => writeFile(`${file}.tmp${process.pid}`, JSON.stringify(meta)))
      .then(() => rename(`${file}.tmp${process.pid}`, file))
      .catch(() => {});
  }
  return meta;
}

export interface NodeFetcherOptions {
  settings: Settings;
  cacheDir: string | undefined;
  progress: (m: string) => void;
  warn: (m: string) => void;
  notify: (m: string) => void;
}

/** The `fetch` a tree resolution takes: index + download cache + trust policy + PKG-INFO. */
export function nodeFetcher(o: NodeFetcherOptions): (project: string, specifier: string) => Promise<FetchedNode> {
  return async (project, specifier) => {
    const base = o.settings;
    if (!base.source) throw new Error('--recursive without index settings');
    const requirement = parseByName(`${project}${specifier}`);
    const s: Settings = { ...base, requirement };
    const [{ resolveAndFetch }, { trustStage }] = await Promise.all([import('../source/stage.js'), import('../trust/stage.js')]);
    const fetched = await resolveAndFetch(requirement, base.source, {
      pythonVersion: base.target.pythonFullVersion,
      maxFileBytes: base.maxUnpackedBytes,
      fetchSignature: !base.allowUnsigned,
      probeSignature: (base.trustPolicy.projects.get(project)?.pgp.length ?? 0) > 0,
      fetchProvenance: !base.allowUnsigned,
      progress: o.progress,
      warn: o.warn,
    });
    try {
      o.progress(`verify ${fetched.sdist.filename}`);
      const provenance = await trustStage(fetched.sdist, s, { signaturePath: fetched.signaturePath, provenance: fetched.provenance }, o.notify);
      const meta = await cachedMetadata(o.cacheDir, fetched.sdist.sha256, () =>
        readMetadata(fetched.sdist.path, fetched.sdist.filename, base.maxUnpackedBytes),
      );
      return {
        name: meta.name,
        version: meta.version,
        requiresDist: meta.requiresDist,
        providesExtra: meta.providesExtra,
        requiresPython: meta.requiresPython ?? undefined,
        filename: fetched.sdist.filename,
        sha256: fetched.sdist.sha256,
        evidence: evidenceLine(provenance),
      };
    } finally {
      await fetched.dispose();
    }
  };
}
