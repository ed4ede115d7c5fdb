/**
 * What a py2pkg repository holds and where each package came from: the current generation's
 * state.json (Apt: every suite under dists/; Yum: repodata/) lists the packages, and each
 * package's provenance.json (covered by its signature) names the upstream project, version,
 * sdist and the evidence that admitted it. Reading a package costs two processes, so the
 * answers are kept in `.py2pkg/origins.json` keyed by the package file's sha256 (a file with
 * the same digest has the same contents): a publish of one more package reads one package.
 * Everything read from a package is hostile: capped, validated, and escaped where it is shown.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { singleLine } from '../errors.js';
import { run } from '../exec.js';
import { readlinkOrUndefined, writeAtomic } from './fsutil.js';
import { STATE_DIR, type RepoKind } from './repo-dir.js';

export interface RepoPackage {
  kind: RepoKind;
  /** Apt: the suite; Yum: '' */
  suite: string;
  name: string;
  /** Debian version, or Yum's [epoch:]version-release */
  version: string;
  arch: string;
  /** repository-relative path */
  filename: string;
  sha256: string;
}

export interface Origin {
  project: string;
  version: string;
  sdist: string;
  sdistSha256: string;
  unsigned: boolean;
  /** one per piece of evidence: pgp (fingerprints), publisher (JSON), sha256, none */
  evidence: Array<{ method: string; identity: string }>;
  rule: string | null;
}

const MAX_PROVENANCE = 1024 * 1024;
const MAX_STATE = 256 * 1024 * 1024;
const CACHE_FILE = 'origins.json';
/** printable ASCII words with single spaces: already one line, nothing to change */
const PLAIN = /^[!-~]+(?: [!-~]+)*$/;
const short = (v: unknown, max = 300): string => (typeof v !== 'string' ? '' : v.length <= max && PLAIN.test(v) ? v : singleLine(v, max));

async function readState(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8');
  if (text.length > MAX_STATE) return [];
  const doc = JSON.parse(text) as { entries?: unknown };
  return Array.isArray(doc.entries) ? (doc.entries as Array<Record<string, unknown>>) : [];
}

/**
 * The packages the repository's current generations list (Apt: every suite). `suiteEntries`:
 * what a publish holding the lock already has, maybe before its switch: every suite's entries
 * (Apt), or the entries under the key '' (Yum); then nothing is read from the generations.
 */
export async function repoPackages(dir: string, kind: RepoKind, suiteEntries?: ReadonlyMap<string, ReadonlyArray<object>>): Promise<RepoPackage[]> {
  const out: RepoPackage[] = [];
  if (kind === 'apt') {
    const dists = join(dir, 'dists');
    // given every suite's entries (a publish holding the lock, maybe before its switch), those suites
    const suites = suiteEntries
      ? [...suiteEntries.keys()].sort()
      : (await readdir(dists, { withFileTypes: true }).catch(() => []))
          .filter((e) => e.isSymbolicLink())
          .map((e) => e.name)
          .sort();
    for (const suite of suites) {
      const held = suiteEntries?.get(suite) as Array<Record<string, unknown>> | undefined;
      const entries = held ?? (await readState(join(dists, suite, 'state.json')).catch(() => []));
      for (const e of entries)
        out.push({
          kind,
          suite,
          name: short(e.name),
          version: short(e.version),
          arch: short(e.arch),
          filename: short(e.filename, 1000),
          sha256: short(e.sha256, 64),
        });
    }
  } else {
    // given the entries (under the key ''), those; else the current generation's
    const held = suiteEntries?.get('') as Array<Record<string, unknown>> | undefined;
    const target = held ? undefined : await readlinkOrUndefined(join(dir, 'repodata')).catch(() => undefined);
    const entries = held ?? (target ? await readState(join(dirname(resolve(dir, target)), 'state.json')).catch(() => []) : []);
    for (const e of entries) {
      const epoch = typeof e.epoch === 'number' && e.epoch > 0 ? `${e.epoch}:` : '';
      out.push({
        kind,
        suite: '',
        name: short(e.name),
        version: `${epoch}${short(e.version)}-${short(e.release)}`,
        arch: short(e.arch),
        filename: short(e.filename, 1000),
        sha256: short(e.sha256, 64),
      });
    }
  }
  return out.filter((p) => /^[0-9a-f]{64}$/.test(p.sha256) && p.filename !== '' && !p.filename.split('/').includes('..'));
}

