/**
 * The Debian packages a compiled build needs besides the backend: the -dev packages of the
 * system libraries a project links, as data. Built-in defaults for well-known projects
 * (names checked against Debian 12 with apt-cache show), overridden per project by the config
 * file's `[project.NAME] build-depends = [...]` (PEP 503 names match). They are checked with
 * dpkg-query before the build (checkSystemBuildDepends) and reported with one apt-get line.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { run } from '../exec.js';
import { canonicalizeName } from './pep508.js';

export interface ProjectBuildDepends {
  /** Debian package names */
  packages: readonly string[];
  /** what else a user should know (shown as a warning when the defaults apply) */
  note?: string;
}

/** PEP 503 name -> what its compiled build needs on Debian 12 (bookworm). */
export const KNOWN_BUILD_DEPENDS: Readonly<Record<string, ProjectBuildDepends>> = {
  pyyaml: { packages: ['libyaml-dev'] },
  lxml: { packages: ['libxml2-dev', 'libxslt1-dev'] },
  psycopg2: { packages: ['libpq-dev'] },
  cffi: { packages: ['libffi-dev'] },
  cryptography: {
    packages: ['libssl-dev', 'pkg-config', 'cargo', 'rustc'],
    note: "cryptography's Rust part builds with Debian 12's rustc 1.63: releases whose minimum Rust is newer fail to build (their wheel of the same version is not an option for a .deb)",
  },
  pillow: { packages: ['libjpeg-dev', 'zlib1g-dev'] },
  'python-ldap': { packages: ['libldap2-dev', 'libsasl2-dev'] },
  mysqlclient: { packages: ['default-libmysqlclient-dev', 'pkg-config'] },
  pycurl: { packages: ['libcurl4-openssl-dev', 'libssl-dev'] },
  gssapi: { packages: ['libkrb5-dev'] },
  xmlsec: { packages: ['libxmlsec1-dev', 'pkg-config'] },
  'systemd-python': { packages: ['libsystemd-dev', 'pkg-config'] },
  'dbus-python': { packages: ['libdbus-1-dev', 'libglib2.0-dev', 'pkg-config'] },
  pycairo: { packages: ['libcairo2-dev', 'pkg-config'] },
  pygobject: { packages: ['libgirepository1.0-dev', 'libcairo2-dev', 'pkg-config'] },
  'python-snappy': { packages: ['libsnappy-dev'] },
  pyaudio: { packages: ['portaudio19-dev'] },
  'libvirt-python': { packages: ['libvirt-dev', 'pkg-config'] },
  pylibmc: { packages: ['libmemcached-dev', 'zlib1g-dev'] },
  netfilterqueue: { packages: ['libnetfilter-queue-dev'] },
  plyvel: { packages: ['libleveldb-dev'] },
  pylibacl: { packages: ['libacl1-dev'] },
  'python-prctl': { packages: ['libcap-dev'] },
  shapely: { packages: ['libgeos-dev'] },
  h5py: { packages: ['libhdf5-dev', 'pkg-config'] },
  pysqlite3: { packages: ['libsqlite3-dev'] },
};

/** A Debian package name (Debian policy 5.6.1); no architecture qualifier. */
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]{1,99}$/;
const PROJECT_KEYS = ['build-depends'] as const;

/**
 * The config file's `project` table: `[project.PyYAML] build-depends = ["libyaml-dev"]`.
 * Keys are project names (matched PEP 503-normalised); unknown keys are CONFIG errors.
 */
export function parseProjectTable(value: unknown, file: string): Map<string, ProjectBuildDepends> {
  const bad = (what: string): never => {
    throw new Py2pkgError('CONFIG', `config file ${file}: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('project must be a table of tables ([project.NAME])');
  const out = new Map<string, ProjectBuildDepends>();
  const seen = new Set<string>();
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const where = `project.${singleLine(name, 60)}`;
    if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/.test(name)) bad(`${where}: not a Python project name`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(`${where} must be a table`);
    const t = raw as Record<string, unknown>;
    for (const key of Object.keys(t)) {
      if (!(PROJECT_KEYS as readonly string[]).includes(key)) bad(`${where}: unknown key "${singleLine(key, 40)}" (known: ${PROJECT_KEYS.join(', ')})`);
    }
    const key = canonicalizeName(name);
    if (seen.has(key)) bad(`${where}: the project is named twice (names match PEP 503-normalised)`);
    seen.add(key);
    const list = t['build-depends'];
    if (list === undefined) continue;
    if (!Array.isArray(list)) bad(`${where}: build-depends must be a list of Debian package names`);
    for (const p of list as unknown[]) {
      if (typeof p !== 'string' || !DEBIAN_PACKAGE.test(p)) bad(`${where}: build-depends: "${singleLine(String(p), 60)}" is not a Debian package name`);
    }
    out.set(key, { packages: [...new Set(list as string[])] });
  }
  return out;
}

/** The config file's entry for the project, else the built-in default, else nothing. */
export function projectBuildDepends(
  project: string,
  configured: ReadonlyMap<string, ProjectBuildDepends> = new Map(),
): ProjectBuildDepends & { from: 'config' | 'default' | 'none' } {
  const key = canonicalizeName(project);
  const own = configured.get(key);
  if (own) return { ...own, from: 'config' };
  const known = Object.prototype.hasOwnProperty.call(KNOWN_BUILD_DEPENDS, key) ? KNOWN_BUILD_DEPENDS[key] : undefined;
  return known ? { ...known, from: 'default' } : { packages: [], from: 'none' };
}

export const DPKG_QUERY = '/usr/bin/dpkg-query';

/** `dpkg-query -W -f '${Package}\t${db:Status-Status}\n'` output -> the names installed. */
export function parseInstalled(stdout: string): Set<string> {
  const installed = new Set<string>();
  for (const line of stdout.split('\n')) {
    const [name, status] = line.split('\t');
    if (name && status?.trim() === 'installed') installed.add(name.replace(/:[a-z0-9-]+$/, ''));
  }
  return installed;
}

/** Which of the Debian packages are not installed (dpkg's database, one dpkg-query). */
export async function missingDebianPackages(names: readonly string[]): Promise<string[]> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return [];
  for (const n of unique) if (!DEBIAN_PACKAGE.test(n)) throw new Py2pkgError('USAGE', `not a Debian package name: ${singleLine(n, 60)}`);
  // exit status 1 when some name is unknown to dpkg: those are missing, not a failure
  const r = await run(DPKG_QUERY, ['-W', '-f', '${Package}\t${db:Status-Status}\n', '--', ...unique], { check: false, timeoutMs: 60_000 });
  if (r.exitCode > 1) throw new Py2pkgError('TOOL_FAILED', `dpkg-query failed: ${singleLine(r.stderr, 200)}`);
  const installed = parseInstalled(r.stdout);
  return unique.filter((n) => !installed.has(n));
}

/** The one line naming what is missing and the command that installs it. */
export function buildDependsMessage(project: string, missing: readonly string[], from: 'config' | 'default' | 'none'): string {
  const why =
    from === 'config'
      ? ` (the config file's [project.${singleLine(project, 60)}] build-depends and the compiler)`
      : from === 'default'
        ? ` (py2pkg's defaults for ${singleLine(project, 60)}, override with [project.${singleLine(project, 60)}] build-depends in the config file)`
        : '';
  return `the compiled build of ${singleLine(project, 60)} needs Debian packages that are not installed${why}: apt-get install ${missing.join(' ')}`;
}
