/**
 * `py2pkg verify --rebuild PKG`: rebuild a package from the sdist its provenance records, with
 * the options it records, and compare.
 *   1. the build record (record.ts): target profile, format, maintainer, dependency options,
 *      templates digest, SOURCE_DATE_EPOCH, py2pkg version;
 *   2. the sdist: `--sdist FILE`, else `<name>==<version>` on the index / find-links (the
 *      download cache first, so a package converted here needs no network); it must have the
 *      recorded sha256 (REBUILD_SOURCE), and the trust policy must admit it again with the same
 *      kind of evidence and, for OpenPGP, the same signers;
 *   3. the whole pipeline (src/pipeline.ts) with the recorded options, no build cache, into a
 *      private directory; SOURCE_DATE_EPOCH as recorded when it came from the environment,
 *      derived from the sdist again otherwise;
 *   4. compare (compare.ts): identical, or REBUILD_DIFFERS with diffoscope's summary.
 */
import { isPy2pkgError, Py2pkgError, singleLine } from '../errors.js';
import type { ConvertFlags, Settings } from '../settings.js';
import { projectOfFilename } from '../trust/stage.js';
import type { Verification } from '../types.js';
import { toolVersion } from '../version.js';
import { diffoscopeSummary, packageDigest, type PackageDigest } from './compare.js';
import type { PackageRecord } from './record.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

export interface RebuildFlags extends ConvertFlags {
  /** the recorded sdist as a local file (its .asc / .provenance beside it) */
  sdist?: string;
}

export interface RebuildResult {
  package: string;
  sdist: { filename: string; sha256: string };
  identical: boolean;
  original: PackageDigest;
  rebuilt: PackageDigest;
  /** the differences worth knowing before reading a diff */
  notes: string[];
  diffoscope?: string;
}

const SOURCE_CODES = new Set(['INDEX_NOT_FOUND', 'NO_MATCHING_SDIST', 'FETCH_OFFLINE', 'HASH_MISMATCH', 'INPUT_NOT_FOUND']);

/** Same kind of evidence, and for OpenPGP the same signers (fingerprints). */
export function sameEvidence(recorded: Verification, now: Verification): string | undefined {
  if (recorded.method !== now.method) return `the package records ${recorded.method} evidence, the rebuild found ${now.method}`;
  if (recorded.method === 'openpgp-detached-signature' && now.method === 'openpgp-detached-signature') {
    const a = recorded.signers
      .map((s) => s.fingerprint)
      .sort()
      .join(',');
    const b = now.signers
      .map((s) => s.fingerprint)
      .sort()
      .join(',');
    if (a !== b) return `the package records signers ${a}, the sdist is now signed by ${b}`;
  }
  if (recorded.method === 'pinned-sha256' && now.method === 'pinned-sha256' && recorded.sha256 !== now.sha256) return 'the pinned sha256 differs';
  return undefined;
}

/** The settings of the original build: the user's trust and index flags, the record's build options. */
function rebuildSettings(s: Settings, rec: PackageRecord, outDir: string): Settings {
  const b = rec.build;
  return {
    ...s,
    format: b.format,
    target: b.target,
    maintainer: b.maintainer,
    dependencies: b.dependencies,
    sourceDateEpoch: b.sourceDateEpochFrom === 'environment' ? b.sourceDateEpoch : undefined,
    outDir,
    signing: undefined,
    repo: undefined,
    json: false,
    quiet: true,
  };
}

export async function rebuildPackage(
  rec: PackageRecord,
  flags: RebuildFlags,
  progress: (m: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RebuildResult> {
  const [{ resolveSettings }, { convert }] = await Promise.all([import('../settings.js'), import('../pipeline.js')]);
  const recorded = rec.provenance.sdist;
  const { project, version } = projectOfFilename(recorded.filename);
  const input = flags.sdist ?? `${project}==${version}`;
  const notes: string[] = [];
  if (rec.build.py2pkg !== toolVersion()) notes.push(`built by py2pkg ${rec.build.py2pkg}, rebuilt by ${toolVersion()}`);
  const base = await resolveSettings(input, { ...flags, format: rec.build.format, target: undefined, repo: undefined }, env);
  const out = makeWorkDir('py2pkg-rebuild-');
  try {
    const s = rebuildSettings(base, rec, out);
    progress(`rebuild ${recorded.filename} (sha256 ${recorded.sha256.slice(0, 16)}…) for ${s.target.id} with the recorded options`);
    let result;
    try {
      result = await convert(s, progress, {
        checkSdist: (sdist) => {
          if (sdist.sha256 !== recorded.sha256)
            throw new Py2pkgError('REBUILD_SOURCE', `${sdist.filename} has sha256 ${sdist.sha256}, the package records ${recorded.sha256}`);
        },
      });
    } catch (e) {
      if (isPy2pkgError(e) && SOURCE_CODES.has(e.code))
        throw new Py2pkgError(
          'REBUILD_SOURCE',
          `the recorded sdist ${singleLine(recorded.filename, 100)} (sha256 ${recorded.sha256}) is not available: ${singleLine(e.message, 300)}`,
        );
      throw e;
    }
    const evidence = sameEvidence(rec.provenance.verification, result.provenance.verification);
    if (evidence) throw new Py2pkgError('REBUILD_SOURCE', `${recorded.filename}: ${evidence}`);
    const [original, rebuilt] = await Promise.all([packageDigest(rec.path, rec.format), packageDigest(result.output.path, rec.format)]);
    const identical = original.built === rebuilt.built;
    const r: RebuildResult = { package: rec.path, sdist: { filename: recorded.filename, sha256: recorded.sha256 }, identical, original, rebuilt, notes };
    if (!identical) {
      const tplNow = result.provenance.templates?.digest;
      if (rec.build.templates.source === 'dir' && !flags.templates)
        notes.push(`the package was rendered with templates from a directory (digest ${rec.build.templates.digest.slice(0, 16)}…): pass --templates DIR`);
      else if (tplNow && tplNow !== rec.build.templates.digest)
        notes.push(`templates digest ${tplNow.slice(0, 16)}… differs from the recorded ${rec.build.templates.digest.slice(0, 16)}…`);
      const summary = await diffoscopeSummary(rec.path, result.output.path);
      if (summary !== undefined) r.diffoscope = summary;
    }
    return r;
  } finally {
    await removeWorkDir(out);
  }
}
