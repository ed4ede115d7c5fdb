/**
 * Target profiles are data: everything a format needs to know about the distribution it
 * writes for. Code paths never branch on a profile's id, only on its fields, so a profile
 * added in the config file (src/targets/config.ts) works like a built-in one.
 *
 * Python versions are the ones each release ships as its `python3` (patch levels as of the
 * release's current updates when the profile was written; only `python_full_version`
 * markers look at them).
 */
import { defaultMarkerEnvironment, type MarkerEnvironment } from '../python/pep508.js';

export type Family = 'debian' | 'rpm';
export type Compression = 'xz' | 'zstd' | 'gzip';

/**
 * How requirements are written:
 *  - `debian`: Debian package names (python3-foo), as dh-python does;
 *  - `python3dist`: RPM `python3dist(foo)` requires, provides both `python3dist(foo)` and
 *    `python3.Xdist(foo)` (the distribution's main Python, Fedora's generator);
 *  - `python3.Xdist`: RPM `python3.Xdist(foo)` only (an alternative Python stack such as
 *    EL8's python3.11-* packages).
 */
export type DependencyStyle = 'debian' | 'python3dist' | 'python3.Xdist';

export interface TargetProfile {
  id: string;
  /** one line for people (`py2pkg targets`) */
  description: string;
  family: Family;
  /** Python on the target, major.minor */
  pythonVersion: string;
  /** full version used for PEP 508 markers */
  pythonFullVersion: string;
  /** where pure modules go */
  siteDir: string;
  scriptsDir: string;
  packagePrefix: string;
  dependencyStyle: DependencyStyle;
  /** the environment PEP 508 markers are evaluated in: the target's Python, not the host's */
  markerEnvironment: MarkerEnvironment;
  /** Debian revision or RPM Release appended to the upstream version (`1`, `1.el9`) */
  revision: string;
  /** deb data member / RPM payload compression */
  compression: Compression;
  /** deb: the changelog distribution (`bookworm`); rpm: the dist tag (`el9`), for people */
  distribution: string;
  /** the archive data the dependency translation uses (src/deps/data/<archive>-archive.tsv), if any */
  archive?: string;
}

/** The file format a family writes. */
export const formatOf = (p: Pick<TargetProfile, 'family'>): 'deb' | 'rpm' => (p.family === 'debian' ? 'deb' : 'rpm');

type ProfileData = Omit<TargetProfile, 'id' | 'markerEnvironment' | 'scriptsDir' | 'packagePrefix'>;

function debian(data: Omit<ProfileData, 'family' | 'siteDir' | 'dependencyStyle'>): ProfileData {
  return { family: 'debian', siteDir: '/usr/lib/python3/dist-packages', dependencyStyle: 'debian', ...data };
}

function rpm(data: Omit<ProfileData, 'family' | 'siteDir' | 'dependencyStyle'>): ProfileData {
  return { family: 'rpm', siteDir: `/usr/lib/python${data.pythonVersion}/site-packages`, dependencyStyle: 'python3dist', ...data };
}

const DATA: Record<string, ProfileData> = {
  debian12: debian({
    description: 'Debian 12 "bookworm" (default for --format deb)',
    pythonVersion: '3.11',
    pythonFullVersion: '3.11.2',
    revision: '1',
    compression: 'xz',
    distribution: 'bookworm',
    archive: 'debian12',
  }),
  debian13: debian({
    description: 'Debian 13 "trixie"',
    pythonVersion: '3.13',
    pythonFullVersion: '3.13.5',
    revision: '1',
    compression: 'xz',
    distribution: 'trixie',
  }),
  'ubuntu22.04': debian({
    description: 'Ubuntu 22.04 LTS "jammy"',
    pythonVersion: '3.10',
    pythonFullVersion: '3.10.12',
    revision: '1~ubuntu22.04',
    compression: 'xz',
    distribution: 'jammy',
  }),
  'ubuntu24.04': debian({
    description: 'Ubuntu 24.04 LTS "noble"',
    pythonVersion: '3.12',
    pythonFullVersion: '3.12.3',
    revision: '1~ubuntu24.04',
    compression: 'xz',
    distribution: 'noble',
  }),
  el8: rpm({
    description: 'RHEL 8 and rebuilds (AlmaLinux, Rocky), platform Python 3.6',
    pythonVersion: '3.6',
    pythonFullVersion: '3.6.8',
    revision: '1.el8',
    compression: 'xz',
    distribution: 'el8',
  }),
  el9: rpm({
    description: 'RHEL 9 and rebuilds, CentOS Stream 9 (default for --format rpm)',
    pythonVersion: '3.9',
    pythonFullVersion: '3.9.21',
    revision: '1.el9',
    compression: 'zstd',
    distribution: 'el9',
  }),
  el10: rpm({
    description: 'RHEL 10 and rebuilds, CentOS Stream 10',
    pythonVersion: '3.12',
    pythonFullVersion: '3.12.9',
    revision: '1.el10',
    compression: 'zstd',
    distribution: 'el10',
  }),
  fedora: rpm({
    description: 'Fedora Linux 44 (the current release when this profile was written)',
    pythonVersion: '3.14',
    pythonFullVersion: '3.14.2',
    revision: '1.fc44',
    compression: 'zstd',
    distribution: 'fc44',
  }),
};

/** Fill in what every profile derives the same way (markers from the Python version). */
export function completeProfile(
  id: string,
  data: ProfileData & Partial<Pick<TargetProfile, 'scriptsDir' | 'packagePrefix' | 'markerEnvironment'>>,
): TargetProfile {
  return {
    id,
    scriptsDir: '/usr/bin',
    packagePrefix: 'python3-',
    markerEnvironment: defaultMarkerEnvironment(data.pythonFullVersion),
    ...data,
  };
}

export const profiles: Readonly<Record<string, TargetProfile>> = Object.freeze(
  Object.fromEntries(Object.entries(DATA).map(([id, data]) => [id, Object.freeze(completeProfile(id, data))])),
);

export const defaultTargetFor = { deb: 'debian12', rpm: 'el9' } as const;

/** A built-in profile, or one of `extra` (profiles from the config file). */
export function getProfile(id: string, extra: Readonly<Record<string, TargetProfile>> = {}): TargetProfile | undefined {
  if (Object.prototype.hasOwnProperty.call(profiles, id)) return profiles[id];
  return Object.prototype.hasOwnProperty.call(extra, id) ? extra[id] : undefined;
}
