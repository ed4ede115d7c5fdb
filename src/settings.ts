/** One validated Settings object from flags, environment and config file (flags win). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { dependencyOptions, type DependencyOptions } from './deps/options.js';
import { Py2pkgError, singleLine } from './errors.js';
import { maintainerField } from './render/deb822.js';
import { looksLikeLocalPath, parseByName, sourceSettings, type ByNameRequirement, type SourceFlags, type SourceSettings } from './source/options.js';
import { parseConfigProfiles } from './targets/config.js';
import { parseProjectTable, type ProjectBuildDepends } from './python/build-depends.js';
import { BUILTIN_POLICY, DEFAULT_RULES, defaultStorePath, loadPolicyFile, parseTrustTable, type DefaultRule, type TrustPolicy } from './trust/policy.js';
import type { RepoFlags, RepoOptions } from './repo/options.js';
import { releaseSettings, type SignFlags } from './sign/options.js';
import type { SignerSpec } from './sign/signer.js';
import { defaultTargetFor, formatOf, getProfile, profiles, type TargetProfile } from './targets/profiles.js';

export interface ConvertFlags extends SourceFlags, SignFlags, RepoFlags {
  format?: string;
  target?: string;
  trustedKeys?: string;
  signature?: string;
  allowUnsigned?: boolean;
  /** the trust policy (src/trust/policy.ts) and its companions */
  trustPolicy?: string;
  trustDefault?: string;
  trustStore?: string;
  trustedRoot?: string;
  provenance?: string;
  out?: string;
  maintainer?: string;
  config?: string;
  buildTimeout?: string;
  maxUnpackedSize?: string;
  debug?: boolean;
  json?: boolean;
  quiet?: boolean;
  keepTemp?: boolean;
  /** extras promoted to hard dependencies (repeatable, comma-separated) */
  withExtras?: string[];
  /** a directory whose deb/*.hbs, rpm/*.hbs replace the built-in templates */
  templates?: string;
  /** --source: a source package (Debian .dsc, SRPM) instead of a binary one */
  source?: boolean;
  /** not a flag: the Debian packages a --recursive plan converts alongside (src/recursive/) */
  plannedPackages?: Record<string, string>;
}

export interface Settings {
  input: string;
  /** by-name runs: the requirement resolved on the index, and where to look (src/source/) */
  requirement?: ByNameRequirement;
  source?: SourceSettings;
  format: 'deb' | 'rpm';
  target: TargetProfile;
  /** --sign-key / --gpg-key, and --repo with its options (src/sign/options.ts) */
  signing?: SignerSpec;
  repo?: RepoOptions;
  trustedKeys: string | undefined;
  signature: string | undefined;
  /** PEP 740 provenance object of a local sdist (default: <sdist>.provenance when it exists) */
  provenance: string | undefined;
  allowUnsigned: boolean;
  /** --trust-policy FILE, else the config file's [trust] table, else the built-in "any" */
  trustPolicy: TrustPolicy;
  /** the TOFU trust store (--trust-store, [trust] store, default under the config directory) */
  trustStore: string;
  /** Sigstore trusted root for PEP 740 (--trusted-root, [trust] trusted-root, default the shipped public-good root) */
  trustedRoot: string | undefined;
  outDir: string;
  maintainer: string;
  buildTimeoutMs: number;
  maxUnpackedBytes: number;
  /** from the environment; when absent the pipeline derives it from the sdist */
  sourceDateEpoch: number | undefined;
  debug: boolean;
  json: boolean;
  quiet: boolean;
  keepTemp: boolean;
  configFile: string | undefined;
  /** --with-extras and the config's depends-map / extra-depends / drop-depends (src/deps/options.ts) */
  dependencies: DependencyOptions;
  /** --templates / config `templates`: the user's template directory (src/render/templates.ts) */
  templatesDir: string | undefined;
  /** --source: write a source package for the distributions' build farms (src/pipeline-source.ts) */
  sourcePackage: boolean;
  /** the config file's [project.NAME] build-depends, by PEP 503 name (src/python/build-depends.ts) */
  projectBuildDepends: ReadonlyMap<string, ProjectBuildDepends>;
}

/** Keys the config file may set (TOML, kebab-case like the flags). */
interface ConfigFile {
  maintainer?: string;
  'trusted-keys'?: string;
  out?: string;
  target?: string;
  format?: string;
  'build-timeout'?: number;
  /** profiles added by the user ([targets.NAME] tables), checked by src/targets/config.ts */
  targets?: Record<string, TargetProfile>;
  /** dependency overrides, checked by src/deps/options.ts once the format is known */
  'depends-map'?: Record<string, unknown>;
  'extra-depends'?: unknown[];
  'drop-depends'?: unknown[];
  /** the trust policy, checked by src/trust/policy.ts */
  trust?: TrustPolicy;
  /** a template directory, relative to the config file's directory */
  templates?: string;
  /** per-project tables ([project.NAME] build-depends), checked by src/python/build-depends.ts */
  project?: Map<string, ProjectBuildDepends>;
}

