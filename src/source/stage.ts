/**
 * resolve + fetch as one pipeline stage: a requirement -> a LocalSdist (named as the index
 * names it) and its signature, ready for the verify stage, plus the route for the
 * provenance. Cache writes are committed only when resolving and fetching both succeeded.
 */
import { copyFile, link } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalSdist, ProvenanceSource } from '../types.js';
import { toolVersion } from '../version.js';
import { DownloadCache } from './cache.js';
import { fetchProvenance, fetchSdist, fetchSignature } from './fetch.js';
import type { NetConfig } from './http.js';
import { loadNetrc } from './netrc.js';
import type { ByNameRequirement, SourceSettings } from './options.js';
import { downloadProgress, type LiveLine } from './progress.js';
import { resolveRequirement, type SourceContext } from './resolve.js';
import { publicUrl, splitCredentials, type Credentials } from './url.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

export interface FetchStageOptions {
  pythonVersion: string;
  maxFileBytes: number;
  /** false with --signature FILE or --allow-unsigned */
  fetchSignature: boolean;
  /** probe `<url>.asc` even when the index says there is no signature (the policy pins signers) */
  probeSignature?: boolean;
  /** false with --provenance FILE or --allow-unsigned */
  fetchProvenance?: boolean;
  progress: (message: string) => void;
  warn: (message: string) => void;
  /** the TTY progress line, when stderr is a terminal and not --quiet/--json */
  live?: LiveLine;
}

export interface FetchStageResult {
  sdist: LocalSdist;
  signaturePath: string | undefined;
  /** the PEP 740 provenance object, named `<file>.provenance`, and its URL */
  provenance: { path: string; url: string } | undefined;
  source: ProvenanceSource;
  /** remove the private directory holding the named copies */
  dispose: () => Promise<void>;
}

export function netConfig(s: SourceSettings, log: (m: string) => void): NetConfig {
  const hostCredentials = new Map<string, Credentials>();
  for (const u of [...s.indexUrls, ...s.findLinks]) {
    const { credentials } = splitCredentials(u);
    if (credentials && !hostCredentials.has(u.host.toLowerCase())) hostCredentials.set(u.host.toLowerCase(), credentials);
  }
  return {
    ca: s.ca?.pem,
    proxy: s.proxy,
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    backoffMs: s.backoffMs,
    netrc: loadNetrc(s.netrcEnv),
    hostCredentials,
    userAgent: `py2pkg/${toolVersion()} node/${process.versions.node}`,
    log,
  };
}

/** Link (or copy, across file systems) a cached blob to a path with its real name. */
async function place(blob: string, to: string): Promise<void> {
  try {
    await link(blob, to);
  } catch {
    await copyFile(blob, to);
  }
}

export async function resolveAndFetch(req: ByNameRequirement, s: SourceSettings, o: FetchStageOptions): Promise<FetchStageResult> {
  const cache = new DownloadCache(s.cacheDir);
  const tx = await cache.begin();
  const ctx: SourceContext = { net: netConfig(s, o.progress), cache, tx, offline: s.offline, maxPageBytes: s.maxPageBytes, warn: o.warn, progress: o.progress };
  let fetched, signature, provenance, chosen;
  try {
    const resolution = await resolveRequirement(req, { indexUrls: s.indexUrls, findLinks: s.findLinks, pre: s.pre, pythonVersion: o.pythonVersion }, ctx);
    chosen = resolution.chosen;
    const bar = downloadProgress(o.live, chosen.file.filename);
    try {
      fetched = await fetchSdist(chosen, { allowNoHash: s.allowNoHash, maxFileBytes: o.maxFileBytes, onProgress: bar.update }, ctx);
    } finally {
      bar.done();
    }
    signature = o.fetchSignature ? await fetchSignature(chosen, ctx, o.probeSignature ?? false) : undefined;
    provenance = o.fetchProvenance ? await fetchProvenance(chosen, ctx) : undefined;
    await tx.commit();
  } catch (e) {
    await tx.abort();
    throw e;
  }
  const dir = makeWorkDir('py2pkg-fetch-');
  try {
    const path = join(dir, chosen.file.filename);
    await place(fetched.blob, path);
    let signaturePath: string | undefined;
    if (signature) {
      signaturePath = `${path}.asc`;
      await place(signature.blob, signaturePath);
    }
    let provenancePlaced: FetchStageResult['provenance'];
    if (provenance) {
      provenancePlaced = { path: `${path}.provenance`, url: provenance.url };
      await place(provenance.blob, provenancePlaced.path);
    }
    const source: ProvenanceSource = {
      requirement: req.text,
      index: chosen.source.url,
      url: publicUrl(chosen.file.url),
      indexSha256: fetched.indexSha256,
      signatureUrl: signature?.url ?? null,
      provenanceUrl: provenance?.url ?? null,
      ...(chosen.file.yanked !== false ? { yanked: chosen.file.yanked } : {}),
    };
    return {
      sdist: { path, filename: chosen.file.filename, sha256: fetched.sha256, size: fetched.size },
      signaturePath,
      provenance: provenancePlaced,
      source,
      dispose: () => removeWorkDir(dir),
    };
  } catch (e) {
    await removeWorkDir(dir);
    throw e;
  }
}