/** A provenance.json as py2pkg writes it -> Origin (undefined when it is not one). */
export function originOf(bytes: Buffer): Origin | undefined {
  if (bytes.length > MAX_PROVENANCE) return undefined;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const sdist = p.sdist as Record<string, unknown> | undefined;
  const verification = p.verification as Record<string, unknown> | undefined;
  if (typeof sdist?.filename !== 'string' || typeof sdist.sha256 !== 'string' || typeof verification?.method !== 'string') return undefined;
  const trust = p.trust as Record<string, unknown> | undefined;
  const m = /^(.+?)-([^-]+?)(?:\.tar\.gz|\.tgz|\.tar\.bz2|\.tar|\.zip)$/i.exec(sdist.filename);
  const project = (short(trust?.project) || m?.[1] || sdist.filename).toLowerCase().replace(/[-_.]+/g, '-');
  const list = Array.isArray(p.evidence) ? (p.evidence as Array<Record<string, unknown>>) : [verification];
  const evidence = list.slice(0, 20).map((v) => {
    switch (v?.method) {
      case 'openpgp-detached-signature':
        return {
          method: 'pgp',
          identity: (Array.isArray(v.signers) ? (v.signers as Array<Record<string, unknown>>) : []).map((s) => short(s?.fingerprint, 64)).join(','),
        };
      case 'pep740-attestation':
        return { method: 'publisher', identity: singleLine(JSON.stringify(v.publisher ?? null), 400) };
      case 'pinned-sha256':
        return { method: 'sha256', identity: short(v.sha256, 64) };
      default:
        return { method: 'none', identity: short(v?.reason) };
    }
  });
  return {
    project: singleLine(project, 200),
    version: short(m?.[2], 100),
    sdist: short(sdist.filename),
    sdistSha256: short(sdist.sha256, 64),
    unsigned: p.unsigned === true,
    evidence,
    rule: trust ? short(trust.rule) : null,
  };
}

/** The provenance.json inside a .deb or .rpm, read with dpkg-deb/tar or rpm2cpio/cpio. */
export async function readPackageOrigin(path: string, kind: RepoKind): Promise<Origin | undefined> {
  const archive =
    kind === 'apt'
      ? await run('/usr/bin/dpkg-deb', ['--fsys-tarfile', path], { binaryStdout: true, maxBuffer: 2 * 1024 * 1024 * 1024, check: false })
      : await run('/usr/bin/rpm2cpio', [path], { binaryStdout: true, maxBuffer: 2 * 1024 * 1024 * 1024, check: false });
  if (archive.exitCode !== 0 || !archive.stdoutBuffer) return undefined;
  const pattern = './usr/share/doc/*/provenance.json';
  const r =
    kind === 'apt'
      ? await run('/usr/bin/tar', ['-xO', '--wildcards', '--', pattern], {
          input: archive.stdoutBuffer,
          binaryStdout: true,
          maxBuffer: MAX_PROVENANCE,
          check: false,
        })
      : await run('/usr/bin/cpio', ['-i', '--to-stdout', '--quiet', '--', pattern], {
          input: archive.stdoutBuffer,
          binaryStdout: true,
          maxBuffer: MAX_PROVENANCE,
          check: false,
        });
  if (r.exitCode !== 0 || !r.stdoutBuffer || r.stdoutBuffer.length === 0) return undefined;
  return originOf(r.stdoutBuffer);
}

interface OriginCache {
  version: 1;
  /** package file sha256 -> its origin, or null: the package carries none */
  bySha256: Record<string, Origin | null>;
}

/**
 * Read the origins of packages a publish just added while it writes the generation (the page
 * needs them afterwards): by sha256, for packageOrigins' `known`.
 */
export async function readOrigins(dir: string, added: Array<{ filename: string; sha256: string }>, kind: RepoKind): Promise<Map<string, Origin | null>> {
  const out = new Map<string, Origin | null>();
  for (const a of added) out.set(a.sha256, (await readPackageOrigin(join(dir, a.filename), kind)) ?? null);
  return out;
}

/** The origin of every package, from the cache or read once from the file; the cache is rewritten (atomic) when it changed. */
export async function packageOrigins(
  dir: string,
  packages: RepoPackage[],
  known?: ReadonlyMap<string, Origin | null>,
): Promise<Map<string, Origin | undefined>> {
  const file = join(dir, STATE_DIR, CACHE_FILE);
  let cache: OriginCache = { version: 1, bySha256: {} };
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as OriginCache;
    if (doc.version === 1 && typeof doc.bySha256 === 'object' && doc.bySha256 !== null) cache = doc;
  } catch {
    // no cache yet, or unreadable: rebuilt
  }
  const out = new Map<string, Origin | undefined>();
  const next: Record<string, Origin | null> = {};
  let changed = false;
  for (const p of packages) {
    let o = Object.hasOwn(cache.bySha256, p.sha256) ? cache.bySha256[p.sha256] : known?.get(p.sha256);
    if (known?.has(p.sha256)) changed = true;
    if (o === undefined) {
      o = (await readPackageOrigin(join(dir, p.filename), p.kind)) ?? null;
      changed = true;
    }
    next[p.sha256] = o;
    out.set(p.filename, o ?? undefined);
  }
  if (changed || Object.keys(next).length !== Object.keys(cache.bySha256).length)
    await writeAtomic(file, `${JSON.stringify({ version: 1, bySha256: next })}\n`);
  return out;
}
