/**
 * Pure functions from an SrpmRequest to the values the SRPM's spec needs
 * (templates/rpm-source/source.spec.hbs): Fedora's layout — source package `python-<name>`,
 * binary subpackage `python3-<name>` — and its pyproject macros. Every value from the sdist
 * is validated here (names that rpm or a shell word cannot take are refused or left out) and
 * stays Untrusted where it is free text, for the template's escaping helpers.
 * test/unit/srpm-data.test.ts checks these without rpmbuild.
 */
import { Py2pkgError, singleLine } from '../../errors.js';
import { untrusted, type Untrusted } from '../../render/engine.js';
import { isRpmDependency } from '../../render/rpmspec.js';
import { fallbackLine } from '../../description/index.js';
import type { TargetProfile } from '../../targets/profiles.js';
import { homepageOf, trustLines } from '../deb-data.js';
import { rpmEVR, rpmLicense, rpmPackageName } from '../rpm-data.js';
import type { SrpmRequest } from './srpm-types.js';

/** A file name or path a spec line can hold literally (no glob, quote, blank, `%` or `..`). */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const PLAIN_RELPATH = /^[A-Za-z0-9][A-Za-z0-9._+-]*(\/[A-Za-z0-9][A-Za-z0-9._+-]*)*$/;
const IMPORT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Source numbers: fixed, whatever is present (rpm allows gaps). */
export const SOURCE = { sdist: 0, signature: 1, keyring: 2, provenance: 3, sbom: 4, pep740: 5 } as const;
export const PROVENANCE_FILE = 'provenance.json';
export const SBOM_FILE = 'sbom.cdx.json';

/** `Release:` as written (`1%{?dist}`) and the %dist a build for the target defines (`.el9`). */
export function releaseOf(target: TargetProfile): { release: string; dist: string } {
  const revision = target.revision;
  const suffix = `.${target.distribution}`;
  if (target.distribution && revision.endsWith(suffix) && revision.length > suffix.length) return { release: revision.slice(0, -suffix.length), dist: suffix };
  return { release: revision, dist: '' };
}

/**
 * The macros a build farm's buildroot for the target defines and the spec's Release reads:
 * `%dist`, and `%rhel`/`%el<N>` or `%fedora`/`%fc<N>` from the profile's dist tag.
 */
export function targetMacros(target: TargetProfile): Array<[string, string]> {
  const { dist } = releaseOf(target);
  const out: Array<[string, string]> = [];
  if (dist) out.push(['dist', dist]);
  const el = /^el(\d+)$/.exec(target.distribution);
  const fc = /^fc(\d+)$/.exec(target.distribution);
  if (el) out.push(['rhel', el[1] as string], [`el${el[1]}`, '1']);
  if (fc) out.push(['fedora', fc[1] as string], [`fc${fc[1]}`, '1']);
  return out;
}

/** Fedora's source package name: `python-` + the binary's name without its `python3-` prefix. */
export function srpmName(req: Pick<SrpmRequest, 'metadata' | 'target'>): string {
  const bin = rpmPackageName(req.metadata, req.target);
  const stem = bin.startsWith(req.target.packagePrefix) ? bin.slice(req.target.packagePrefix.length) : bin;
  return `python-${stem}`;
}

/** The SRPM's file name rpmbuild writes (dist expanded). */
export function srpmFileName(req: Pick<SrpmRequest, 'metadata' | 'target'>): string {
  const evr = rpmEVR(req.metadata, req.target);
  const { release, dist } = releaseOf(req.target);
  return `${srpmName(req)}-${evr.version}-${release}${dist}.src.rpm`;
}

/** `<file>.asc` for an armored signature, `<file>.sig` for a binary one. */
export function signatureName(sdistFilename: string, signature: Uint8Array): string {
  return `${sdistFilename}${Buffer.from(signature.subarray(0, 64)).toString('latin1').includes('-----BEGIN PGP') ? '.asc' : '.sig'}`;
}

export const keyringName = (req: Pick<SrpmRequest, 'metadata' | 'target'>): string => `${srpmName(req)}.gpg`;

/** Top-level documentation files of an sdist worth %doc: README, CHANGES, NEWS, ... (sorted). */
export function pickDocFiles(names: readonly string[]): string[] {
  return names
    .filter(
      (n) =>
        PLAIN_NAME.test(n) && /^(README|CHANGES|CHANGELOG|HISTORY|NEWS|AUTHORS)([._-][A-Za-z0-9._-]*)?$/i.test(n) && n !== PROVENANCE_FILE && n !== SBOM_FILE,
    )
    .sort();
}

export interface SrpmSource {
  n: number;
  /** a file name or an http(s) URL ending in it, `%` not yet escaped */
  value: Untrusted;
}

export interface SrpmSpecData {
  [key: string]: unknown;
  name: string;
  pkg: string;
  epoch: string;
  version: string;
  /** the Release before %{?dist} */
  release: string;
  withDist: boolean;
  /** `[E:]V-R` for %changelog, without the dist tag (Fedora's way) */
  evr: string;
  summary: Untrusted;
  summaryFallback: Untrusted;
  license: Untrusted;
  url: Untrusted;
  description: Untrusted;
  descriptionFallback: Untrusted;
  sources: SrpmSource[];
  noarch: boolean;
  buildRequires: string[];
  pgp: boolean;
  /** `%autosetup -n` */
  topDir: string;
  /** %pyproject_save_files arguments: import names, or `'*'` */
  saveFiles: string[];
  licenses: string[];
  docs: string[];
  scripts: string[];
  /** spec header comment: the backend, one plain token */
  backend: string;
  packager: Untrusted;
  timestamp: number;
  changelog: Untrusted[];
}

