/**
 * --source: [resolve -> fetch ->] verify -> unpack -> inspect -> build (sandboxed, to learn
 * what the build produces: pure or compiled, modules, scripts) -> a source package for the
 * distributions' build farms, by format: Debian `3.0 (quilt)` (src/formats/source/debian.ts)
 * or an SRPM (src/formats/source/route-rpm.ts). The organization's key signs it; the upstream
 * sdist goes in unchanged, with its signature and the pinned keys.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Py2pkgError } from './errors.js';
import { importNamesOf } from './formats/source/srpm-data.js';
import type { SourceContext, SourceOutput } from './formats/source/types.js';
import { prepareOutDir } from './out-dir.js';
import {
  clampVerifiedAt,
  deriveSourceDateEpoch,
  fetchStage,
  localSdist,
  packagedProvenance,
  verifyStage,
  type ConvertExtras,
  type Progress,
} from './pipeline.js';
import { detectBuildSystem } from './python/backends.js';
import { buildStage } from './python/build.js';
import { projectBuildDepends } from './python/build-depends.js';
import { canonicalizeName } from './python/pep508.js';
import { templatesFor } from './render/templates.js';
import { checkRequiresPython, inspectSource, mergeWheelMetadata } from './sdist/inspect.js';
import { unpackSdist } from './sdist/unpack.js';
import type { Settings } from './settings.js';
import type { Provenance } from './types.js';
import { toolVersion } from './version.js';
import { keepWorkDir, makeWorkDir, removeWorkDir } from './interrupt.js';

export interface SourceResult {
  output: SourceOutput;
  provenance: Provenance;
  name: string;
  version: string;
}

/** One builder per format; the SRPM's is a single function (route-rpm.ts). */
const builders: Readonly<Record<'deb' | 'rpm', () => Promise<(ctx: SourceContext) => Promise<SourceOutput>>>> = {
  deb: async () => (await import('./formats/source/debian.js')).buildDebianSource,
  rpm: async () => (await import('./formats/source/route-rpm.js')).buildRpmSource,
};

/** [build-system] requires as Debian relations (DEPENDS_UNSATISFIABLE before the build); warnings shown. */
async function debianBuildRequirements(root: string, meta: { name: string; version: string }, s: Settings, warn: (m: string) => void): Promise<string[]> {
  const { checkBuildRequirements } = await import('./deps/index.js');
  const b = checkBuildRequirements(meta, await detectBuildSystem(root), s.target, s.dependencies);
  for (const w of b.warnings) warn(`build dependencies: ${w}`);
  return b.relations;
}

export async function convertSource(s: Settings, progress: Progress = () => {}, extras: ConvertExtras = {}): Promise<SourceResult> {
  if (s.repo)
    throw new Py2pkgError('USAGE', '--repo publishes binary packages: a source package goes to a build farm (see docs/build-farms.md), not into --repo');
  const undoOutDir = await prepareOutDir(s.outDir);
  try {
    return await sourceInto(s, progress, extras);
  } catch (e) {
    await undoOutDir();
    throw e;
  }
}

