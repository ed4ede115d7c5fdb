/** The .deb format: staged files + rendered control files -> dpkg-deb --build. */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../exec.js';
import { debHelpers } from '../render/engine.js';
import { builtinTemplates, renderTemplate, warmTemplates } from '../render/templates.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { changelogData, controlData, debFullVersion, debPackageName } from './deb-data.js';
import { copyrightData } from './deb-copyright.js';
import { normalizeTree } from './staging.js';
import { dpkgArchitecture, pythonAbiDepends, shlibDepends, stripWithDebugSymbols, type SplitDebug } from './deb-binary.js';
import { buildDbgsymDeb, dbgsymName } from './deb-dbgsym.js';
import { longDescription } from '../description/index.js';
import { writeProvenanceDocs, type PackageInput, type PackageOutput, type Packager } from './packager.js';
import { removeOnInterrupt } from '../interrupt.js';

export const DPKG_DEB = '/usr/bin/dpkg-deb';

/** The version part of a .deb file name drops the epoch (Debian's convention). */
export function debFileName(meta: PythonMetadata, target: TargetProfile, arch = 'all'): string {
  const version = debFullVersion(meta, target).replace(/^\d+:/, '');
  return `${debPackageName(meta)}_${version}_${arch}.deb`;
}

/**
 * The one lintian tag that cannot apply to an organization's internal package, overridden in
 * the package with the reason (as Debian policy asks of overrides); nothing else is.
 */
export const LINTIAN_OVERRIDES: ReadonlyArray<{ tag: string; why: string }> = [
  {
    tag: 'initial-upload-closes-no-bugs',
    why: "py2pkg packages go to an organization's own repository, not to Debian's archive: there is no Debian ITP bug to close",
  },
];

async function writeLintianOverrides(root: string, pkg: string): Promise<void> {
  const dir = join(root, 'usr/share/lintian/overrides');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, pkg), LINTIAN_OVERRIDES.map((o) => `# ${o.why}\n${pkg}: ${o.tag}\n`).join(''));
}

/** the templates build() renders, all with debHelpers */
const DEB_TEMPLATES = ['deb/control.hbs', 'deb/copyright.hbs', 'deb/changelog.hbs', 'deb/postinst.hbs', 'deb/prerm.hbs'];

