/**
 * The trust policy: what an organization accepts as proof of origin, per project and by
 * default. Policy is data: this module only parses and validates the `[trust]` table (from the
 * config file or `--trust-policy FILE`) into a `TrustPolicy`; src/trust/admit.ts applies it.
 *
 *     [trust]
 *     default = "tofu"                      # any | tofu | none | unsigned
 *     [trust.project.rpc4django]
 *     pgp = ["<40 or 64 hex digits>"]
 *     keys = ["keys/rpc4django-signers.asc"]  # relative to the policy file
 *     [trust.project.pypi-attestations]
 *     publisher = { kind = "github", repository = "trailofbits/pypi-attestations", workflow = "release.yml" }
 *     [trust.project.legacy-tool]
 *     sha256 = ["<64 hex digits>"]
 *
 * Every unknown key and malformed value is a CONFIG error (exit 2), one line naming it.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { canonicalizeName } from '../python/pep508.js';
import { type Publisher, parsePublisher } from './publisher.js';

export type DefaultRule = 'any' | 'tofu' | 'none' | 'unsigned';
export const DEFAULT_RULES: readonly DefaultRule[] = ['any', 'tofu', 'none', 'unsigned'];

export interface ProjectRule {
  /** PEP 503 canonical name */
  project: string;
  /** pinned OpenPGP fingerprints, upper-case hex (v4: 40 digits, v6: 64) */
  pgp: string[];
  /** key files (absolute) holding the pinned keys */
  keys: string[];
  /** pinned Trusted Publishers (PEP 740) */
  publishers: Publisher[];
  /** reviewed sdist digests, lower-case hex */
  sha256: string[];
  require: 'any' | 'all';
}

export interface TrustPolicy {
  /** the file it came from, or "built-in" */
  source: string;
  default: DefaultRule;
  projects: ReadonlyMap<string, ProjectRule>;
  /** `trusted-root` / `store` in the [trust] table (absolute paths) */
  trustedRoot?: string;
  store?: string;
}

/** With no [trust] table anywhere: evidence that verifies (a signature by a key in --trusted-keys, or a PEP 740 attestation matching the index's publisher). */
export const BUILTIN_POLICY: TrustPolicy = { source: 'built-in', default: 'any', projects: new Map() };

const TRUST_KEYS = new Set(['default', 'project', 'trusted-root', 'store']);
const PROJECT_KEYS = new Set(['pgp', 'keys', 'publisher', 'sha256', 'require']);
const FINGERPRINT = /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/;
const SHA256 = /^[0-9a-f]{64}$/;

function bad(where: string, what: string): Py2pkgError {
  return new Py2pkgError('CONFIG', `${where}: ${singleLine(what, 240)}`);
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function stringList(v: unknown, where: string, key: string): string[] {
  if (v === undefined) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) throw bad(where, `${key} must be a list of strings`);
  return list;
}

/** A fingerprint as users paste it (spaces, 0x, lower case) -> upper-case hex; short key ids are refused. */
export function normalizeFingerprint(text: string, where: string): string {
  const fpr = text.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  if (FINGERPRINT.test(fpr)) return fpr;
  if (/^[0-9A-F]{8}$|^[0-9A-F]{16}$/.test(fpr)) {
    throw bad(where, `"${singleLine(text, 40)}" is a short key id: pin the full fingerprint (gpg --with-fingerprint --show-keys KEYFILE)`);
  }
  throw bad(where, `"${singleLine(text, 80)}" is not an OpenPGP fingerprint (40 or 64 hex digits)`);
}