async function sourceInto(s: Settings, progress: Progress, extras: ConvertExtras): Promise<SourceResult> {
  const warn = extras.warn ?? progress;
  const build = await builders[s.format]();
  const templates = await templatesFor(s.format, s.templatesDir);
  const signer = s.signing ? await (await import('./sign/signer.js')).inspectSigner(s.signing) : undefined;
  if (!signer) warn('no --sign-key/--gpg-key: the source package is not signed (dscverify and build farms refuse unsigned uploads)');
  const fetched = await fetchStage(s, progress, extras);
  try {
    const sdist = fetched?.sdist ?? (await localSdist(s.input));
    // a Debian .orig must be the sdist byte for byte: refused before any work when it cannot be
    if (s.format === 'deb') await (await import('./formats/source/debian.js')).origCompression(sdist.path, sdist.filename);
    progress(`verify ${sdist.filename}`);
    extras.checkSdist?.(sdist);
    const verified = await verifyStage(
      sdist,
      s,
      fetched ? { signaturePath: fetched.signaturePath, provenance: fetched.provenance } : undefined,
      extras.notify ?? warn,
    );
    const work = makeWorkDir('py2pkg-src-');
    try {
      progress('unpack');
      const unpackDir = join(work, 'unpack');
      await mkdir(unpackDir, { mode: 0o700 });
      const unpacked = await unpackSdist(sdist.path, unpackDir, { maxBytes: s.maxUnpackedBytes }, sdist.filename);
      progress('inspect');
      const source = await inspectSource(unpacked.root, sdist.filename);
      checkRequiresPython(source.metadata, s.target);
      // Build-Depends with upstream's bounds, refused here when the target archive cannot meet them
      const buildRequirements = s.format === 'deb' ? await debianBuildRequirements(unpacked.root, source.metadata, s, warn) : undefined;
      const sourceDateEpoch = s.sourceDateEpoch ?? deriveSourceDateEpoch(source.newestMtime, verified);
      const provenance = s.sourceDateEpoch === undefined ? clampVerifiedAt(verified, sourceDateEpoch) : verified;
      const description = import('./description/index.js').then((d) => d.longDescription(source.metadata));
      description.catch(() => {});
      // what the build produces decides pure or compiled (Architecture, python3-all-dev)
      progress(`build (sandboxed, ${source.metadata.name} ${source.metadata.version}: pure or compiled)`);
      const built = await buildStage({
        sourceRoot: unpacked.root,
        workDir: work,
        target: s.target,
        sourceDateEpoch,
        timeoutMs: s.buildTimeoutMs,
        allowCompiled: true,
      });
      const metadata = mergeWheelMetadata(source.metadata, built.wheelMetadata);
      const described = await description;
      if (described.warning) warn(described.warning);
      // the package carries neither the index route nor the trust store's answer (packagedProvenance)
      const route = provenance.source;
      const pinnedKeyFiles = [...(s.trustPolicy.projects.get(canonicalizeName(metadata.name))?.keys ?? []), ...(s.trustedKeys ? [s.trustedKeys] : [])];
      const signaturePath =
        s.signature ??
        fetched?.signaturePath ??
        (provenance.verification.method === 'openpgp-detached-signature' || provenance.evidence?.some((v) => v.method === 'openpgp-detached-signature')
          ? `${sdist.path}.asc`
          : undefined);
      const ctx: SourceContext = {
        metadata,
        sdist,
        ...(signaturePath ? { signaturePath } : {}),
        provenance: { ...packagedProvenance(provenance), templates: { digest: templates.digest, source: templates.source } },
        pinnedKeyFiles,
        target: s.target,
        ...(signer ? { signer } : {}),
        maintainer: s.maintainer,
        outDir: s.outDir,
        workDir: work,
        compiled: !built.pure,
        systemBuildDepends: projectBuildDepends(metadata.name, s.projectBuildDepends),
        licenseTexts: source.licenseTexts,
        sourceNotices: source.sourceNotices,
        description: described.text,
        buildSystem: built.buildSystem,
        ...(buildRequirements ? { buildRequirements } : {}),
        importNames: importNamesOf(
          built.files.map((f) => f.path),
          s.target.siteDir,
        ),
        sdistTopDir: basename(unpacked.root),
        docFiles: await readdir(unpacked.root),
        scripts: built.consoleScripts,
        sourceDateEpoch,
        toolVersion: toolVersion(),
        templates,
        ...(route ? { index: { url: route.index, fileUrl: route.url } } : {}),
        progress,
        warn,
      };
      const output = await build(ctx);
      return { output, provenance, name: metadata.name, version: metadata.version };
    } finally {
      if (s.keepTemp) {
        keepWorkDir(work);
        progress(`kept temp dir ${work}`);
      } else await removeWorkDir(work);
    }
  } finally {
    await fetched?.dispose();
  }
}
