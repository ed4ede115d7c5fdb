/**
 * What `py2pkg outdated` checks: the upstream releases a repository or a lock holds. A
 * repository (Apt or Yum, made by py2pkg publish) is read through src/repo/origins.ts (the
 * packages' own provenance.json, cached by file digest); a py2pkg.lock through
 * src/lock/lockfile.ts. Several packages of one release (a -dbgsym, two suites) are one item.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { readLock } from '../lock/lockfile.js';
import { canonicalizeName } from '../python/pep508-types.js';
import { packageOrigins, repoPackages } from '../repo/origins.js';
import { readMarker } from '../repo/repo-dir.js';
import { compareText } from '../text-order.js';

export interface Item {
  project: string;
  version: string;
  sdist: string;
  evidence: Array<{ method: string; identity: string }>;
  rule: string | null;
  /** the package files (repository-relative paths, or the lock's file names) */
  packages: string[];
}

export interface Inventory {
  from: { kind: 'apt' | 'yum' | 'lock'; path: string };
  items: Item[];
  /** packages without provenance (not made by py2pkg): listed, not checked */
  unknown: string[];
}

function merge(items: Item[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const it of items) {
    const key = `${it.project}\u0000${it.version}`;
    const had = byKey.get(key);
    if (had) had.packages.push(...it.packages.filter((p) => !had.packages.includes(p)));
    else byKey.set(key, { ...it, packages: [...it.packages] });
  }
  return [...byKey.values()].sort((a, b) => compareText(a.project, b.project) || compareText(a.version, b.version));
}

export async function repoInventory(dir: string): Promise<Inventory> {
  const marker = await readMarker(dir);
  if (!marker)
    throw new Py2pkgError('REPO_INVALID', `${singleLine(dir, 200)} is not a py2pkg repository (no .py2pkg/repo.json)`, {
      hint: 'pass a repository directory py2pkg publish made, or --lock FILE',
    });
  const pkgs = await repoPackages(dir, marker.kind);
  const origins = await packageOrigins(dir, pkgs);
  const items: Item[] = [];
  const unknown: string[] = [];
  for (const p of pkgs) {
    const o = origins.get(p.filename);
    if (!o || !o.version) {
      unknown.push(p.filename);
      continue;
    }
    items.push({ project: o.project, version: o.version, sdist: o.sdist, evidence: o.evidence, rule: o.rule, packages: [p.filename] });
  }
  return { from: { kind: marker.kind, path: dir }, items: merge(items), unknown };
}

export async function lockInventory(path: string): Promise<Inventory> {
  const lock = await readLock(path);
  const items = lock.packages.map((e) => ({
    project: canonicalizeName(e.project),
    version: e.version,
    sdist: String(e.sdist.filename),
    evidence: Array.isArray(e.evidence) ? e.evidence : [],
    rule: typeof e.rule === 'string' ? e.rule : null,
    packages: e.files.map((f) => f.name),
  }));
  return { from: { kind: 'lock', path }, items: merge(items), unknown: [] };
}

/** A repository directory, or --lock FILE. */
export async function inventory(target: { repo?: string; lock?: string }): Promise<Inventory> {
  if (target.lock !== undefined) return lockInventory(target.lock);
  const dir = target.repo ?? '';
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new Py2pkgError('INPUT_NOT_FOUND', `${singleLine(dir, 200)} is not a directory`, {
      hint: 'pass a repository directory py2pkg publish made, or --lock FILE',
    });
  if (!(await stat(join(dir, '.py2pkg')).catch(() => undefined)))
    throw new Py2pkgError('REPO_INVALID', `${singleLine(dir, 200)} is not a py2pkg repository (no .py2pkg/)`, {
      hint: 'pass a repository directory py2pkg publish made, or --lock FILE',
    });
  return repoInventory(dir);
}
