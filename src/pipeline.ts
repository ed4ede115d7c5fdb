/**
 * Runs the stages in order: verify -> unpack -> inspect -> build -> render+package [-> sign -> publish].
 * Each stage is a typed function; this file only wires them, reports progress and
 * removes the private temp directory whatever happens.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Py2pkgError } from './errors.js';
import { prepareOutDir } from './out-dir.js';
import type { PackageOutput, Packager } from './formats/packager.js';
import { BUILD_PYTHON_VERSION, buildStage, checkSystemBuildDepends, COMPILER_PACKAGES, missingCompilerPackages } from './python/build.js';
import { projectBuildDepends } from './python/build-depends.js';
import { buildsCompiledFor } from './targets/host.js';
import { templatesFor } from './render/templates.js';
import { addManPages } from './python/manpages.js';
import { inspectSource, mergeWheelMetadata, declaredCompiledExtensions, checkRequiresPython } from './sdist/inspect.js';
import { unpackSdist } from './sdist/unpack.js';
import type { Settings } from './settings.js';
import type { FetchedEvidence } from './trust/stage.js';
import type { BuildRecord, LocalSdist, Provenance } from './types.js';
import type { BuildCache } from './cache/build-cache.js';
import { toolVersion } from './version.js';
import { keepWorkDir, makeWorkDir, removeWorkDir } from './interrupt.js';

/**
 * One packager per format, loaded only when used (and while the sandboxed build runs), so a
 * conversion does not pay for the modules of the other format, signing or dependencies.
 */
const packagers: Readonly<Record<string, () => Promise<Packager>>> = {
  deb: async () => (await import('./formats/deb.js')).debPackager,
  rpm: async () => (await import('./formats/rpm.js')).rpmPackager,
};

/** Start an import now, await it later; a failure surfaces where it is awaited. */
function early<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= load());
}

export interface ConvertResult {
  output: PackageOutput;
  provenance: Provenance;
  name: string;
  version: string;
  /** true when the package came from the build cache (src/cache/): no build work was done */
  cached?: boolean;
}

export type Progress = (message: string) => void;

/** What the CLI shell adds for by-name runs: warnings (unless --quiet) and the TTY download line. */
export interface ConvertExtras {
  warn?: (message: string) => void;
  live?: (text: string) => void;
  /** what must be seen even with --quiet (a trust-on-first-use pin) */
  notify?: (message: string) => void;
  /** the build cache (src/cache/); absent with --no-cache */
  buildCache?: BuildCache;
  /** checks the sdist before anything else reads it (a requirements file's --hash, a lock's sha256) */
  checkSdist?: (sdist: LocalSdist) => void;
}

/** resolve + fetch (src/source/): a requirement -> the sdist and its signature, from the cache or the index. */
export async function fetchStage(s: Settings, progress: Progress, extras: ConvertExtras) {
  if (!s.requirement || !s.source) return undefined;
  const { resolveAndFetch } = await import('./source/stage.js');
  return resolveAndFetch(s.requirement, s.source, {
    pythonVersion: s.target.pythonFullVersion,
    maxFileBytes: s.maxUnpackedBytes,
    fetchSignature: !s.signature && !s.allowUnsigned,
    // a policy that pins signers for this project probes <url>.asc whatever the index hints
    probeSignature: (s.trustPolicy.projects.get(s.requirement.project)?.pgp.length ?? 0) > 0,
    fetchProvenance: !s.provenance && !s.allowUnsigned,
    progress,
    warn: extras.warn ?? (() => {}),
    ...(extras.live ? { live: extras.live } : {}),
  });
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const SDIST_SUFFIX = /\.(tar\.gz|tgz|tar\.bz2|tar|zip)$/i;

export async function localSdist(path: string): Promise<LocalSdist> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new Py2pkgError('INPUT_NOT_FOUND', `no such file: ${path}`);
  }
  if (st.isDirectory()) {
    throw new Py2pkgError('INPUT_NOT_FOUND', `${path} is a directory; py2pkg converts sdists (a directory cannot carry an upstream signature)`, {
      hint: 'build an sdist with python3 -m build --sdist, sign it, and convert that file',
    });
  }
  if (!st.isFile()) throw new Py2pkgError('INPUT_NOT_FOUND', `${path} is not a regular file`);
  if (!SDIST_SUFFIX.test(path)) throw new Py2pkgError('INPUT_NOT_FOUND', `${basename(path)} does not look like an sdist (.tar.gz, .zip)`);
  return { path, filename: basename(path), sha256: await sha256File(path), size: st.size };
}

