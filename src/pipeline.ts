/**
 * Runs the stages in order: verify -> unpack -> inspect -> build -> render+package.
 * Each stage is a typed function; this file only wires them, reports progress and
 * removes the private temp directory whatever happens.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { access, constants, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Py2pkgError } from './errors.js';
import { debPackager } from './formats/deb.js';
import type { PackageOutput, Packager } from './formats/packager.js';
import { buildStage } from './python/build.js';
import { inspectSource, mergeWheelMetadata, refuseCompiledExtensions, checkRequiresPython } from './sdist/inspect.js';
import { unpackSdist } from './sdist/unpack.js';
import type { Settings } from './settings.js';
import { unsignedProvenance, verifyDetachedSignature } from './trust/verify.js';
import type { LocalSdist, Provenance } from './types.js';
import { toolVersion } from './version.js';

const packagers: Readonly<Record<string, Packager>> = { deb: debPackager };

export interface ConvertResult {
  output: PackageOutput;
  provenance: Provenance;
  name: string;
  version: string;
}

export type Progress = (message: string) => void;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const SDIST_SUFFIX = /\.(tar\.gz|tgz|tar\.bz2|tar|zip)$/i;

async function localSdist(path: string): Promise<LocalSdist> {
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

async function checkOutDir(dir: string): Promise<void> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch {
    throw new Py2pkgError('OUTPUT_DIR', `output directory ${dir} does not exist or is not writable`);
  }
}

export async function verifyStage(sdist: LocalSdist, s: Settings): Promise<Provenance> {
  const signature = s.signature ?? `${sdist.path}.asc`;
  const now = new Date();
  if (s.allowUnsigned) {
    return unsignedProvenance(sdist, 'converted with --allow-unsigned: the upstream signature was not checked', now, s.sourceDateEpoch);
  }
  if (!s.trustedKeys) throw new Py2pkgError('SIG_NO_KEYS', 'no trusted keys given: nothing can vouch for this sdist');
  if (!existsSync(signature)) throw new Py2pkgError('SIG_MISSING', `no signature for ${sdist.filename} (looked for ${basename(signature)})`);
  return verifyDetachedSignature({ sdist, signaturePath: signature, trustedKeysPath: s.trustedKeys, now, ...(s.sourceDateEpoch !== undefined ? { sourceDateEpoch: s.sourceDateEpoch } : {}) });
}

export async function convert(s: Settings, progress: Progress = () => {}): Promise<ConvertResult> {
  const packager = packagers[s.format];
  if (!packager) throw new Py2pkgError('USAGE', `unknown format ${s.format}`);
  // every precondition a user can fix is checked before any work starts
  await checkOutDir(s.outDir);
  const sdist = await localSdist(s.input);

  progress(`verify ${sdist.filename}`);
  const provenance = await verifyStage(sdist, s);

  const work = await mkdtemp(join(tmpdir(), 'py2pkg-'));
  try {
    progress('unpack');
    const unpackDir = join(work, 'unpack');
    await import('node:fs/promises').then((fs) => fs.mkdir(unpackDir, { mode: 0o700 }));
    const unpacked = await unpackSdist(sdist.path, unpackDir, { maxBytes: s.maxUnpackedBytes });

    progress('inspect');
    const source = await inspectSource(unpacked.root, sdist.filename);
    await refuseCompiledExtensions(unpacked.root);
    checkRequiresPython(source.metadata, s.target);
    const sourceDateEpoch = s.sourceDateEpoch ?? deriveSourceDateEpoch(source.newestMtime, provenance);
    const finalProvenance = s.sourceDateEpoch === undefined ? clampVerifiedAt(provenance, sourceDateEpoch) : provenance;

    progress(`build (sandboxed, ${source.metadata.name} ${source.metadata.version})`);
    // load the render stage's modules while the sandboxed build runs (node is idle then)
    void import('handlebars').catch(() => {});
    const built = await buildStage({ sourceRoot: unpacked.root, workDir: work, target: s.target, sourceDateEpoch, timeoutMs: s.buildTimeoutMs });
    const metadata = mergeWheelMetadata(source.metadata, built.wheelMetadata);

    progress(`package ${packager.fileName(metadata, s.target)}`);
    const output = await packager.build({
      metadata,
      provenance: finalProvenance,
      build: built,
      target: s.target,
      maintainer: s.maintainer,
      sourceDateEpoch,
      outDir: s.outDir,
      licenseTexts: source.licenseTexts,
      toolVersion: toolVersion(),
      workDir: work,
    });
    return { output, provenance: finalProvenance, name: metadata.name, version: metadata.version };
  } finally {
    if (s.keepTemp) progress(`kept temp dir ${work}`);
    else await rm(work, { recursive: true, force: true });
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
  if (p.verification.method === 'openpgp-detached-signature') {
    const signed = Math.max(...p.verification.signers.map((x) => Math.floor(Date.parse(x.signedAt) / 1000)));
    if (Number.isFinite(signed) && signed >= MIN_SOURCE_DATE_EPOCH) return signed;
  }
  return MIN_SOURCE_DATE_EPOCH;
}

/** Without SOURCE_DATE_EPOCH in the environment, the sdist's own date plays its part. */
function clampVerifiedAt(p: Provenance, epoch: number): Provenance {
  const at = Date.parse(p.verifiedAt);
  if (Number.isNaN(at) || at <= epoch * 1000) return p;
  return { ...p, verifiedAt: new Date(epoch * 1000).toISOString() };
}