function parseProject(name: string, raw: unknown, file: string, base: string): ProjectRule {
  const where = `${file}: [trust.project.${singleLine(name, 60)}]`;
  if (!isTable(raw)) throw bad(where, 'must be a table');
  for (const k of Object.keys(raw)) {
    if (!PROJECT_KEYS.has(k)) throw bad(where, `unknown key "${singleLine(k, 40)}" (known: ${[...PROJECT_KEYS].join(', ')})`);
  }
  const canonical = canonicalizeName(name);
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(canonical)) throw bad(where, 'is not a valid Python project name');
  const pgp = stringList(raw.pgp, where, 'pgp').map((f) => normalizeFingerprint(f, `${where} pgp`));
  const keys = stringList(raw.keys, where, 'keys').map((k) => (isAbsolute(k) ? k : resolve(base, k)));
  const sha256 = stringList(raw.sha256, where, 'sha256').map((d) => {
    const hex = d
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, '');
    if (!SHA256.test(hex)) throw bad(where, `sha256 "${singleLine(d, 80)}" is not 64 hex digits`);
    return hex;
  });
  const pubRaw = raw.publisher;
  const pubList = pubRaw === undefined ? [] : Array.isArray(pubRaw) ? (pubRaw as unknown[]) : [pubRaw];
  const publishers = pubList.map((p) => parsePublisher(p, `${where} publisher`));
  const require = raw.require ?? 'any';
  if (require !== 'any' && require !== 'all')
    throw bad(where, `require must be "any" or "all", not ${JSON.stringify(singleLine(JSON.stringify(require) ?? '', 20))}`);
  if (pgp.length === 0 && publishers.length === 0 && sha256.length === 0) {
    throw bad(where, 'pins nothing: give pgp (with keys), publisher, or sha256');
  }
  if (keys.length > 0 && pgp.length === 0) throw bad(where, 'keys without pgp: name the fingerprints to trust in those files');
  return { project: canonical, pgp: [...new Set(pgp)], keys, publishers, sha256: [...new Set(sha256)], require };
}

/**
 * Parse the value of a `[trust]` table. `file` names it in messages and anchors relative
 * paths; a policy file (`--trust-policy`) holds the same `[trust]` table as the config file.
 */
export function parseTrustTable(raw: unknown, file: string): TrustPolicy {
  const where = `${file}: [trust]`;
  if (!isTable(raw)) throw bad(where, 'must be a table');
  for (const k of Object.keys(raw)) {
    if (!TRUST_KEYS.has(k)) throw bad(where, `unknown key "${singleLine(k, 40)}" (known: ${[...TRUST_KEYS].join(', ')})`);
  }
  const base = dirname(resolve(file));
  const def = raw.default ?? 'any';
  if (typeof def !== 'string' || !(DEFAULT_RULES as readonly string[]).includes(def)) {
    throw bad(where, `default must be one of ${DEFAULT_RULES.join(', ')}, not ${JSON.stringify(singleLine(JSON.stringify(def) ?? '', 20))}`);
  }
  const projects = new Map<string, ProjectRule>();
  if (raw.project !== undefined) {
    if (!isTable(raw.project)) throw bad(where, 'project must hold one table per project ([trust.project.NAME])');
    for (const [name, table] of Object.entries(raw.project)) {
      const rule = parseProject(name, table, file, base);
      if (projects.has(rule.project)) throw bad(where, `project ${rule.project} is given twice (names are compared after PEP 503 normalization)`);
      projects.set(rule.project, rule);
    }
  }
  const path = (k: 'trusted-root' | 'store'): string | undefined => {
    const v = raw[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw bad(where, `${k} must be a file path`);
    return isAbsolute(v) ? v : resolve(base, v);
  };
  const trustedRoot = path('trusted-root');
  const store = path('store');
  return { source: resolve(file), default: def as DefaultRule, projects, ...(trustedRoot ? { trustedRoot } : {}), ...(store ? { store } : {}) };
}

/** A `--trust-policy FILE`: TOML holding a [trust] table and nothing else. */
export async function loadPolicyFile(file: string): Promise<TrustPolicy> {
  const { readFile, stat } = await import('node:fs/promises');
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new Py2pkgError('CONFIG', `trust policy ${file} does not exist or is not a file`);
  if (st.size > 4 * 1024 * 1024) throw new Py2pkgError('CONFIG', `trust policy ${file} is larger than 4 MiB`);
  const { parse } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Py2pkgError('CONFIG', `trust policy ${file} is not valid TOML: ${singleLine((e as Error).message, 160)}`);
  }
  for (const k of Object.keys(doc)) {
    if (k !== 'trust') throw new Py2pkgError('CONFIG', `trust policy ${file}: unknown key "${singleLine(k, 40)}" (a policy file holds one [trust] table)`);
  }
  if (doc.trust === undefined) throw new Py2pkgError('CONFIG', `trust policy ${file} has no [trust] table`);
  return parseTrustTable(doc.trust, file);
}

/** Where the trust-on-first-use store lives unless a flag, the [trust] table or PY2PKG_TRUST_STORE says otherwise. */
export function defaultStorePath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(xdg, 'py2pkg', 'trust-store.toml');
}

/** The rule for a project, by its PEP 503 name. */
export function ruleFor(policy: TrustPolicy, project: string): ProjectRule | undefined {
  return policy.projects.get(canonicalizeName(project));
}