export async function verifyStage(sdist: LocalSdist, s: Settings, fetched?: FetchedEvidence, notify: (m: string) => void = () => {}): Promise<Provenance> {
  const { trustStage } = await import('./trust/stage.js');
  return trustStage(sdist, s, fetched, notify);
}

export async function convert(s: Settings, progress: Progress = () => {}, extras: ConvertExtras = {}): Promise<ConvertResult> {
  const loadPackager = packagers[s.format];
  if (!loadPackager) throw new Py2pkgError('USAGE', `unknown format ${s.format}`);
  // every precondition a user can fix is checked before any work starts; --out first
  const undoOutDir = await prepareOutDir(s.outDir);
  try {
    return await convertInto(s, loadPackager, progress, extras);
  } catch (e) {
    await undoOutDir();
    throw e;
  }
}

async function convertInto(s: Settings, loadPackager: () => Promise<Packager>, progress: Progress, extras: ConvertExtras): Promise<ConvertResult> {
  const packagerModule = early(loadPackager);
  const depsModule = early(() => import('./deps/index.js'));
  const templates = await templatesFor(s.format, s.templatesDir);
  // the signing key's public facts and the repository (the key is opened only after the build)
  const signStage = s.signing || s.repo ? await import('./sign/stage.js') : undefined;
  const release = signStage ? await signStage.planRelease(s.signing, s.repo, s.format) : undefined;
  const fetched = await fetchStage(s, progress, extras);
  const sdist = fetched?.sdist ?? (await localSdist(s.input));

  progress(`verify ${sdist.filename}`);
  let provenance: Provenance;
  try {
    extras.checkSdist?.(sdist);
    const verified = await verifyStage(
      sdist,
      s,
      fetched ? { signaturePath: fetched.signaturePath, provenance: fetched.provenance } : undefined,
      extras.notify ?? extras.warn ?? progress,
    );
    provenance = fetched ? { ...verified, source: fetched.source } : verified;
  } catch (e) {
    await fetched?.dispose();
    throw e;
  }

  // the build cache: the evidence was checked above on every run; a hit skips all build work
  const cacheStage = extras.buildCache ? await import('./cache/stage.js') : undefined;
  const cacheKey = cacheStage ? await cacheStage.keyFor(sdist, s, templates.digest, release, provenance) : undefined;
  if (cacheStage && cacheKey && extras.buildCache) {
    let hit;
    try {
      hit = await cacheStage.fromCache(extras.buildCache, cacheKey, s, release, progress);
    } catch (e) {
      await fetched?.dispose();
      throw e;
    }
    if (hit) {
      await fetched?.dispose();
      // the warnings the build gave are given again: the package still carries what they say
      for (const w of hit.warnings) (extras.warn ?? progress)(w);
      return { output: hit.output, name: hit.name, version: hit.version, provenance, cached: true };
    }
  }
  // what the build warns about is kept with the cache entry
  const warnings: string[] = [];
  const warnOut = extras.warn ?? progress;
  if (cacheKey) extras = { ...extras, warn: (m) => (warnings.push(m), warnOut(m)) };

  const work = makeWorkDir('py2pkg-');
  try {
    progress('unpack');
    const unpackDir = join(work, 'unpack');
    await import('node:fs/promises').then((fs) => fs.mkdir(unpackDir, { mode: 0o700 }));
    const unpacked = await unpackSdist(sdist.path, unpackDir, { maxBytes: s.maxUnpackedBytes }, sdist.filename);

    progress('inspect');
    const source = await inspectSource(unpacked.root, sdist.filename);
    // a hint only: the built wheel decides pure or compiled (src/python/build.ts)
    const declared = await declaredCompiledExtensions(unpacked.root);
    if (declared) (extras.warn ?? progress)(declared);
    // compiled extension modules ship only in a deb for the target that is this machine
    const allowCompiled = s.format === 'deb' && buildsCompiledFor(s.target, BUILD_PYTHON_VERSION);
    // a project that links system libraries (the config's [project.NAME] build-depends, or
    // py2pkg's defaults: src/python/build-depends.ts) needs them, the compiler and the Python
    // headers installed: checked with the backend before the build (BUILD_DEPENDS_MISSING)
    const wanted = allowCompiled ? projectBuildDepends(source.metadata.name, s.projectBuildDepends) : undefined;
    if (wanted?.note && wanted.from === 'default') (extras.warn ?? progress)(wanted.note);
    const systemBuildDepends =
      wanted && wanted.packages.length > 0
        ? { project: source.metadata.name, packages: [...COMPILER_PACKAGES, ...wanted.packages], from: wanted.from }
        : undefined;
    const toolchain = declared && allowCompiled && !systemBuildDepends ? missingCompilerPackages() : [];
    // otherwise a warning, not a refusal: an optional speed-up builds pure without them
    if (toolchain.length > 0)
      (extras.warn ?? progress)(`a compiled build needs ${toolchain.join(' and ')}, not installed: apt-get install ${toolchain.join(' ')}`);
    checkRequiresPython(source.metadata, s.target);
    const sourceDateEpoch = s.sourceDateEpoch ?? deriveSourceDateEpoch(source.newestMtime, provenance);
    const finalProvenance = s.sourceDateEpoch === undefined ? clampVerifiedAt(provenance, sourceDateEpoch) : provenance;

    // the description's parser (docutils, in its own Python process) runs beside the build
    const description = import('./description/index.js').then((d) => d.longDescription(source.metadata));
    description.catch(() => {});
    if (systemBuildDepends) await checkSystemBuildDepends(unpacked.root, systemBuildDepends);
    progress(`build (sandboxed, ${source.metadata.name} ${source.metadata.version})`);
    // once the sandboxed build runs (node is idle until it ends, and not before it started, so
    // this does not delay the build): the render stage's modules, the SBOM's CycloneDX library
    // (with the ajv it loads) and packageurl-js, the dependency data and the compiled
    // templates, ≈130–180 ms of work
    const whileBuilding = () => {
      for (const load of [
        () => import('handlebars'),
        () => import('./sbom/cyclonedx.js'),
        () => import('@cyclonedx/cyclonedx-library'),
        () => import('packageurl-js'),
      ])
        void load().catch(() => {});
      void depsModule()
        .then((d) => d.warmDependencyData(s.target, s.format))
        .catch(() => {});
      void packagerModule()
        .then((p) => p.warm(templates))
        .catch(() => {});
    };
    const wheelBuilt = await buildStage({
      sourceRoot: unpacked.root,
      workDir: work,
      target: s.target,
      sourceDateEpoch,
      timeoutMs: s.buildTimeoutMs,
      allowCompiled,
      onStarted: whileBuilding,
    });
    const metadata = mergeWheelMetadata(source.metadata, wheelBuilt.wheelMetadata);
    // a man page for each program in /usr/bin (help2man in the sandbox, or a short one)
    if (wheelBuilt.files.some((f) => f.path.startsWith(`${s.target.scriptsDir}/`))) progress('man pages (help2man, sandboxed)');
    const { build: built } = await addManPages({
      build: wheelBuilt,
      meta: metadata,
      target: s.target,
      sourceDateEpoch,
      timeoutMs: s.buildTimeoutMs,
      workDir: work,
    });
    // dependencies the target archive cannot satisfy stop the run here (DEPENDS_UNSATISFIABLE)
    const { checkDependencies } = await depsModule();
    const packager = await packagerModule();
    for (const w of checkDependencies(metadata, s.target, s.format, s.dependencies)) (extras.warn ?? progress)(`dependencies: ${w}`);

    const described = await description;
    if (described.warning) (extras.warn ?? progress)(described.warning);

    progress(
      built.pure ? `package ${packager.fileName(metadata, s.target)}` : `package (architecture-specific: ${built.extensionModules.length} extension module(s))`,
    );
    // what a rebuild needs (py2pkg verify --rebuild, src/rebuild/)
    const build = buildRecord({
      format: s.format,
      target: s.target,
      maintainer: s.maintainer,
      dependencies: s.dependencies,
      templates,
      sourceDateEpoch,
      fromEnvironment: s.sourceDateEpoch !== undefined,
    });
    const output = await packager.build({
      metadata,
      provenance: { ...packagedProvenance(finalProvenance), build },
      build: built,
      target: s.target,
      maintainer: s.maintainer,
      sourceDateEpoch,
      // a package to be signed goes to --out only once it is signed
      outDir: release ? await mkdtemp(join(work, 'unsigned-')) : s.outDir,
      licenseTexts: source.licenseTexts,
      sourceNotices: source.sourceNotices,
      toolVersion: toolVersion(),
      workDir: work,
      dependencies: s.dependencies,
      description: described.text,
      templates,
    });
    for (const n of output.notes ?? []) (extras.warn ?? progress)(n);
    const released = release && signStage ? await signStage.runRelease(release, output, s.outDir, work, progress) : output;
    if (cacheStage && cacheKey && extras.buildCache)
      await cacheStage
        .toCache(extras.buildCache, cacheKey, { name: metadata.name, version: metadata.version, output: released, warnings })
        .catch((e: Error) => (extras.warn ?? progress)(`build cache not written: ${e.message}`));
    return { output: released, provenance: finalProvenance, name: metadata.name, version: metadata.version };
  } finally {
    await fetched?.dispose();
    if (s.keepTemp) {
      keepWorkDir(work);
      progress(`kept temp dir ${work}`);
    } else await removeWorkDir(work);
  }
}

