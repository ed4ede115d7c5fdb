/** What every packager does to the staged tree before handing it to its tool. */
import { chmod, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Py2pkgError } from '../errors.js';

/**
 * Same input, same bytes, whatever the umask: directories (`dir` itself too) 0755, files 0644 (0755 under `scriptsDir`, and under
 * `executablesDir` when the owner may execute it: the build stage left execute bits only on
 * scripts with a `#!` line there, src/python/shebangs.ts), every mtime set to
 * SOURCE_DATE_EPOCH (dpkg-deb and rpmbuild sort entries and clamp to it).
 * Anything but files and directories is refused: wheels cannot contain links or devices.
 */
export async function normalizeTree(dir: string, epoch: number, scriptsDir: string | undefined, executablesDir?: string): Promise<void> {
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const relPath = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(full, relPath);
        await chmod(full, 0o755);
      } else if (entry.isFile()) {
        const executable =
          (scriptsDir !== undefined && relPath.startsWith(`${scriptsDir}/`)) ||
          (executablesDir !== undefined && relPath.startsWith(`${executablesDir}/`) && ((await stat(full)).mode & 0o100) !== 0);
        await chmod(full, executable ? 0o755 : 0o644);
      } else {
        throw new Py2pkgError('BUILD_FAILED', `unexpected non-regular file in the staging tree: ${relPath}`);
      }
      await utimes(full, epoch, epoch);
    }
  };
  await walk(dir, '');
  // the root too: it is `./` in the data archive (and DEBIAN/, which dpkg-deb wants 0755-0775),
  // made by mkdir under the caller's umask (0700 under umask 077)
  await chmod(dir, 0o755);
  await utimes(dir, epoch, epoch);
}
