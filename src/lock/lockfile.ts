/**
 * py2pkg.lock: the converted set, as JSON (one object, keys in a fixed order, written by atomic
 * rename), so that `--locked` reproduces exactly that set and refuses drift, as `npm ci` does.
 *
 *   { "lockfileVersion": 1, "generator": "py2pkg 0.1.0",
 *     "packages": [ { "input", "project", "version", "sdist": { "filename", "sha256", "url" },
 *                     "evidence": [ { "method", "identity" } ], "rule", "target", "format",
 *                     "options": { "maintainer", "withExtras", "signedBy", "sourceDateEpoch" },
 *                     "files": [ { "name", "sha256" } ] } ] }
 *
 * `input` is the requirement as written, or a path relative to the lock file's directory.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { writeAtomic } from '../repo/fsutil.js';
import type { ConvertJob, JobOutcome } from '../batch/run.js';
import { canonicalizeName } from '../python/pep508-types.js';
import type { Provenance } from '../types.js';
import { toolVersion } from '../version.js';
import { compareText } from '../text-order.js';

export const LOCKFILE_VERSION = 1;
export const DEFAULT_LOCK = 'py2pkg.lock';
const MAX_LOCK_BYTES = 16 * 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;

export interface LockEntry {
  input: string;
  project: string;
  version: string;
  sdist: { filename: string; sha256: string; url: string | null };
  evidence: Array<{ method: string; identity: string }>;
  rule: string | null;
  target: string;
  format: 'deb' | 'rpm';
  options: { maintainer: string; withExtras: string[]; signedBy: string | null; sourceDateEpoch: number | null; plannedPackages?: Record<string, string> };
  files: Array<{ name: string; sha256: string }>;
}

export interface Lock {
  lockfileVersion: number;
  generator: string;
  packages: LockEntry[];
}

/** Who or what vouched, one string per piece of evidence (pure). */
export function evidenceOf(p: Provenance): LockEntry['evidence'] {
  return (p.evidence ?? [p.verification]).map((v) => {
    switch (v.method) {
      case 'openpgp-detached-signature':
        return { method: 'pgp', identity: v.signers.map((s) => s.fingerprint).join(',') };
      case 'pinned-sha256':
        return { method: 'sha256', identity: v.sha256 };
      case 'none':
        return { method: 'none', identity: v.reason };
      default:
        return { method: 'publisher', identity: JSON.stringify((v as { publisher?: unknown }).publisher ?? null) };
    }
  });
}

/** A lock entry for a successful job; `lockDir` makes path inputs relative (pure). */
export function entryFor(o: JobOutcome, lockDir: string, options: LockEntry['options']): LockEntry {
  const r = o.result;
  if (!r || !o.files || !o.target || !o.format) throw new Error('entryFor: the job did not succeed');
  const p = r.provenance;
  const input = isAbsolute(o.job.input) ? `./${relative(lockDir, o.job.input)}` : o.job.input;
  return {
    input,
    project: canonicalizeName(r.name),
    version: r.version,
    sdist: { filename: p.sdist.filename, sha256: p.sdist.sha256, url: p.source?.url ?? null },
    evidence: evidenceOf(p),
    rule: p.trust?.rule ?? null,
    target: o.target,
    format: o.format,
    options: { ...options, signedBy: (r.output as { signedBy?: string }).signedBy ?? null },
    files: o.files.map((f) => ({ name: f.name, sha256: f.sha256 })),
  };
}

export async function writeLock(path: string, packages: LockEntry[]): Promise<void> {
  const lock: Lock = {
    lockfileVersion: LOCKFILE_VERSION,
    generator: `py2pkg ${toolVersion()}`,
    packages: [...packages].sort((a, b) => compareText(a.input, b.input)),
  };
  await writeAtomic(path, `${JSON.stringify(lock, null, 2)}\n`);
}

const bad = (path: string, what: string) => new Py2pkgError('LOCK_INVALID', `${singleLine(path, 200)}: ${what}`);

export async function readLock(path: string): Promise<Lock> {
  let text: string;
  try {
    if ((await stat(path)).size > MAX_LOCK_BYTES) throw bad(path, 'over 16 MiB');
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof Py2pkgError) throw e;
    throw new Py2pkgError('LOCK_INVALID', `cannot read the lock file ${singleLine(path, 200)} (--locked needs one: run once without --locked to write it)`);
  }
  let doc: Lock;
  try {
    doc = JSON.parse(text) as Lock;
  } catch {
    throw bad(path, 'not JSON');
  }
  if (typeof doc !== 'object' || doc === null || doc.lockfileVersion !== LOCKFILE_VERSION || !Array.isArray(doc.packages))
    throw bad(path, `not a py2pkg lock of version ${LOCKFILE_VERSION}`);
  doc.packages.forEach((e, i) => {
    const ok =
      typeof e === 'object' &&
      e !== null &&
      typeof e.input === 'string' &&
      typeof e.project === 'string' &&
      typeof e.version === 'string' &&
      typeof e.sdist?.sha256 === 'string' &&
      HEX64.test(e.sdist.sha256) &&
      (e.format === 'deb' || e.format === 'rpm') &&
      typeof e.target === 'string' &&
      Array.isArray(e.files) &&
      e.files.every((f) => typeof f?.name === 'string' && typeof f.sha256 === 'string' && HEX64.test(f.sha256));
    if (!ok) throw bad(path, `package ${i + 1} is malformed`);
  });
  return doc;
}

/**
 * --locked: the jobs that reproduce the lock. `inputs` (command-line inputs and -r entries,
 * as written or as absolute paths) must be exactly the lock's set; with none, the lock's whole
 * set is converted. Requirements are pinned to the locked version, every sdist to its sha256,
 * every package file to its sha256. The run's target and format must be the lock's.
 */
export function lockedJobs(lock: Lock, lockPath: string, inputs: string[] | undefined, run: { target: string; format: string }): ConvertJob[] {
  const dir = dirname(resolve(lockPath));
  const keyOf = (input: string) => (isAbsolute(input) ? resolve(input) : input.startsWith('./') || input.startsWith('../') ? resolve(dir, input) : input);
  const byInput = new Map(lock.packages.map((e) => [keyOf(e.input), e]));
  if (inputs) {
    const asked = new Set(inputs.map(keyOf));
    for (const i of inputs) {
      if (!byInput.has(keyOf(i))) throw new Py2pkgError('LOCK_DRIFT', `${singleLine(i, 120)} is not in the lock ${lockPath}`);
    }
    for (const e of lock.packages) {
      if (!asked.has(keyOf(e.input)))
        throw new Py2pkgError('LOCK_DRIFT', `the lock ${lockPath} has ${singleLine(e.input, 120)}, which this run does not ask for`);
    }
  }
  return lock.packages.map((e) => {
    if (e.target !== run.target || e.format !== run.format)
      throw new Py2pkgError(
        'LOCK_DRIFT',
        `${singleLine(e.input, 120)} is locked for ${e.target} (${e.format}), this run builds for ${run.target} (${run.format})`,
      );
    const path = keyOf(e.input);
    const input = isAbsolute(path) ? path : `${e.project}==${e.version}`;
    return {
      input,
      label: e.input,
      sdistSha256: { allowed: [e.sdist.sha256], code: 'LOCK_DRIFT', where: lockPath },
      expectFiles: e.files,
      ...(e.options?.withExtras?.length || e.options?.plannedPackages
        ? { flags: { withExtras: e.options.withExtras ?? [], ...(e.options.plannedPackages ? { plannedPackages: e.options.plannedPackages } : {}) } }
        : {}),
    };
  });
}
