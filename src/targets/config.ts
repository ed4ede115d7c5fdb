/**
 * Profiles a user adds in the config file, as TOML tables under `targets`:
 *
 *     [targets.el9-acme]
 *     base = "el9"                 # start from a built-in profile (optional)
 *     revision = "1.acme.el9"
 *
 * Every value is checked here, because a profile's fields land in file names, control
 * files, specs and maintainer scripts. Errors are CONFIG (exit status 2).
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { defaultMarkerEnvironment, type MarkerEnvironment } from '../python/pep508.js';
import { completeProfile, profiles, type Compression, type DependencyStyle, type Family, type TargetProfile } from './profiles.js';

const KEYS = [
  'base',
  'description',
  'family',
  'python-version',
  'python-full-version',
  'site-dir',
  'package-prefix',
  'dependency-style',
  'revision',
  'compression',
  'distribution',
  'markers',
] as const;

const MARKER_KEYS: ReadonlyArray<keyof MarkerEnvironment> = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'python_version',
  'sys_platform',
];

const ID = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const SITE_DIR = /^\/usr\/(lib|lib64|share)(\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/;
const DEB_REVISION = /^[0-9][A-Za-z0-9.+~]*$/;
const RPM_RELEASE = /^[0-9][A-Za-z0-9._+~^]*$/;
const DISTRIBUTION = /^[a-z0-9][a-z0-9.+-]*$/;
const PREFIX = /^[a-z0-9][a-z0-9.+-]*-$/;

function fail(file: string, id: string, message: string): never {
  throw new Py2pkgError('CONFIG', `config file ${file}: targets.${singleLine(id, 40)}: ${message}`);
}

/** The `targets` table of a config file -> profiles by id. */
export function parseConfigProfiles(value: unknown, file: string): Record<string, TargetProfile> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Py2pkgError('CONFIG', `config file ${file}: targets must be a table of tables ([targets.NAME])`);
  const out: Record<string, TargetProfile> = {};
  for (const [id, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!ID.test(id)) fail(file, id, 'a profile name is lower-case letters, digits, ".", "_" and "-" (at most 40)');
    if (Object.prototype.hasOwnProperty.call(profiles, id)) fail(file, id, `redefines the built-in profile ${id}; give it another name and base = "${id}"`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, id, 'must be a table');
    out[id] = parseOne(id, raw as Record<string, unknown>, file);
  }
  return out;
}