function plain(name: string, what: string): string {
  if (!PLAIN_NAME.test(name)) throw new Py2pkgError('RPM_FILE_NAME', `the ${what} ${singleLine(JSON.stringify(name), 120)} is not a name a spec file can hold`);
  return name;
}

/** Source0: the index URL when it names the same file over http(s), else the file name. */
function sdistSource(filename: string, url: string | undefined): string {
  if (url && /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/+-]*$/.test(url) && url.endsWith(`/${filename}`) && url.length <= 1000) return url;
  return filename;
}

export function srpmSpecData(req: SrpmRequest, signatureFile?: string): SrpmSpecData {
  const { metadata: meta, target } = req;
  const name = srpmName(req);
  const pkg = rpmPackageName(meta, target);
  const evr = rpmEVR(meta, target);
  const { release, dist } = releaseOf(target);
  const pgp = req.evidence.kind === 'pgp';
  if (pgp && !signatureFile) throw new Error('srpmSpecData: PGP evidence needs the signature file name');

  const sdistFile = plain(req.sdist.filename, 'sdist file name');
  const topDir = plain(req.sdistTopDir ?? `${meta.name}-${meta.version}`, 'sdist top directory');
  const sources: SrpmSource[] = [{ n: SOURCE.sdist, value: untrusted(sdistSource(sdistFile, req.sourceUrl)) }];
  if (pgp)
    sources.push(
      { n: SOURCE.signature, value: untrusted(plain(signatureFile as string, 'signature file name')) },
      { n: SOURCE.keyring, value: untrusted(keyringName(req)) },
    );
  sources.push({ n: SOURCE.provenance, value: untrusted(PROVENANCE_FILE) }, { n: SOURCE.sbom, value: untrusted(SBOM_FILE) });
  if (req.evidence.kind === 'pep740' && req.evidence.provenancePath) sources.push({ n: SOURCE.pep740, value: untrusted(`${sdistFile}.provenance`) });

  const extra = req.extraBuildRequires ?? [];
  const bad = extra.find((d) => !isRpmDependency(d));
  if (bad !== undefined) throw new Py2pkgError('CONFIG', `${singleLine(bad, 120)} is not an RPM build dependency`);
  // pyproject-rpm-macros by name: Fedora's python3-devel pulls it in, EL9's does not
  const buildRequires = ['python3-devel', 'pyproject-rpm-macros', ...(req.compiled ? ['gcc'] : []), ...(pgp ? ['gnupg2'] : []), ...extra];

  for (const n of req.importNames)
    if (!IMPORT_NAME.test(n))
      throw new Py2pkgError(
        'METADATA_INVALID',
        `the wheel installs a top-level module named ${singleLine(JSON.stringify(n), 80)}, which is no Python identifier`,
      );
  const scripts = [...new Set(req.consoleScripts)].sort().map((s) => plain(s, 'console script'));
  const licenses = [...new Set(req.licenseTexts.map((t) => t.name))].filter((n) => PLAIN_RELPATH.test(n) && !n.split('/').includes('..')).sort();

  return {
    name,
    pkg,
    epoch: evr.epoch !== undefined ? String(evr.epoch) : '',
    version: evr.version,
    release,
    withDist: dist !== '',
    evr: `${evr.epoch !== undefined ? `${evr.epoch}:` : ''}${evr.version}-${release}`,
    summary: untrusted(meta.summary),
    summaryFallback: untrusted(`Python 3 distribution ${meta.name}`),
    license: untrusted(rpmLicense(meta, req.licenseTexts)),
    url: untrusted(homepageOf(meta)),
    description: untrusted(req.description),
    descriptionFallback: untrusted(fallbackLine(meta)),
    sources,
    noarch: !req.compiled,
    buildRequires,
    pgp,
    topDir,
    saveFiles: req.importNames.length > 0 ? [...new Set(req.importNames)].sort() : ["'*'"],
    licenses,
    docs: [...pickDocFiles(req.docFiles ?? []), PROVENANCE_FILE, SBOM_FILE],
    scripts,
    backend: req.buildBackend && /^[A-Za-z0-9_.:-]{1,100}$/.test(req.buildBackend) ? req.buildBackend : 'unknown',
    packager: untrusted(req.maintainer),
    timestamp: req.sourceDateEpoch,
    changelog: [
      `Source package of the Python sdist ${req.sdist.filename} made by py2pkg ${req.toolVersion} for ${target.id}.`,
      `Source0 is the verified sdist, sha256 ${req.sdist.sha256}.`,
      ...(pgp ? ['The prep section checks its upstream OpenPGP signature (Source1) against the pinned keys (Source2).'] : []),
      ...trustLines(req.provenance),
    ].map(untrusted),
  };
}

/**
 * The top-level import names a built wheel installs (package paths from the build stage):
 * the entries directly below the site directory, without .dist-info, __pycache__ and
 * non-identifiers; `foo.py` and `_foo.cpython-311-x86_64-linux-gnu.so` count as `foo`, `_foo`.
 */
export function importNamesOf(paths: readonly string[], siteDir: string): string[] {
  const names = new Set<string>();
  for (const p of paths) {
    if (!p.startsWith(`${siteDir}/`)) continue;
    const first = p.slice(siteDir.length + 1).split('/')[0] as string;
    if (first.endsWith('.dist-info') || first.endsWith('.egg-info') || first === '__pycache__' || first.endsWith('.pth')) continue;
    const stem = first
      .replace(/\.py$/, '')
      .replace(/\.(cpython-[^.]+|abi3)?\.so$/, '')
      .replace(/\.so$/, '');
    if (IMPORT_NAME.test(stem)) names.add(stem);
  }
  return [...names].sort();
}
