/**
 * The files of a Debian source package's debian/ directory, as pure functions of the
 * SourceContext (golden-testable without dpkg). Debian's standard shape for a Python module:
 * debhelper compat 13, dh with the pybuild build system (dh-python), the pyproject plugin for
 * PEP 517 projects, and ${python3:Depends} from dh-python's own requirement map.
 * Every value from the sdist goes through src/render/deb822.ts before it lands in a file.
 */
import { DEB_RELATION_RE } from '../../deps/options.js';
import { backendPackage } from '../../python/backends.js';
import { toDebianVersion } from '../../python/distro-version.js';
import { fieldValue, foldedText, maintainerField, synopsis, urlField } from '../../render/deb822.js';
import type { TargetProfile } from '../../targets/profiles.js';
import type { PythonMetadata } from '../../types.js';
import { debPackageName, homepageOf } from '../deb-data.js';
import { fallbackLine } from '../../description/index.js';
import type { SourceContext } from './types.js';

/** Debian's policy version the control file declares (bookworm's lintian knows it). */
export const STANDARDS_VERSION = '4.6.2';
export const DEBHELPER_COMPAT = '13';
export const SOURCE_FORMAT = '3.0 (quilt)';

/** The source package's name: Debian's convention python-<name>, from the binary's name. */
export function sourceName(meta: PythonMetadata): string {
  return `python-${debPackageName(meta).replace(/^python3-/, '')}`;
}

/** The upstream part of the Debian version (no epoch: it is not in file names). */
export function upstreamVersion(meta: PythonMetadata): string {
  return toDebianVersion(meta.version).replace(/^\d+:/, '');
}

export function sourceVersion(meta: PythonMetadata, target: TargetProfile): string {
  return `${toDebianVersion(meta.version)}-${target.revision}`;
}

/**
 * What the build needs beyond build-essential: debhelper, dh-python, the pyproject plugin,
 * python3-all[-dev], the backend and the sdist's build requirements with their bounds
 * (src/deps/build-requires.ts, computed and checked by the pipeline before the build), the
 * -dev packages of a compiled build.
 */
export function buildDepends(ctx: Pick<SourceContext, 'compiled' | 'buildSystem' | 'systemBuildDepends' | 'buildRequirements'>): string[] {
  const out: string[] = [
    `debhelper-compat (= ${DEBHELPER_COMPAT})`,
    'dh-sequence-python3',
    'dh-python',
    'pybuild-plugin-pyproject',
    ctx.compiled ? 'python3-all-dev' : 'python3-all',
  ];
  const add = (p: string | undefined): void => {
    if (p && DEB_RELATION_RE.test(p) && !out.includes(p)) out.push(p);
  };
  const requirements = ctx.buildRequirements ?? [backendPackage(ctx.buildSystem.backend)];
  for (const r of requirements) add(r);
  if (ctx.compiled) for (const p of ctx.systemBuildDepends.packages) add(p);
  return out;
}

/** debian/control: the source paragraph and the one binary package. */
export function controlText(ctx: SourceContext): string {
  const meta = ctx.metadata;
  const bin = debPackageName(meta);
  const homepage = urlField(homepageOf(meta));
  const depends = ['${python3:Depends}', '${misc:Depends}', ...(ctx.compiled ? ['${shlibs:Depends}'] : [])];
  const desc = ctx.description.trim() ? ctx.description : fallbackLine(meta);
  return [
    `Source: ${sourceName(meta)}`,
    'Section: python',
    'Priority: optional',
    `Maintainer: ${maintainerField(ctx.maintainer)}`,
    `Build-Depends: ${buildDepends(ctx).join(',\n ')}`,
    `Standards-Version: ${STANDARDS_VERSION}`,
    ...(homepage ? [`Homepage: ${homepage}`] : []),
    'Rules-Requires-Root: no',
    'Testsuite: autopkgtest-pkg-python',
    '',
    `Package: ${bin}`,
    `Architecture: ${ctx.compiled ? 'any' : 'all'}`,
    `Depends: ${depends.join(',\n ')}`,
    `Description: ${synopsis(meta.summary, `Python 3 distribution ${meta.name}`)}`,
    foldedText(desc),
    '',
  ].join('\n');
}

