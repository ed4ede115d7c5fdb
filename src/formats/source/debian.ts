/**
 * A Debian `3.0 (quilt)` source package from a verified sdist, assembled by dpkg-source itself:
 *   <src>_<upstream>.orig.tar.gz      the upstream sdist, byte for byte
 *   <src>_<upstream>.orig.tar.gz.asc  the upstream signature (PGP evidence; dpkg-source lists it)
 *   <src>_<version>.debian.tar.xz     debian/ (debian-files.ts, the copyright and changelog
 *                                     templates, upstream/signing-key.asc, py2pkg/ provenance + SBOM)
 *   <src>_<version>.dsc               clearsigned with the organization's key
 *   <src>_<version>_source.buildinfo  dpkg-genbuildinfo, signed
 *   <src>_<version>_source.changes    dpkg-genchanges, signed: what dput uploads
 * Built in the private work dir, then renamed into --out, the .changes last.
 */
import { open as openFile, copyFile, mkdir, readFile, writeFile, chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../../errors.js';
import { baseEnv, run } from '../../exec.js';
import { copyAtomic } from '../../repo/fsutil.js';
import { debHelpers } from '../../render/engine.js';
import { renderTemplate } from '../../render/templates.js';
import { makeSbom, SBOM_FILE, toolsOf } from '../../sbom/cyclonedx.js';
import { sha256File } from '../../pipeline.js';
import { openSigner } from '../../sign/signer.js';
import { copyrightData } from '../deb-copyright.js';
import { changelogData, debPackageName } from '../deb-data.js';
import { controlText, docsText, lintianOverrides, rulesText, SOURCE_FORMAT, sourceName, sourceVersion, upstreamVersion, watchText } from './debian-files.js';
import type { SourceContext, SourceFile, SourceOutput } from './types.js';
import { armoredSignature, exportSigningKeys, verifyingFingerprints } from './upstream-key.js';
import { normalizeTree } from '../staging.js';

export const DPKG_SOURCE = '/usr/bin/dpkg-source';
export const DPKG_GENBUILDINFO = '/usr/bin/dpkg-genbuildinfo';
export const DPKG_GENCHANGES = '/usr/bin/dpkg-genchanges';
const TAR = '/usr/bin/tar';

/** The compressions a 3.0 (quilt) .orig tarball may have, by the file's first bytes. */
const ORIG_MAGIC: ReadonlyArray<{ ext: string; magic: number[] }> = [
  { ext: 'gz', magic: [0x1f, 0x8b] },
  { ext: 'bz2', magic: [0x42, 0x5a, 0x68] },
  { ext: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
];

/**
 * The .orig tarball's compression (gz, bz2, xz) from the sdist's bytes; a .zip or an
 * uncompressed .tar cannot be a 3.0 (quilt) .orig byte for byte: SOURCE_ORIG_FORMAT.
 */
export async function origCompression(path: string, filename: string): Promise<string> {
  const fh = await openFile(path, 'r');
  const head = Buffer.alloc(8);
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const found = ORIG_MAGIC.find((m) => m.magic.every((b, i) => head[i] === b));
  if (!found) {
    const what = head[0] === 0x50 && head[1] === 0x4b ? 'a .zip archive' : 'not a compressed tarball';
    throw new Py2pkgError(
      'SOURCE_ORIG_FORMAT',
      `${singleLine(filename, 120)} is ${what}: a Debian source package's .orig.tar.* must be the upstream sdist byte for byte`,
    );
  }
  return found.ext;
}

const toolEnv = (epoch: number): Record<string, string> => baseEnv({ SOURCE_DATE_EPOCH: String(epoch), TZ: 'UTC', HOME: '/nonexistent' });

/** The files of debian/, written under `tree`. */
async function writeDebianDir(ctx: SourceContext, tree: string, pgpKeys: string | undefined): Promise<void> {
  const meta = ctx.metadata;
  const bin = debPackageName(meta);
  const debian = join(tree, 'debian');
  for (const d of ['source', 'py2pkg', ...(pgpKeys !== undefined ? ['upstream'] : [])]) await mkdir(join(debian, d), { recursive: true });
  const year = new Date(ctx.sourceDateEpoch * 1000).getUTCFullYear();
  const changelog = changelogData(meta, ctx.target, ctx.provenance, ctx.maintainer, ctx.sourceDateEpoch, ctx.toolVersion);
  const files: Array<[string, string]> = [
    ['control', controlText(ctx)],
    ['rules', rulesText(ctx)],
    [
      'changelog',
      await renderTemplate(
        ctx.templates,
        'deb/changelog.hbs',
        { ...changelog, package: sourceName(meta), version: sourceVersion(meta, ctx.target) },
        debHelpers,
      ),
    ],
    [
      'copyright',
      await renderTemplate(
        ctx.templates,
        'deb/copyright.hbs',
        copyrightData(meta, ctx.provenance, ctx.licenseTexts, ctx.sourceNotices, { year, maintainer: ctx.maintainer }),
        debHelpers,
      ),
    ],
    ['source/format', `${SOURCE_FORMAT}\n`],
    [`${bin}.lintian-overrides`, lintianOverrides(bin)],
    [`${bin}.docs`, docsText()],
    ['watch', watchText(ctx, pgpKeys !== undefined)],
    ['py2pkg/provenance.json', `${JSON.stringify(ctx.provenance, null, 2)}\n`],
    [
      `py2pkg/${SBOM_FILE}`,
      await makeSbom({
        metadata: meta,
        provenance: ctx.provenance,
        package: { format: 'deb', name: bin, version: sourceVersion(meta, ctx.target), arch: ctx.compiled ? 'any' : 'all', distro: ctx.target.id },
        sourceDateEpoch: ctx.sourceDateEpoch,
        tools: toolsOf(ctx.provenance, ctx.toolVersion),
        buildBackend: ctx.buildSystem.backend,
      }),
    ],
    ...(pgpKeys !== undefined ? ([['upstream/signing-key.asc', pgpKeys]] as Array<[string, string]>) : []),
  ];
  for (const [name, text] of files) await writeFile(join(debian, name), text);
  // debian.tar.* keeps the modes: 0755 directories and 0644 files whatever the umask, rules 0755
  await normalizeTree(debian, ctx.sourceDateEpoch, undefined);
  await chmod(join(debian, 'rules'), 0o755);
}

async function sign(ctx: SourceContext, signer: Awaited<ReturnType<typeof openSigner>> | undefined, path: string): Promise<void> {
  if (!signer) return;
  const text = await readFile(path, 'utf8');
  await writeFile(path, await signer.clearSign(text));
}

export async function buildDebianSource(ctx: SourceContext): Promise<SourceOutput> {
  const meta = ctx.metadata;
  const src = sourceName(meta);
  const upstream = upstreamVersion(meta);
  const version = sourceVersion(meta, ctx.target);
  const fileVersion = version.replace(/^\d+:/, '');
  const ext = await origCompression(ctx.sdist.path, ctx.sdist.filename);
  const dir = join(ctx.workDir, 'debian-source');
  const treeName = `${src}-${upstream}`;
  const tree = join(dir, treeName);
  await mkdir(tree, { recursive: true, mode: 0o700 });

  // the orig: the verified sdist itself, and its signature beside it (dpkg-source lists both)
  const orig = join(dir, `${src}_${upstream}.orig.tar.${ext}`);
  await copyFile(ctx.sdist.path, orig);
  if ((await sha256File(orig)) !== ctx.sdist.sha256) throw new Py2pkgError('TOOL_FAILED', 'the copy of the sdist differs from the verified file');
  const fprs = verifyingFingerprints(ctx.provenance);
  const pgp = fprs.length > 0 && ctx.signaturePath !== undefined;
  if (pgp && ctx.signaturePath) await writeFile(`${orig}.asc`, await armoredSignature(await readFile(ctx.signaturePath)));
  const pgpKeys = pgp ? await exportSigningKeys(ctx.pinnedKeyFiles, fprs) : undefined;

  // the upstream tree (the unpack stage has already validated every entry of this archive)
  const env = toolEnv(ctx.sourceDateEpoch);
  await run(TAR, ['-x', '-f', orig, '-C', tree, '--strip-components=1', '--no-same-owner', '--no-same-permissions'], { env, timeoutMs: 10 * 60_000 });
  await rm(join(tree, 'debian'), { recursive: true, force: true });
  await writeDebianDir(ctx, tree, pgpKeys);

  ctx.progress(`dpkg-source -b ${treeName}`);
  const built = await run(DPKG_SOURCE, ['--abort-on-upstream-changes', '-b', treeName], { cwd: dir, env, timeoutMs: 10 * 60_000, check: false });
  if (built.exitCode !== 0)
    throw new Py2pkgError(
      'TOOL_FAILED',
      `dpkg-source -b failed: ${singleLine(
        built.stderr
          .split('\n')
          .filter((l) => /error/.test(l))
          .join(' ') || built.stderr,
        300,
      )}`,
      { detail: `${built.stdout}\n${built.stderr}` },
    );
  // dpkg-source checks the orig's signature against debian/upstream/signing-key.asc with gpgv
  // but only warns when it fails: here that is an error (the keys are the ones that verified it)
  if (pgp && /cannot verify upstream tarball signature/.test(built.stderr))
    throw new Py2pkgError(
      'TOOL_FAILED',
      `dpkg-source could not verify the upstream signature with debian/upstream/signing-key.asc: ${singleLine(built.stderr, 300)}`,
    );
  const dsc = join(dir, `${src}_${fileVersion}.dsc`);
  const debianTar = join(dir, `${src}_${fileVersion}.debian.tar.xz`);

  const signer = ctx.signer ? await openSigner(ctx.signer.spec) : undefined;
  const buildinfo = join(dir, `${src}_${fileVersion}_source.buildinfo`);
  const changes = join(dir, `${src}_${fileVersion}_source.changes`);
  try {
    if (signer) ctx.progress(`sign ${src}_${fileVersion}.dsc with ${signer.key.fingerprint}`);
    await sign(ctx, signer, dsc);
    // what a build farm's upload wants besides: .buildinfo and .changes, from the signed .dsc
    await run(DPKG_GENBUILDINFO, ['--build=source', `-O${buildinfo}`], { cwd: tree, env, timeoutMs: 5 * 60_000 });
    await sign(ctx, signer, buildinfo);
    await run(DPKG_GENCHANGES, ['--build=source', '-sa', `-O${changes}`], { cwd: tree, env, timeoutMs: 5 * 60_000 });
    await sign(ctx, signer, changes);
  } finally {
    await signer?.close();
  }

  const order: Array<[string, string]> = [
    [orig, 'orig'],
    ...(pgp ? ([[`${orig}.asc`, 'orig-signature']] as Array<[string, string]>) : []),
    [debianTar, 'debian-tarball'],
    [dsc, 'dsc'],
    [buildinfo, 'buildinfo'],
    [changes, 'changes'],
  ];
  const files: SourceFile[] = [];
  for (const [path, role] of order) {
    const final = join(ctx.outDir, path.slice(dir.length + 1));
    await copyAtomic(path, final);
    files.push({ path: final, role, sha256: await sha256File(final) });
  }
  return {
    format: 'deb',
    sourceName: src,
    version,
    path: join(ctx.outDir, `${src}_${fileVersion}.dsc`),
    files,
    ...(signer ? { signedBy: signer.key.fingerprint } : {}),
  };
}
