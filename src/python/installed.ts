/**
 * What the system Python has installed, read from the file system (no Python process: this
 * runs on every conversion and a Python start-up that imports setuptools costs ~200 ms).
 * Looks where Debian's /usr/bin/python3 looks: dist-packages under /usr/lib/python3 and
 * /usr/local/lib/python3.X, and the standard library.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function sitePaths(pythonVersion: string): string[] {
  return [
    `/usr/local/lib/python${pythonVersion}/dist-packages`,
    '/usr/lib/python3/dist-packages',
    `/usr/lib/python${pythonVersion}/dist-packages`,
    `/usr/lib/python${pythonVersion}`,
  ];
}

const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** PEP 503-normalized names of the installed distributions (from *.dist-info / *.egg-info). */
export function installedDistributions(paths: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const dir of paths) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = /^(.+?)(-[^-]+?)?(-py\d[.\d]*)?\.(dist-info|egg-info)$/.exec(entry);
      if (m) names.add(normalize(m[1] as string));
    }
  }
  return names;
}

/** Whether `module.path[:object]` can be imported: module file or package dir on a site path. */
export function moduleExists(modulePath: string, paths: readonly string[]): boolean {
  const parts = (modulePath.split(':')[0] ?? '').split('.');
  if (parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return false;
  const rel = join(...parts);
  return paths.some((dir) => existsSync(join(dir, `${rel}.py`)) || existsSync(join(dir, rel, '__init__.py')) || existsSync(join(dir, rel)));
}

/** The distribution name a requirement string names (`setuptools>=61`, `hatch-vcs[x]`). */
export function requirementName(req: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(req);
  return m ? normalize(m[1] as string) : undefined;
}