export const debPackager: Packager = {
  format: 'deb',
  fileName: debFileName,
  warm: (templates) => warmTemplates(templates, DEB_TEMPLATES, debHelpers),
  async build(input: PackageInput): Promise<PackageOutput> {
    const { metadata: meta, target } = input;
    const pkg = debPackageName(meta);
    const description = input.description ?? (await longDescription(meta)).text;
    const templates = input.templates ?? (await builtinTemplates('deb'));
    const provenance = { ...input.provenance, templates: { digest: templates.digest, source: templates.source } };
    const root = input.build.stagingRoot;
    // extension modules (a build for the host's own target): the host's architecture, the
    // debug symbols split off into a -dbgsym tree, stripped, Depends from dpkg-shlibdeps and
    // the Python ABI (src/formats/deb-binary.ts)
    const arch = input.build.pure ? 'all' : await dpkgArchitecture();
    const binaryDepends: string[] = [];
    const debugRoot = join(input.workDir, 'dbgsym-root');
    let split: SplitDebug = { buildIds: [], withoutBuildId: [] };
    if (!input.build.pure) {
      const objects = input.build.extensionModules.map((p) => join(root, p.replace(/^\/+/, '')));
      split = await stripWithDebugSymbols(objects, debugRoot);
      binaryDepends.push(...pythonAbiDepends(target.pythonVersion), ...(await shlibDepends(pkg, objects, input.workDir)));
    }
    const notes = split.withoutBuildId.map((f) => `${f.slice(root.length)} has no GNU build id (link with -Wl,--build-id): stripped without a debug file`);
    const docDir = join(root, 'usr/share/doc', pkg);
    await mkdir(docDir, { recursive: true });

    // documentation: copyright, changelog.Debian.gz, provenance.json, sbom.cdx.json
    await writeFile(
      join(docDir, 'copyright'),
      await renderTemplate(
        templates,
        'deb/copyright.hbs',
        copyrightData(meta, provenance, input.licenseTexts, input.sourceNotices, {
          year: new Date(input.sourceDateEpoch * 1000).getUTCFullYear(),
          maintainer: input.maintainer,
        }),
        debHelpers,
      ),
    );
    const changelog = await renderTemplate(
      templates,
      'deb/changelog.hbs',
      changelogData(meta, target, provenance, input.maintainer, input.sourceDateEpoch, input.toolVersion, input.dependencies),
      debHelpers,
    );
    await writeFile(join(docDir, 'changelog.Debian.gz'), gzipSync(Buffer.from(changelog, 'utf8'), { level: 9 }));
    await writeProvenanceDocs(docDir, { ...input, provenance }, { format: 'deb', name: pkg, version: debFullVersion(meta, target), arch });
    await writeLintianOverrides(root, pkg);

    // control area
    const controlDir = join(root, 'DEBIAN');
    await mkdir(controlDir, { recursive: true });
    await normalizeTree(root, input.sourceDateEpoch, target.scriptsDir, target.siteDir);
    const payload = await listPayload(root);
    await writeFile(join(controlDir, 'md5sums'), payload.files.map((f) => `${f.md5}  ${f.rel}\n`).join(''));
    const data = controlData(meta, target, input.maintainer, payload.installedSizeKiB, description, input.dependencies);
    const control = await renderTemplate(
      templates,
      'deb/control.hbs',
      { ...data, architecture: arch, depends: [...binaryDepends, ...data.depends] },
      debHelpers,
    );
    await writeFile(join(controlDir, 'control'), control);
    const scriptData = { package: pkg, siteDir: target.siteDir };
    await writeFile(join(controlDir, 'postinst'), await renderTemplate(templates, 'deb/postinst.hbs', scriptData, debHelpers));
    await writeFile(join(controlDir, 'prerm'), await renderTemplate(templates, 'deb/prerm.hbs', scriptData, debHelpers));
    await normalizeTree(controlDir, input.sourceDateEpoch, undefined);
    await chmod(join(controlDir, 'postinst'), 0o755);
    await chmod(join(controlDir, 'prerm'), 0o755);

    // dpkg-deb writes temp names in the output dir; renames make them appear whole, the
    // -dbgsym package first so that the main one is never there without it
    const version = debFullVersion(meta, target);
    const finalName = debFileName(meta, target, arch);
    const finalPath = join(input.outDir, finalName);
    const tmpPath = join(input.outDir, `.${finalName}.${process.pid}.partial`);
    const dbgName = `${dbgsymName(pkg)}_${version.replace(/^\d+:/, '')}_${arch}.deb`;
    const dbgPath = split.buildIds.length > 0 ? join(input.outDir, dbgName) : undefined;
    const dbgTmp = join(input.outDir, `.${dbgName}.${process.pid}.partial`);
    const releases = [removeOnInterrupt(tmpPath), removeOnInterrupt(dbgTmp)];
    try {
      await run(DPKG_DEB, ['--root-owner-group', `-Z${target.compression}`, '--build', root, tmpPath], {
        env: { SOURCE_DATE_EPOCH: String(input.sourceDateEpoch) },
        timeoutMs: 10 * 60_000,
      });
      if (dbgPath !== undefined) {
        const control = { package: pkg, version, architecture: arch, maintainer: input.maintainer, buildIds: split.buildIds };
        await buildDbgsymDeb({ root: debugRoot, control, sourceDateEpoch: input.sourceDateEpoch, compression: target.compression, outPath: dbgTmp }, DPKG_DEB);
        await rename(dbgTmp, dbgPath);
      }
      await rename(tmpPath, finalPath);
    } catch (e) {
      await rm(tmpPath, { force: true });
      await rm(dbgTmp, { force: true });
      if (dbgPath !== undefined) await rm(dbgPath, { force: true });
      throw e;
    } finally {
      for (const release of releases) release();
    }
    const debugSymbols = dbgPath !== undefined ? { format: 'deb', path: dbgPath, packageName: dbgsymName(pkg), version } : undefined;
    return { format: 'deb', path: finalPath, packageName: pkg, version, ...(debugSymbols ? { debugSymbols } : {}), ...(notes.length > 0 ? { notes } : {}) };
  },
};

interface Payload {
  files: Array<{ rel: string; md5: string }>;
  installedSizeKiB: number;
}

/** md5sums entries and Installed-Size (KiB, as dpkg-gencontrol counts: files rounded up, 1 per dir). */
async function listPayload(root: string): Promise<Payload> {
  const files: Array<{ rel: string; md5: string }> = [];
  let kib = 0;
  const walk = async (d: string, rel: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (relPath === 'DEBIAN') continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        kib += 1;
        await walk(full, relPath);
      } else {
        const st = await stat(full);
        kib += Math.ceil(st.size / 1024);
        files.push({
          rel: relPath,
          md5: createHash('md5')
            .update(await readFile(full))
            .digest('hex'),
        });
      }
    }
  };
  await walk(root, '');
  return { files, installedSizeKiB: Math.max(kib, 1) };
}
