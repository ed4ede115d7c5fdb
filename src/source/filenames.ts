/**
 * What a file on an index is, from its name alone (as pip reads it): an sdist of the project
 * (`name-version.tar.gz`, PEP 625; legacy names may hold `-` and `.`), a wheel
 * (`name-version(-build)?-py-abi-platform.whl`), another project's file, or something else.
 */
import { tryParseVersion, type Version } from '../python/pep440.js';
import { canonicalizeName } from '../python/pep508.js';

/** Archive kinds the unpack stage reads, longest first. */
export const SDIST_EXTENSIONS = ['.tar.gz', '.tgz', '.tar', '.zip'] as const;
/** sdist formats pip knows that py2pkg cannot unpack (reported, never chosen). */
const OTHER_SDIST_EXTENSIONS = ['.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma'];

export type DistFile =
  | { kind: 'sdist'; version: string; parsed: Version }
  | { kind: 'wheel'; version: string; parsed: Version }
  /** an sdist in a format py2pkg does not unpack (.tar.bz2, .tar.xz, …) */
  | { kind: 'unsupported-sdist'; version: string; parsed: Version }
  /** this project's file, but its version is not PEP 440 (pip skips those too) */
  | { kind: 'invalid-version'; version: string }
  /** another project's file, or not a distribution at all */
  | { kind: 'other' };

/**
 * `name-version.ext` split at the last `-`, as packaging's parse_sdist_filename does (the
 * extension as written); undefined for a name that is not an sdist's.
 */
export function splitSdistFilename(filename: string): { name: string; version: string; ext: string } | undefined {
  const m = /^(.+)-([^-]+)\.(tar\.gz|tgz|tar\.bz2|tar|zip)$/i.exec(filename);
  return m?.[1] && m[2] && m[3] ? { name: m[1], version: m[2], ext: m[3] } : undefined;
}

function stripExtension(filename: string, exts: readonly string[]): string | undefined {
  const lower = filename.toLowerCase();
  const ext = exts.find((e) => lower.endsWith(e));
  return ext === undefined ? undefined : filename.slice(0, -ext.length);
}

/** pip's `_find_name_version_sep`: the first `-` whose left side names the project. */
function versionAfterName(stem: string, project: string): string | undefined {
  for (let i = 0; i < stem.length; i++) {
    if (stem[i] === '-' && canonicalizeName(stem.slice(0, i)) === project) return stem.slice(i + 1);
  }
  return undefined;
}

/** Classify `filename` for the project whose canonical (PEP 503) name is `project`. */
export function classifyDistFile(filename: string, project: string): DistFile {
  if (filename.toLowerCase().endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if ((parts.length !== 5 && parts.length !== 6) || canonicalizeName(parts[0] ?? '') !== project) return { kind: 'other' };
    const version = (parts[1] ?? '').replace(/_/g, '-');
    const parsed = tryParseVersion(version);
    return parsed ? { kind: 'wheel', version, parsed } : { kind: 'invalid-version', version };
  }
  for (const [exts, kind] of [
    [SDIST_EXTENSIONS, 'sdist'],
    [OTHER_SDIST_EXTENSIONS, 'unsupported-sdist'],
  ] as const) {
    const stem = stripExtension(filename, exts);
    if (stem === undefined) continue;
    const version = versionAfterName(stem, project);
    if (version === undefined || version === '') return { kind: 'other' };
    const parsed = tryParseVersion(version);
    return parsed ? { kind, version, parsed } : { kind: 'invalid-version', version };
  }
  return { kind: 'other' };
}
