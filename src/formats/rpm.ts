/**
 * The RPM format: staged files + rendered spec -> `rpmbuild -bb` in a private _topdir.
 * Nothing of the project is built here: %install copies the staging root the build stage
 * made, and the spec (rpm-data.ts + templates/rpm/package.spec.hbs) lists exactly those files.
 *
 * Reproducible: the same staged files and SOURCE_DATE_EPOCH give the same bytes — fixed
 * build host, build time and file times from SOURCE_DATE_EPOCH, single-threaded payload
 * compression, no build-id links, no brp scripts, and a private HOME so no ~/.rpmmacros
 * of the caller leaks in.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { run } from '../exec.js';
import { builtinTemplates, renderTemplate, warmTemplates } from '../render/templates.js';
import { rpmHelpers } from '../render/rpmspec.js';
import type { Compression } from '../targets/profiles.js';
import { writeProvenanceDocs, type LicenseText, type PackageInput, type PackageOutput, type Packager } from './packager.js';
import { isDistInfoLicense, rpmEVR, rpmFileName, rpmFullVersion, rpmPackageName, specData, type StagedEntry } from './rpm-data.js';
import { normalizeTree } from './staging.js';
import { longDescription } from '../description/index.js';
import { viaTemp } from '../repo/fsutil.js';

export const RPMBUILD = '/usr/bin/rpmbuild';

/** rpm's payload compressor names; single-threaded so the bytes do not depend on the CPU count. */
export const PAYLOAD: Readonly<Record<Compression, string>> = { xz: 'w9.xzdio', zstd: 'w19.zstdio', gzip: 'w9.gzdio' };

/** The fixed macro definitions of every rpmbuild run (besides the paths). */
export function rpmbuildDefines(compression: Compression): Array<[string, string]> {
  return [
    ['_buildhost', 'py2pkg'],
    ['source_date_epoch_from_changelog', '0'], // SOURCE_DATE_EPOCH comes from the environment, to the second
    ['use_source_date_epoch_as_buildtime', '1'],
    ['clamp_mtime_to_source_date_epoch', '1'],
    ['_build_id_links', 'none'],
    ['debug_package', '%{nil}'],
    ['__os_install_post', '%{nil}'], // no brp scripts: no stripping, compressing or byte-compiling
    ['__arch_install_post', '%{nil}'],
    ['_binary_payload', PAYLOAD[compression]],
    ['_binary_filedigest_algorithm', '8'], // SHA-256
    ['_unpackaged_files_terminate_build', '1'],
    ['_missing_doc_files_terminate_build', '1'],
  ];
}

/** Paths that go into a --define must not carry anything a macro or the %install shell reads. */
function safeDir(path: string): string {
  if (!/^\/[A-Za-z0-9._/+-]+$/.test(path))
    throw new Py2pkgError('TOOL_FAILED', `the work directory ${JSON.stringify(path)} has characters rpmbuild cannot take; set TMPDIR to a plain path`);
  return path;
}

export const rpmPackager: Packager = {
  format: 'rpm',
  fileName: rpmFileName,
  warm: (templates) => warmTemplates(templates, ['rpm/package.spec.hbs'], rpmHelpers),
  async build(input: PackageInput): Promise<PackageOutput> {
    if (!existsSync(RPMBUILD)) throw new Py2pkgError('TOOL_MISSING', `rpmbuild is not installed (${RPMBUILD}), --format rpm needs it: apt-get install rpm`);
    const { metadata: meta, target } = input;
    const pkg = rpmPackageName(meta, target);
    const root = input.build.stagingRoot;
    const templates = input.templates ?? (await builtinTemplates('rpm'));
    const provenance = { ...input.provenance, templates: { digest: templates.digest, source: templates.source } };

    // documentation: the provenance record beside the deb's, licenses as %license
    const docDir = join(root, 'usr/share/doc', pkg);
    await mkdir(docDir, { recursive: true });
    await writeProvenanceDocs(docDir, { ...input, provenance }, { format: 'rpm', name: pkg, version: rpmFullVersion(rpmEVR(meta, target)), arch: 'noarch' });
    const distInfoHasLicense = input.build.files.some((f) => isDistInfoLicense(f.path, input.build.distInfoDir));
    if (!distInfoHasLicense) await writeLicenses(join(root, 'usr/share/licenses', pkg), input.licenseTexts);

    await normalizeTree(root, input.sourceDateEpoch, target.scriptsDir, target.siteDir);
    const staged = await listStaged(root);
    const spec = await renderTemplate(
      templates,
      'rpm/package.spec.hbs',
      specData({
        meta,
        target,
        provenance,
        maintainer: input.maintainer,
        sourceDateEpoch: input.sourceDateEpoch,
        toolVersion: input.toolVersion,
        staged,
        distInfoDir: input.build.distInfoDir,
        dependencies: input.dependencies,
        description: input.description ?? (await longDescription(meta)).text,
        licenseTexts: input.licenseTexts,
      }),
      rpmHelpers,
    );

    const top = join(input.workDir, 'rpmbuild');
    for (const d of ['SPECS', 'BUILD', 'BUILDROOT', 'RPMS', 'tmp', 'home']) await mkdir(join(top, d), { recursive: true, mode: 0o700 });
    const specPath = join(top, 'SPECS', `${pkg}.spec`);
    await writeFile(specPath, spec);
    const defines: Array<[string, string]> = [
      ['_topdir', safeDir(top)],
      ['_builddir', `${top}/BUILD`],
      ['_buildrootdir', `${top}/BUILDROOT`],
      ['_rpmdir', `${top}/RPMS`],
      ['_tmppath', `${top}/tmp`],
      ['py2pkg_staging', safeDir(root)],
      ...rpmbuildDefines(target.compression),
    ];
    await run(RPMBUILD, ['-bb', '--nodeps', ...defines.flatMap(([k, v]) => ['--define', `${k} ${v}`]), specPath], {
      env: { SOURCE_DATE_EPOCH: String(input.sourceDateEpoch), HOME: join(top, 'home'), TZ: 'UTC' },
      timeoutMs: 10 * 60_000,
    });

    // rpmbuild wrote into the private topdir; copy under a temporary name, rename into place
    const finalName = rpmFileName(meta, target);
    const built = join(top, 'RPMS', 'noarch', finalName);
    const finalPath = join(input.outDir, finalName);
    const tmpPath = join(input.outDir, `.${finalName}.${process.pid}.partial`);
    try {
      await viaTemp(tmpPath, async () => {
        await copyFile(built, tmpPath);
        await rename(tmpPath, finalPath);
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Py2pkgError('TOOL_FAILED', `rpmbuild did not write ${finalName}`);
      throw e;
    }
    return { format: 'rpm', path: finalPath, packageName: pkg, version: rpmFullVersion(rpmEVR(meta, target)) };
  },
};

/** License texts from the sdist, when the wheel's .dist-info carries none. */
async function writeLicenses(dir: string, texts: LicenseText[]): Promise<void> {
  const seen = new Set<string>();
  for (const t of texts) {
    const name = basename(t.name);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || seen.has(name)) continue;
    seen.add(name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), t.text);
  }
}

/** Every file and directory below the staging root, as package paths, sorted. */
export async function listStaged(root: string): Promise<StagedEntry[]> {
  const out: StagedEntry[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out.push({ path, type: 'dir' });
        await walk(join(d, entry.name), path);
      } else out.push({ path, type: 'file' });
    }
  };
  await walk(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