const CONFIG_KEYS = new Set([
  'maintainer',
  'trusted-keys',
  'out',
  'target',
  'format',
  'build-timeout',
  'targets',
  'depends-map',
  'extra-depends',
  'drop-depends',
  'trust',
  'templates',
  'project',
]);

export function configCandidates(env: NodeJS.ProcessEnv): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [join(xdg, 'py2pkg', 'config.toml'), '/etc/py2pkg/config.toml'];
}

export async function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv): Promise<{ file?: string; config: ConfigFile }> {
  const explicit = path ?? env.PY2PKG_CONFIG;
  const file = explicit ?? configCandidates(env).find((p) => existsSync(p));
  if (!file) return { config: {} };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Py2pkgError('CONFIG', `cannot read config file ${file}`);
  }
  const { parse } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Py2pkgError('CONFIG', `config file ${file} is not valid TOML: ${singleLine((e as Error).message, 160)}`);
  }
  for (const key of Object.keys(doc)) {
    if (!CONFIG_KEYS.has(key))
      throw new Py2pkgError('CONFIG', `config file ${file}: unknown key "${singleLine(key, 60)}" (known: ${[...CONFIG_KEYS].join(', ')})`);
  }
  const str = (k: keyof ConfigFile) => {
    const v = doc[k];
    if (v !== undefined && typeof v !== 'string') throw new Py2pkgError('CONFIG', `config file ${file}: ${k} must be a string`);
  };
  (['maintainer', 'trusted-keys', 'out', 'target', 'format', 'templates'] as const).forEach(str);
  if (doc['build-timeout'] !== undefined && typeof doc['build-timeout'] !== 'number')
    throw new Py2pkgError('CONFIG', `config file ${file}: build-timeout must be a number of seconds`);
  const targets = doc.targets === undefined ? undefined : parseConfigProfiles(doc.targets, file);
  const dm = doc['depends-map'];
  if (dm !== undefined && (typeof dm !== 'object' || dm === null || Array.isArray(dm)))
    throw new Py2pkgError('CONFIG', `config file ${file}: depends-map must be a table (name = "relation")`);
  for (const k of ['extra-depends', 'drop-depends'] as const) {
    if (doc[k] !== undefined && !Array.isArray(doc[k])) throw new Py2pkgError('CONFIG', `config file ${file}: ${k} must be a list of strings`);
  }
  const trust = doc.trust === undefined ? undefined : parseTrustTable(doc.trust, file);
  const project = doc.project === undefined ? undefined : parseProjectTable(doc.project, file);
  return { file, config: { ...(doc as ConfigFile), ...(targets ? { targets } : {}), ...(trust ? { trust } : {}), ...(project ? { project } : {}) } };
}

function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Py2pkgError('USAGE', `${flag} wants a positive whole number, got "${singleLine(value, 40)}"`);
  return Number(value);
}

export function parseSourceDateEpoch(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new Py2pkgError('USAGE', `SOURCE_DATE_EPOCH must be a whole number of seconds, got "${singleLine(v, 40)}"`);
  return Number(v);
}

function pickMaintainer(flag: string | undefined, config: string | undefined, env: NodeJS.ProcessEnv): string {
  const debian = env.DEBEMAIL ? (env.DEBFULLNAME ? `${env.DEBFULLNAME} <${env.DEBEMAIL}>` : env.DEBEMAIL) : undefined;
  const candidates: Array<[string, string | undefined]> = [
    ['--maintainer', flag],
    ['config maintainer', config],
    ['DEBFULLNAME/DEBEMAIL', debian],
  ];
  for (const [source, value] of candidates) {
    if (value === undefined) continue;
    try {
      return maintainerField(value);
    } catch {
      throw new Py2pkgError('MAINTAINER', `${source} is not a valid "Full Name <email>": "${singleLine(value, 80)}"`);
    }
  }
  return DEFAULT_MAINTAINER;
}

/** Used when nothing names a maintainer; documented in the README. Never "None <None>". */
export const DEFAULT_MAINTAINER = 'py2pkg automatic packager <py2pkg@packaging.invalid>';