/**
 * debian/rules: dh with pybuild. The tests are not run at build time: py2pkg knows the
 * project's runtime requirements, not what its test suite needs (autopkgtest-pkg-python checks
 * that the module imports, from the built package).
 */
export function rulesText(ctx: Pick<SourceContext, 'metadata'>): string {
  const name = debPackageName(ctx.metadata).replace(/^python3-/, '');
  return [
    '#!/usr/bin/make -f',
    "# Written by py2pkg: Debian's standard build of a Python module (dh + pybuild).",
    '',
    `export PYBUILD_NAME=${name}`,
    "# the test suite's requirements are not declared in the sdist's metadata",
    'export PYBUILD_DISABLE=test',
    '',
    '%:',
    '\tdh $@ --buildsystem=pybuild',
    '',
  ].join('\n');
}

/** The regular expression for the sdist file names of later releases. */
export function releasePattern(sdistFilename: string, version: string): { prefix: string; ext: string } {
  const ext = /\.(tar\.gz|tgz|tar\.bz2|tar\.xz)$/i.exec(sdistFilename)?.[0] ?? '.tar.gz';
  const stem = sdistFilename.slice(0, sdistFilename.length - ext.length);
  const prefix = stem.endsWith(`-${version}`) ? stem.slice(0, stem.length - version.length - 1) : stem.replace(/-[^-]*$/, '');
  return { prefix, ext };
}

const quoteRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * debian/watch (uscan, version=4): where later releases appear, and — when upstream signs —
 * pgpsigurlmangle so that uscan checks the next release's signature against
 * debian/upstream/signing-key.asc, the keys that verified this one.
 */
export function watchText(ctx: Pick<SourceContext, 'metadata' | 'sdist' | 'index' | 'signaturePath'>, pgp: boolean): string {
  const meta = ctx.metadata;
  const { prefix, ext } = releasePattern(ctx.sdist.filename, meta.version);
  const sigSuffix = ctx.signaturePath && /\.(sig|sign)$/i.test(ctx.signaturePath) ? ctx.signaturePath.slice(ctx.signaturePath.lastIndexOf('.')) : '.asc';
  const opts = [...(pgp ? [`pgpsigurlmangle=s%$%${sigSuffix}%`] : []), 'uversionmangle=s/(\\d)[_.+-]?((rc|a|b|dev|pre|alpha|beta)\\d*)$/$1~$2/'];
  const file = `${quoteRegex(prefix)}-(\\d[\\d.]*(?:(?:rc|a|b|dev|post)\\d*)?)${quoteRegex(ext)}`;
  // PyPI through Debian's redirector (as Debian's own watch files do), or the index's project page
  const onPypi = !ctx.index || /^https:\/\/pypi\.org\/simple\/?$/.test(ctx.index.url);
  const where = onPypi
    ? `https://pypi.debian.net/${canonical(meta.name)}/${file}`
    : `${fieldValue(ctx.index!.url, 300).replace(/\s/g, '%20').replace(/\/?$/, '/')}${canonical(meta.name)}/ .*/${file}`;
  const note = pgp
    ? "uscan verifies each one's OpenPGP signature against debian/upstream/signing-key.asc"
    : 'the upstream evidence was not an OpenPGP signature: uscan cannot check it';
  return ['version=4', `# later releases; ${note}`, `opts="${opts.join(', ')}" \\`, `  ${where}`, ''].join('\n');
}

const canonical = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** debian/<binary>.docs: the provenance and SBOM go to /usr/share/doc/<binary>/ as in py2pkg's own .debs. */
export function docsText(): string {
  return 'debian/py2pkg/provenance.json\ndebian/py2pkg/sbom.cdx.json\n';
}

/** The one lintian tag that cannot apply to an organization's own package (as in src/formats/deb.ts). */
export function lintianOverrides(pkg: string): string {
  return `# py2pkg packages go to an organization's own archive, not to Debian's: there is no ITP bug to close\n${pkg}: initial-upload-closes-no-bugs\n`;
}
