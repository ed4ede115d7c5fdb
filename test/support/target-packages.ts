/**
 * Every fixture packaged for every target profile, cheaply: each fixture is verified,
 * unpacked, inspected and built in the sandbox ONCE (the pipeline's own stage functions,
 * in-process), then for each profile its staging tree is copied, the site directory moved
 * to where the profile puts it, and the profile's real packager (dpkg-deb / rpmbuild) run
 * on it. The build stage's output differs between profiles only in that directory, so this
 * gives the packages the CLI would — test/integration/targets-golden.test.ts checks that
 * byte for byte against the CLI's own conversions for debian12 and el9.
 *
 * Kept in .cache/test-targets/ with a manifest, reused while the sdists and the built
 * py2pkg are unchanged. The rendered control files / specs are kept for the golden test.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { debPackager } from '../../src/formats/deb.js';
import type { Packager } from '../../src/formats/packager.js';
import { rpmPackager } from '../../src/formats/rpm.js';
import { buildRecord, packagedProvenance, sha256File, verifyStage } from '../../src/pipeline.js';
import { loadTemplates } from '../../src/render/templates.js';
import { buildStage, listFiles, type BuildResult } from '../../src/python/build.js';
import { addManPages } from '../../src/python/manpages.js';
import { resolveSettings } from '../../src/settings.js';
import { checkRequiresPython, inspectSource, mergeWheelMetadata } from '../../src/sdist/inspect.js';
import { unpackSdist } from '../../src/sdist/unpack.js';
import { formatOf, profiles, type TargetProfile } from '../../src/targets/profiles.js';
import { isPy2pkgError } from '../../src/errors.js';
import { toolVersion } from '../../src/version.js';
import { isRefused, TEST_EPOCH, TEST_MAINTAINER } from './fixture-debs.js';
import { builtStamp } from './fixture-rpms.js';
import { allFixtureSdists, cacheDir, upstreamPub } from './project.js';

export interface TargetPackage {
  profile: string;
  /** sdist file name without .tar.gz, e.g. rpc4django-0.6.3 */
  fixture: string;
  /** set when the profile refuses the fixture (e.g. Requires-Python): the error's one line */
  refused?: string;
  path?: string;
  packageName?: string;
  version?: string;
  /** rendered files for the golden test: deb `control` + `changelog`, rpm `spec` */
  rendered: Record<string, string>;
}

export const targetsDir = join(cacheDir, 'test-targets');
/** The built-in profiles, in their listing order. */
export const PROFILE_IDS = Object.keys(profiles);

const packagers: Record<'deb' | 'rpm', Packager> = { deb: debPackager, rpm: rpmPackager };

export const fixtureStem = (sdist: string): string => basename(sdist).replace(/\.(tar\.gz|zip)$/, '');

function stamp(sdists: string[]): string {
  const h = createHash('sha256');
  for (const s of sdists) h.update(`${basename(s)} ${createHash('sha256').update(readFileSync(s)).digest('hex')}\n`);
  h.update(builtStamp());
  return h.digest('hex');
}

let memo: Promise<TargetPackage[]> | undefined;

export function targetPackages(): Promise<TargetPackage[]> {
  memo ??= buildAll();
  return memo;
}

async function buildAll(): Promise<TargetPackage[]> {
  const sdists = allFixtureSdists().filter((s) => !isRefused(s));
  const manifestPath = join(targetsDir, 'manifest.json');
  const want = stamp(sdists);
  if (existsSync(manifestPath)) {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { stamp: string; packages: TargetPackage[] };
    if (m.stamp === want && m.packages.every((p) => p.refused !== undefined || (p.path !== undefined && existsSync(p.path)))) return m.packages;
  }
  await rm(targetsDir, { recursive: true, force: true });
  for (const id of PROFILE_IDS) await mkdir(join(targetsDir, id), { recursive: true });
  const out: TargetPackage[] = [];
  for (const sdist of sdists) out.push(...(await packageForEveryProfile(sdist)));
  await writeFile(manifestPath, JSON.stringify({ stamp: want, packages: out }, null, 2));
  return out;
}

/** The path of a file below a staging root. */
const inRoot = (root: string, path: string) => join(root, path.replace(/^\/+/, ''));