export async function resolveSettings(input: string, flags: ConvertFlags, env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const { file, config } = await loadConfig(flags.config, env);
  const extra = config.targets ?? {};
  const known = () => [...Object.keys(profiles), ...Object.keys(extra)].join(', ');
  const flagProfile = flags.target === undefined ? undefined : getProfile(flags.target, extra);
  const configProfile = config.target === undefined ? undefined : getProfile(config.target, extra);
  if (config.target !== undefined && !configProfile)
    throw new Py2pkgError('CONFIG', `config file ${file}: unknown target "${singleLine(config.target, 40)}" (known: ${known()})`);
  // a flag beats the config file; --target alone implies its format; a format alone picks
  // the config file's target when it is of that format, else the documented default
  const format = flags.format ?? (flagProfile ? formatOf(flagProfile) : undefined) ?? config.format ?? (configProfile ? formatOf(configProfile) : 'deb');
  if (format !== 'deb' && format !== 'rpm') {
    throw new Py2pkgError('USAGE', `--format ${singleLine(format, 20)} is not supported (supported: deb, rpm)`);
  }
  const targetId = flags.target ?? (configProfile && formatOf(configProfile) === format ? configProfile.id : defaultTargetFor[format]);
  const target = getProfile(targetId, extra);
  if (!target) throw new Py2pkgError('USAGE', `unknown --target "${singleLine(targetId, 40)}" (known: ${known()})`);
  if (formatOf(target) !== format) {
    const fitting = [...Object.values(profiles), ...Object.values(extra)].filter((p) => formatOf(p) === format).map((p) => p.id);
    throw new Py2pkgError(
      'USAGE',
      `--target ${target.id} is ${formatOf(target) === 'rpm' ? 'an' : 'a'} ${formatOf(target)} target, not ${format}: use --format ${formatOf(target)}, or one of ${fitting.join(', ')}`,
    );
  }
  const buildTimeoutS = flags.buildTimeout !== undefined ? positiveInt(flags.buildTimeout, '--build-timeout') : (config['build-timeout'] ?? 900);
  const maxMiB = flags.maxUnpackedSize !== undefined ? positiveInt(flags.maxUnpackedSize, '--max-unpacked-size') : 512;
  const trusted = flags.trustedKeys ?? config['trusted-keys'] ?? env.PY2PKG_TRUSTED_KEYS;
  const byName = looksLikeLocalPath(input) ? undefined : parseByName(input);
  const settings: Settings = {
    input: resolve(input),
    ...(byName ? { requirement: byName, source: await sourceSettings(flags, env) } : {}),
    ...releaseSettings(flags, env),
    format,
    target,
    trustedKeys: trusted ? resolve(trusted) : undefined,
    signature: flags.signature ? resolve(flags.signature) : undefined,
    provenance: flags.provenance ? resolve(flags.provenance) : undefined,
    allowUnsigned: Boolean(flags.allowUnsigned),
    ...(await trustSettings(flags, config.trust, env)),
    outDir: resolve(flags.out ?? config.out ?? '.'),
    maintainer: pickMaintainer(flags.maintainer, config.maintainer, env),
    buildTimeoutMs: buildTimeoutS * 1000,
    maxUnpackedBytes: maxMiB * 1024 * 1024,
    sourceDateEpoch: parseSourceDateEpoch(env),
    debug: Boolean(flags.debug),
    json: Boolean(flags.json),
    quiet: Boolean(flags.quiet),
    keepTemp: Boolean(flags.keepTemp),
    configFile: file,
    projectBuildDepends: config.project ?? new Map(),
    templatesDir:
      flags.templates !== undefined ? resolve(flags.templates) : config.templates !== undefined ? resolve(dirname(file ?? '.'), config.templates) : undefined,
    dependencies: dependencyOptions(
      {
        withExtras: flags.withExtras ?? [],
        dependsMap: config['depends-map'] ?? {},
        extraDepends: config['extra-depends'] ?? [],
        dropDepends: config['drop-depends'] ?? [],
      },
      format,
      `config file ${file ?? ''}`,
    ),
    sourcePackage: Boolean(flags.source),
  };
  if (flags.plannedPackages) settings.dependencies = { ...settings.dependencies, provided: flags.plannedPackages };
  return settings;
}

/** The trust policy and its files: flags beat the policy file, which beats the config file's [trust]. */
export async function trustSettings(
  flags: Pick<ConvertFlags, 'trustPolicy' | 'trustDefault' | 'trustStore' | 'trustedRoot'>,
  fromConfig: TrustPolicy | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Pick<Settings, 'trustPolicy' | 'trustStore' | 'trustedRoot'>> {
  let policy = flags.trustPolicy ? await loadPolicyFile(resolve(flags.trustPolicy)) : (fromConfig ?? BUILTIN_POLICY);
  if (flags.trustDefault !== undefined) {
    if (!(DEFAULT_RULES as readonly string[]).includes(flags.trustDefault))
      throw new Py2pkgError('USAGE', `--trust-default must be one of ${DEFAULT_RULES.join(', ')}, not "${singleLine(flags.trustDefault, 20)}"`);
    policy = { ...policy, default: flags.trustDefault as DefaultRule, source: `${policy.source} with --trust-default ${flags.trustDefault}` };
  }
  const root = flags.trustedRoot ? resolve(flags.trustedRoot) : policy.trustedRoot;
  return {
    trustPolicy: policy,
    trustStore: flags.trustStore ? resolve(flags.trustStore) : (policy.store ?? env.PY2PKG_TRUST_STORE ?? defaultStorePath(env)),
    trustedRoot: root,
  };
}