function parseOne(id: string, t: Record<string, unknown>, file: string): TargetProfile {
  for (const key of Object.keys(t)) {
    if (!(KEYS as readonly string[]).includes(key)) fail(file, id, `unknown key "${singleLine(key, 40)}" (known: ${KEYS.join(', ')})`);
  }
  const str = (key: (typeof KEYS)[number]): string | undefined => {
    const v = t[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') fail(file, id, `${key} must be a string`);
    return v;
  };
  let base: TargetProfile | undefined;
  const baseId = str('base');
  if (baseId !== undefined) {
    base = Object.prototype.hasOwnProperty.call(profiles, baseId) ? profiles[baseId] : undefined;
    if (!base) fail(file, id, `base "${singleLine(baseId, 40)}" is not a built-in profile (known: ${Object.keys(profiles).join(', ')})`);
  }
  const need = (key: (typeof KEYS)[number], inherited: string | undefined): string => {
    const v = str(key) ?? inherited;
    if (v === undefined) fail(file, id, `${key} is required (or name a base profile)`);
    return v;
  };

  const family = need('family', base?.family);
  if (family !== 'debian' && family !== 'rpm') fail(file, id, 'family must be "debian" or "rpm"');
  if (base && base.family !== family) fail(file, id, `family ${family} differs from its base ${base.id} (${base.family})`);

  const pythonVersion = need('python-version', base?.pythonVersion);
  if (!/^3\.\d{1,2}$/.test(pythonVersion)) fail(file, id, 'python-version must look like "3.11"');
  const changedPython = base !== undefined && pythonVersion !== base.pythonVersion;
  const pythonFullVersion = str('python-full-version') ?? (base && !changedPython ? base.pythonFullVersion : `${pythonVersion}.0`);
  if (!/^3\.\d{1,2}\.\d{1,3}$/.test(pythonFullVersion) || !pythonFullVersion.startsWith(`${pythonVersion}.`)) {
    fail(file, id, `python-full-version must be ${pythonVersion}.N`);
  }

  if (changedPython && str('site-dir') === undefined) fail(file, id, `python-version differs from ${base!.id}: set site-dir for Python ${pythonVersion} too`);
  const siteDir = need('site-dir', base?.siteDir);
  if (!SITE_DIR.test(siteDir) || siteDir.split('/').some((c) => c === '..' || c === '.'))
    fail(file, id, 'site-dir must be an absolute path under /usr/lib, /usr/lib64 or /usr/share');

  const packagePrefix = str('package-prefix') ?? base?.packagePrefix ?? 'python3-';
  if (!PREFIX.test(packagePrefix)) fail(file, id, 'package-prefix must be lower-case and end in "-" (e.g. "python3-")');
  if (family === 'debian' && packagePrefix !== 'python3-') fail(file, id, 'Debian profiles name packages python3-<name>: package-prefix must be "python3-"');

  const style = str('dependency-style') ?? base?.dependencyStyle ?? (family === 'debian' ? 'debian' : 'python3dist');
  const styles: Record<Family, DependencyStyle[]> = { debian: ['debian'], rpm: ['python3dist', 'python3.Xdist'] };
  if (!(styles[family] as string[]).includes(style)) fail(file, id, `dependency-style for ${family} must be one of ${styles[family].join(', ')}`);

  const revision = need('revision', base?.revision);
  if (!(family === 'debian' ? DEB_REVISION : RPM_RELEASE).test(revision) || revision.length > 40) {
    fail(
      file,
      id,
      family === 'debian'
        ? 'revision must start with a digit and hold only letters, digits, ".", "+" and "~"'
        : 'revision (the RPM Release) must start with a digit and hold only letters, digits, ".", "_", "+", "~" and "^"',
    );
  }

  const compression = str('compression') ?? base?.compression ?? 'xz';
  if (!['xz', 'zstd', 'gzip'].includes(compression)) fail(file, id, 'compression must be xz, zstd or gzip');

  const distribution = need('distribution', base?.distribution);
  if (!DISTRIBUTION.test(distribution) || distribution.length > 40) fail(file, id, 'distribution must be lower-case letters, digits, ".", "+" and "-"');

  const description = str('description') ?? `from ${file}${base ? `, based on ${base.id}` : ''}`;
  if (description !== singleLine(description, 160)) fail(file, id, 'description must be one line (at most 160 characters)');

  let markerEnvironment =
    base && !changedPython && str('python-full-version') === undefined ? { ...base.markerEnvironment } : defaultMarkerEnvironment(pythonFullVersion);
  const markers = t.markers;
  if (markers !== undefined) {
    if (typeof markers !== 'object' || markers === null || Array.isArray(markers))
      fail(file, id, 'markers must be a table (markers = { platform_machine = "aarch64" })');
    for (const [k, v] of Object.entries(markers as Record<string, unknown>)) {
      if (!(MARKER_KEYS as readonly string[]).includes(k))
        fail(file, id, `markers: unknown marker variable "${singleLine(k, 40)}" (known: ${MARKER_KEYS.join(', ')})`);
      if (typeof v !== 'string' || !/^[\x20-\x7e]{0,100}$/.test(v)) fail(file, id, `markers.${k} must be a printable ASCII string`);
      if ((k === 'python_version' || k === 'python_full_version') && v !== (k === 'python_version' ? pythonVersion : pythonFullVersion)) {
        fail(file, id, `markers.${k} must agree with python-version/python-full-version`);
      }
    }
    markerEnvironment = { ...markerEnvironment, ...(markers as Partial<MarkerEnvironment>) };
  }

  return completeProfile(id, {
    description,
    family,
    pythonVersion,
    pythonFullVersion,
    siteDir,
    packagePrefix,
    dependencyStyle: style as DependencyStyle,
    markerEnvironment,
    revision,
    compression: compression as Compression,
    distribution,
    ...(base?.archive !== undefined && !changedPython && distribution === base.distribution ? { archive: base.archive } : {}),
  });
}