async function packageForEveryProfile(sdistPath: string): Promise<TargetPackage[]> {
  const env = { SOURCE_DATE_EPOCH: TEST_EPOCH, HOME: process.env.HOME ?? '/root' };
  const base = profiles.debian12 as TargetProfile;
  const settings = await resolveSettings(
    sdistPath,
    { format: 'deb', target: base.id, trustedKeys: upstreamPub, maintainer: TEST_MAINTAINER, config: '/dev/null' },
    env,
  );
  const st = await stat(sdistPath);
  const sdist = { path: sdistPath, filename: basename(sdistPath), sha256: await sha256File(sdistPath), size: st.size };
  const provenance = await verifyStage(sdist, settings);
  const work = await mkdtemp(join(tmpdir(), 'py2pkg-targets-'));
  try {
    await mkdir(join(work, 'unpack'), { mode: 0o700 });
    const unpacked = await unpackSdist(sdist.path, join(work, 'unpack'), { maxBytes: settings.maxUnpackedBytes });
    const source = await inspectSource(unpacked.root, sdist.filename);
    const epoch = Number(TEST_EPOCH);
    const wheelBuilt = await buildStage({
      sourceRoot: unpacked.root,
      workDir: join(work, 'build'),
      target: base,
      sourceDateEpoch: epoch,
      timeoutMs: 15 * 60_000,
    });
    const metadata = mergeWheelMetadata(source.metadata, wheelBuilt.wheelMetadata);
    // as the pipeline does: man pages for the programs (/usr/share/man is the same for every profile)
    const { build: built } = await addManPages({
      build: wheelBuilt,
      meta: metadata,
      target: base,
      sourceDateEpoch: epoch,
      timeoutMs: 15 * 60_000,
      workDir: join(work, 'build'),
    });

    const results: TargetPackage[] = [];
    for (const id of PROFILE_IDS) {
      const target = profiles[id] as TargetProfile;
      const fixture = fixtureStem(sdistPath);
      try {
        checkRequiresPython(metadata, target);
      } catch (e) {
        if (!isPy2pkgError(e)) throw e;
        results.push({ profile: id, fixture, refused: e.oneLine(), rendered: {} });
        continue;
      }
      const pwork = join(work, id);
      await mkdir(pwork);
      const relocated = await relocate(built, base, target, join(pwork, 'staging'));
      const output = await packagers[formatOf(target)].build({
        metadata,
        // as the pipeline does: the provenance without the route, and the build record for this profile
        provenance: {
          ...packagedProvenance(provenance),
          build: buildRecord({
            format: formatOf(target),
            target,
            maintainer: settings.maintainer,
            dependencies: settings.dependencies,
            templates: await loadTemplates(formatOf(target)),
            sourceDateEpoch: epoch,
            fromEnvironment: true,
          }),
        },
        build: relocated,
        target,
        maintainer: settings.maintainer,
        sourceDateEpoch: epoch,
        outDir: join(targetsDir, id),
        licenseTexts: source.licenseTexts,
        sourceNotices: source.sourceNotices,
        toolVersion: toolVersion(),
        workDir: pwork,
      });
      const rendered: Record<string, string> = {};
      if (formatOf(target) === 'deb') {
        rendered.control = await readFile(join(relocated.stagingRoot, 'DEBIAN', 'control'), 'utf8');
        const changelog = inRoot(relocated.stagingRoot, `/usr/share/doc/${output.packageName}/changelog.Debian.gz`);
        rendered.changelog = gunzipSync(await readFile(changelog)).toString('utf8');
      } else {
        rendered.spec = await readFile(join(pwork, 'rpmbuild', 'SPECS', `${output.packageName}.spec`), 'utf8');
      }
      results.push({ profile: id, fixture, path: output.path, packageName: output.packageName, version: output.version, rendered });
    }
    return results;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A copy of the build's staging tree with the site directory where `to` puts it. */
async function relocate(built: BuildResult, from: TargetProfile, to: TargetProfile, root: string): Promise<BuildResult> {
  await cp(built.stagingRoot, root, { recursive: true, preserveTimestamps: true });
  if (from.siteDir !== to.siteDir) {
    const dest = inRoot(root, to.siteDir);
    await mkdir(dirname(dest), { recursive: true });
    await rename(inRoot(root, from.siteDir), dest);
    // drop the directories the move emptied (e.g. /usr/lib/python3 when dist-packages moved)
    for (let d = dirname(inRoot(root, from.siteDir)); d.length > root.length; d = dirname(d)) {
      if (
        !(await rmdir(d).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
  const move = (p: string) => (p.startsWith(`${from.siteDir}/`) ? `${to.siteDir}${p.slice(from.siteDir.length)}` : p);
  return { ...built, stagingRoot: root, files: await listFiles(root), distInfoDir: move(built.distInfoDir) };
}
