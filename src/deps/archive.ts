/**
 * What a target archive offers: the version of every package py2pkg may depend on, shipped per
 * profile as data (src/deps/data/<archive>-archive.tsv, written by generate-archive.py from the
 * archive's own Packages lists). Used for two things: the epoch Debian gave a package
 * (python3-django is 3:3.2.25 on Debian 12, so `Django<4` must become `(<< 3:4~)`), and whether
 * a relation can be satisfied there at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Py2pkgError, singleLine } from '../errors.js';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';
import { debianEpoch } from './debversion.js';

export interface ArchiveEntry {
  /** the highest version in the archive; for a virtual package the provided version ('' if unversioned) */
  version: string;
  /** set for a virtual package: the real package that provides it */
  provider?: string;
}

export interface Archive {
  id: string;
  /** the header lines of the data file (which suites, which dates) */
  source: string[];
  packages: ReadonlyMap<string, ArchiveEntry>;
}

export const depsDataDir = (): string => join(projectRoot(), 'src', 'deps', 'data');

const cache = new Map<string, Archive>();

/** Parse the TSV text of an archive file (`package<TAB>version<TAB>provider`, `#` comments). */
export function parseArchive(id: string, text: string): Archive {
  const packages = new Map<string, ArchiveEntry>();
  const source: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      source.push(line.slice(1).trim());
      continue;
    }
    if (line.trim() === '') continue;
    const [name, version, provider] = line.split('\t');
    if (!name || version === undefined) throw new Error(`archive data ${id}: bad line ${JSON.stringify(line)}`);
    packages.set(name, provider ? { version, provider } : { version });
  }
  return { id, source, packages };
}

/** The archive data of a profile (`archive` field of the target profile), read once. */
export function loadArchive(id: string): Archive {
  let a = cache.get(id);
  if (!a) {
    const file = join(depsDataDir(), `${id}-archive.tsv`);
    if (!/^[a-z0-9.-]+$/.test(id) || !existsSync(file)) {
      throw new Py2pkgError(
        'CONFIG',
        `the target profile names archive data "${singleLine(id, 40)}", which py2pkg does not ship (src/deps/data/<archive>-archive.tsv)`,
      );
    }
    a = parseArchive(id, readFileSync(file, 'utf8'));
    cache.set(id, a);
  }
  return a;
}

/** The epoch the archive gives a real package (0n when it has none or the package is unknown). */
export function archiveEpoch(archive: Archive | undefined, pkg: string): bigint {
  const e = archive?.packages.get(pkg);
  if (!e || e.provider !== undefined) return 0n;
  return debianEpoch(e.version);
}