/** 1980-01-01, the earliest date zip and wheels can hold; lintian calls older files ancient. */
export const MIN_SOURCE_DATE_EPOCH = 315532800;

/**
 * Without SOURCE_DATE_EPOCH in the environment, a date that depends only on the input: the
 * newest file in the sdist; when the backend zeroed the dates (flit, poetry-core), the
 * newest upstream signature; otherwise 1980-01-01.
 */
export function deriveSourceDateEpoch(newestMtime: number, p: Provenance): number {
  if (newestMtime >= MIN_SOURCE_DATE_EPOCH) return newestMtime;
  const times: number[] = [];
  for (const v of p.evidence ?? [p.verification]) {
    if (v.method === 'openpgp-detached-signature') times.push(...v.signers.map((x) => Math.floor(Date.parse(x.signedAt) / 1000)));
    if (v.method === 'pep740-attestation') times.push(...v.attestations.map((a) => Math.floor(Date.parse(a.transparencyLog.integratedTime) / 1000)));
  }
  const signed = Math.max(...times);
  if (Number.isFinite(signed) && signed >= MIN_SOURCE_DATE_EPOCH) return signed;
  return MIN_SOURCE_DATE_EPOCH;
}

/**
 * The provenance as it goes into a package: without the index route (the same verified sdist +
 * signature give the same bytes whether they came from a file, PyPI or a mirror: README,
 * "Reproducible") and without the trust store's answer (first use or matched).
 */
