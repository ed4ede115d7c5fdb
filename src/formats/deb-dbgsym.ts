/**
 * The `<pkg>-dbgsym` companion of an architecture-specific .deb, as debhelper makes it
 * (dh_strip + dh_gencontrol + dh_builddeb): the debug files split off the extension modules
 * (deb-binary.ts stripWithDebugSymbols) under /usr/lib/debug/.build-id/, the documentation
 * directory a symlink to the main package's, and the control fields dh_gencontrol writes for
 * it (Auto-Built-Package: debug-symbols, Section: debug, Depends on the exact version,
 * Build-Ids). The control text is fixed by debhelper's convention, so it is written here, not
 * through a user template.
 */
import { createHash } from 'node:crypto';
import { lstat, lutimes, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../exec.js';
import { fieldValue } from '../render/deb822.js';
import { normalizeTree } from './staging.js';

export interface DbgsymControl {
  /** the main package's name */
  package: string;
  version: string;
  architecture: string;
  maintainer: string;
  installedSizeKiB: number;
  buildIds: readonly string[];
}

/** The dbgsym package's name: `<pkg>-dbgsym`. */
export const dbgsymName = (pkg: string): string => `${pkg}-dbgsym`;

/**
 * The control file in dpkg-gencontrol's field order, as debhelper 13 writes it for a
 * package whose source is named like the package itself (py2pkg's main control carries no
 * Source field, so its source is its own name).
 */
export function dbgsymControl(c: DbgsymControl): string {
  return [
    `Package: ${dbgsymName(c.package)}`,
    `Source: ${c.package}`,
    `Version: ${c.version}`,
    'Auto-Built-Package: debug-symbols',
    `Architecture: ${c.architecture}`,
    `Maintainer: ${fieldValue(c.maintainer)}`,
    `Installed-Size: ${c.installedSizeKiB}`,
    `Depends: ${c.package} (= ${c.version})`,
    'Section: debug',
    'Priority: optional',
    `Description: debug symbols for ${c.package}`,
    `Build-Ids: ${[...c.buildIds].sort().join(' ')}`,
    '',
  ].join('\n');
}

export interface DbgsymBuild {
  /** the tree holding usr/lib/debug/.build-id/… (stripWithDebugSymbols' debugRoot) */
  root: string;
  control: Omit<DbgsymControl, 'installedSizeKiB'>;
  sourceDateEpoch: number;
  compression: string;
  /** where dpkg-deb writes (a temp name the caller renames into place) */
  outPath: string;
}

/** Lay out the rest of the dbgsym tree (doc symlink, DEBIAN/) and run dpkg-deb --build. */
export async function buildDbgsymDeb(b: DbgsymBuild, dpkgDeb: string): Promise<void> {
  const pkg = b.control.package;
  const docDir = join(b.root, 'usr/share/doc');
  await mkdir(docDir, { recursive: true });
  await normalizeTree(b.root, b.sourceDateEpoch, undefined);
  // dh_strip: usr/share/doc/<pkg>-dbgsym -> <pkg> (the copyright and changelog are the main package's)
  const link = join(docDir, dbgsymName(pkg));
  await symlink(pkg, link);
  await lutimes(link, b.sourceDateEpoch, b.sourceDateEpoch);
  // DEBIAN/ exists (empty) when dpkg-gencontrol counts Installed-Size under debhelper
  const controlDir = join(b.root, 'DEBIAN');
  await mkdir(controlDir);
  const { md5sums, kib } = await payloadOf(b.root);
  await writeFile(join(controlDir, 'control'), dbgsymControl({ ...b.control, installedSizeKiB: kib }));
  await writeFile(join(controlDir, 'md5sums'), md5sums);
  await normalizeTree(controlDir, b.sourceDateEpoch, undefined);
  await run(dpkgDeb, ['--root-owner-group', `-Z${b.compression}`, '--build', b.root, b.outPath], {
    env: { SOURCE_DATE_EPOCH: String(b.sourceDateEpoch) },
    timeoutMs: 10 * 60_000,
  });
}

/** md5sums of the regular files and Installed-Size as dpkg-gencontrol counts it (links by size, dirs 1 KiB). */
async function payloadOf(root: string): Promise<{ md5sums: string; kib: number }> {
  const lines: string[] = [];
  let kib = 1; // the root directory itself, as find(1) visits it
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = await lstat(full);
      if (st.isDirectory()) {
        kib += 1;
        await walk(full, relPath);
      } else {
        kib += Math.ceil(st.size / 1024);
        if (st.isFile())
          lines.push(
            `${createHash('md5')
              .update(await readFile(full))
              .digest('hex')}  ${relPath}\n`,
          );
      }
    }
  };
  await walk(root, '');
  return { md5sums: lines.join(''), kib };
}
