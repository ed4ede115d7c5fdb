/** py2pkg's own version, and the versions of the libraries it records in provenance. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { projectRoot } from './paths.js';

let cached: string | undefined;
export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

const installed = new Map<string, string>();

/**
 * The installed version of an npm package, read from its package.json, found by walking up from
 * its entry point (packages need not export package.json).
 */
export function installedPackageVersion(name: string): string {
  const known = installed.get(name);
  if (known !== undefined) return known;
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === name && typeof pkg.version === 'string') {
        installed.set(name, pkg.version);
        return pkg.version;
      }
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of the installed ${name} module`);
    dir = parent;
  }
}
