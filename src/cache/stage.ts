/**
 * The build cache as the pipeline sees it: after the verify stage (the evidence is checked on
 * every run, cached or not), a key; a hit places the cached files in --out (and publishes them
 * with --repo) without unpacking or building; a miss stores the finished package.
 */
import { basename } from 'node:path';
import type { PackageOutput } from '../formats/packager.js';
import type { Settings } from '../settings.js';
import type { ReleasePlan } from '../sign/stage.js';
import type { LocalSdist, Provenance } from '../types.js';
import type { BuildCache } from './build-cache.js';
import { cacheKey } from './key.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

export interface CacheHit {
  output: PackageOutput & { signedBy?: string; repository?: unknown };
  name: string;
  version: string;
  /** the warnings the build gave when the entry was made */
  warnings: string[];
}

export function keyFor(sdist: LocalSdist, s: Settings, templatesDigest: string, release: ReleasePlan | undefined, provenance: Provenance): Promise<string> {
  return cacheKey({ sdistSha256: sdist.sha256, settings: s, templatesDigest, signerFingerprint: release?.signer.key.fingerprint, provenance });
}

export async function fromCache(
  cache: BuildCache,
  key: string,
  s: Settings,
  release: ReleasePlan | undefined,
  progress: (m: string) => void,
): Promise<CacheHit | undefined> {
  const entry = await cache.lookup(key);
  if (!entry) return undefined;
  progress(`cached ${entry.files.map((f) => f.name).join(', ')}`);
  const [path, dbgPath] = await cache.restore(entry, s.outDir);
  const { debugSymbols, ...main } = entry.output;
  // the -dbgsym package of a compiled project is the entry's second file
  const output = { ...main, path: path as string, ...(debugSymbols && dbgPath ? { debugSymbols: { ...debugSymbols, path: dbgPath } } : {}) };
  const warnings = Array.isArray(entry.warnings) ? entry.warnings.filter((w): w is string => typeof w === 'string') : [];
  if (!release?.repo) return { output, name: entry.name, version: entry.version, warnings };
  const work = makeWorkDir('py2pkg-publish-');
  try {
    const [{ openSigner }, { publish }] = await Promise.all([import('../sign/signer.js'), import('../repo/publish.js')]);
    progress(`publish into ${release.repo.dir}`);
    const signer = await openSigner(release.signer.spec);
    try {
      const repository = await publish(output.format === 'rpm' ? 'yum' : 'apt', {
        opts: release.repo,
        files: [output.path, ...(output.debugSymbols ? [output.debugSymbols.path] : [])],
        removals: [],
        signer,
        workDir: work,
        progress,
      });
      return { output: { ...output, repository }, name: entry.name, version: entry.version, warnings };
    } finally {
      await signer.close();
    }
  } finally {
    await removeWorkDir(work);
  }
}

export async function toCache(
  cache: BuildCache,
  key: string,
  result: { name: string; version: string; output: PackageOutput & { signedBy?: string; repository?: unknown }; warnings: string[] },
): Promise<void> {
  const { repository: _r, ...output } = result.output;
  const dbg = output.debugSymbols;
  const stored = dbg ? { ...output, debugSymbols: { ...dbg, path: basename(dbg.path) } } : output;
  await cache.save(key, { name: result.name, version: result.version, output: stored, warnings: result.warnings }, [output.path, ...(dbg ? [dbg.path] : [])]);
}
