/**
 * Target profiles are data: everything a format needs to know about the distribution it
 * writes for. The RPM issue adds more profiles; code paths must not branch on the id.
 */
export interface TargetProfile {
  id: string;
  family: 'debian' | 'rpm';
  /** Python on the target, major.minor */
  pythonVersion: string;
  /** full version used for PEP 508 markers */
  pythonFullVersion: string;
  /** where pure modules go */
  siteDir: string;
  scriptsDir: string;
  packagePrefix: string;
  /** Debian revision or RPM release appended to the upstream version */
  revision: string;
  compression: 'xz' | 'zstd' | 'gzip';
  /** changelog distribution field (deb) */
  distribution: string;
}

export const profiles: Readonly<Record<string, TargetProfile>> = {
  debian12: {
    id: 'debian12',
    family: 'debian',
    pythonVersion: '3.11',
    pythonFullVersion: '3.11.2',
    siteDir: '/usr/lib/python3/dist-packages',
    scriptsDir: '/usr/bin',
    packagePrefix: 'python3-',
    revision: '1',
    compression: 'xz',
    distribution: 'bookworm',
  },
};

export const defaultTargetFor = { deb: 'debian12' } as const;

export function getProfile(id: string): TargetProfile | undefined {
  return Object.prototype.hasOwnProperty.call(profiles, id) ? profiles[id] : undefined;
}