export function packagedProvenance(p: Provenance): Provenance {
  const { source: _route, ...routeless } = p;
  return routeless.trust?.store
    ? { ...routeless, trust: { rule: routeless.trust.rule, policy: routeless.trust.policy, project: routeless.trust.project } }
    : routeless;
}

/** What `verify --rebuild` needs to make the same package again (provenance.json "build"). */
export function buildRecord(r: {
  format: 'deb' | 'rpm';
  target: BuildRecord['target'];
  maintainer: string;
  dependencies: BuildRecord['dependencies'];
  templates: { digest: string; source: 'builtin' | 'dir' };
  sourceDateEpoch: number;
  fromEnvironment: boolean;
}): BuildRecord {
  return {
    py2pkg: toolVersion(),
    format: r.format,
    target: r.target,
    maintainer: r.maintainer,
    dependencies: r.dependencies,
    templates: { digest: r.templates.digest, source: r.templates.source },
    sourceDateEpoch: r.sourceDateEpoch,
    sourceDateEpochFrom: r.fromEnvironment ? 'environment' : 'sdist',
  };
}

/** Without SOURCE_DATE_EPOCH in the environment, the sdist's own date plays its part. */
export function clampVerifiedAt(p: Provenance, epoch: number): Provenance {
  const at = Date.parse(p.verifiedAt);
  if (Number.isNaN(at) || at <= epoch * 1000) return p;
  return { ...p, verifiedAt: new Date(epoch * 1000).toISOString() };
}
