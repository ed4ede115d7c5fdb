/**
 * A package's build record: provenance.json read from the package with the distribution's own
 * tools (src/trust/chain.ts), its `build` object checked field by field (it is data from a
 * file someone handed us), and the recorded sdist.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isPy2pkgError, Py2pkgError, singleLine } from '../errors.js';
import { packageDocs } from '../trust/chain.js';
import type { BuildRecord, Provenance } from '../types.js';

export interface PackageRecord {
  path: string;
  format: 'deb' | 'rpm';
  provenance: Provenance;
  build: BuildRecord;
}

export function formatOfPath(path: string): 'deb' | 'rpm' {
  if (path.endsWith('.deb')) return 'deb';
  if (path.endsWith('.rpm')) return 'rpm';
  throw new Py2pkgError('USAGE', `verify --rebuild takes a .deb or .rpm file, not ${singleLine(basename(path), 120)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Check a parsed `build` object (pure); the reason it is unusable, or undefined. */
export function buildRecordProblem(b: unknown, format: 'deb' | 'rpm'): string | undefined {
  if (b === undefined) return 'provenance.json has no "build" record';
  if (!isObject(b)) return '"build" is not an object';
  if (typeof b.py2pkg !== 'string') return '"build.py2pkg" is missing';
  if (b.format !== format) return `"build.format" is ${JSON.stringify(b.format)}, the file is a .${format}`;
  const t = b.target;
  if (!isObject(t) || typeof t.id !== 'string' || typeof t.pythonVersion !== 'string' || typeof t.family !== 'string' || !isObject(t.markerEnvironment))
    return '"build.target" is not a target profile';
  if (typeof b.maintainer !== 'string') return '"build.maintainer" is missing';
  const d = b.dependencies;
  if (!isObject(d) || !isStringList(d.withExtras) || !isStringList(d.extraDepends) || !isStringList(d.dropDepends) || !isObject(d.dependsMap))
    return '"build.dependencies" is malformed';
  const tp = b.templates;
  if (!isObject(tp) || typeof tp.digest !== 'string' || (tp.source !== 'builtin' && tp.source !== 'dir')) return '"build.templates" is malformed';
  if (typeof b.sourceDateEpoch !== 'number' || !Number.isInteger(b.sourceDateEpoch) || b.sourceDateEpoch < 0)
    return '"build.sourceDateEpoch" is not a whole number';
  if (b.sourceDateEpochFrom !== 'environment' && b.sourceDateEpochFrom !== 'sdist') return '"build.sourceDateEpochFrom" is malformed';
  return undefined;
}

export async function readPackageRecord(path: string): Promise<PackageRecord> {
  const format = formatOfPath(path);
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new Py2pkgError('INPUT_NOT_FOUND', `no such package file: ${singleLine(path, 200)}`);
  let docs: Map<string, Buffer>;
  try {
    docs = await packageDocs(path, format);
  } catch (e) {
    if (isPy2pkgError(e) && e.code === 'TOOL_FAILED')
      throw new Py2pkgError('PACKAGE_INVALID', `${singleLine(basename(path), 120)} cannot be read as a .${format}: ${singleLine(e.message, 200)}`);
    throw e;
  }
  const bytes = docs.get('provenance.json');
  const name = basename(path);
  if (!bytes) throw new Py2pkgError('REBUILD_RECORD', `${singleLine(name, 120)} carries no provenance.json`);
  let p: Provenance;
  try {
    p = JSON.parse(bytes.toString('utf8')) as Provenance;
  } catch {
    throw new Py2pkgError('REBUILD_RECORD', `${singleLine(name, 120)}: provenance.json is not JSON`);
  }
  if (!isObject(p) || !isObject(p.sdist) || typeof p.sdist.filename !== 'string' || !/^[0-9a-f]{64}$/.test(String(p.sdist.sha256))) {
    throw new Py2pkgError('REBUILD_RECORD', `${singleLine(name, 120)}: provenance.json records no sdist`);
  }
  const problem = buildRecordProblem(p.build, format);
  if (problem) throw new Py2pkgError('REBUILD_RECORD', `${singleLine(name, 120)}: ${problem}`);
  return { path, format, provenance: p, build: p.build as BuildRecord };
}
