/**
 * The Apt repository's index files as text, from typed entries (pure): Packages stanzas
 * (the package's control paragraph plus Filename, Size and hashes), Release (with SHA256
 * and SHA512 of every index file, Valid-Until when asked), pool paths and file names.
 */
import { get, parseParagraphs, render, type Paragraph } from './deb822-parse.js';
import { compareText } from '../text-order.js';

export interface DebEntry {
  component: string;
  name: string;
  version: string;
  arch: string;
  /** path of the .deb relative to the repository root (pool/...) */
  filename: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  /** sha256 over debian-binary + control.tar + data.tar: the same package whatever its signature */
  content: string;
  /** the control paragraph, as dpkg-deb printed it (checked) */
  control: string;
}

export const PACKAGE_NAME = /^[a-z0-9][a-z0-9.+-]+$/;
export const DEB_VERSION = /^(\d+:)?[0-9][A-Za-z0-9.+~:-]*$/;
export const DEB_ARCH = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** Fields the repository writes itself; a package cannot bring its own. */
const REPO_FIELDS = new Set(['filename', 'size', 'md5sum', 'sha1', 'sha256', 'sha512', 'description-md5']);

export interface ControlFacts {
  name: string;
  version: string;
  arch: string;
  source: string;
  control: string;
}

/** Check a control paragraph read from a .deb and keep what Packages may carry. */
export function checkControl(text: string): ControlFacts {
  const paragraphs = parseParagraphs(text);
  if (paragraphs.length !== 1) throw new Error('the control file must hold exactly one paragraph');
  const p = paragraphs[0]!;
  const name = get(p, 'Package') ?? '';
  const version = get(p, 'Version') ?? '';
  const arch = get(p, 'Architecture') ?? '';
  if (!PACKAGE_NAME.test(name)) throw new Error(`bad Package field "${name.slice(0, 60)}"`);
  if (!DEB_VERSION.test(version) || version.length > 128) throw new Error(`bad Version field "${version.slice(0, 60)}"`);
  if (!DEB_ARCH.test(arch)) throw new Error(`bad Architecture field "${arch.slice(0, 40)}"`);
  const sourceField = (get(p, 'Source') ?? name).split(/\s/)[0] ?? name;
  const source = PACKAGE_NAME.test(sourceField) ? sourceField : name;
  const kept: Paragraph = p.filter((f) => !REPO_FIELDS.has(f.name.toLowerCase()));
  return { name, version, arch, source, control: render(kept).trimEnd() };
}

export function debFileName(name: string, version: string, arch: string): string {
  return `${name}_${version.replace(/^\d+:/, '')}_${arch}.deb`;
}

/** pool/<component>/<l or libX>/<source>/ as Debian lays it out. */
export function poolDir(component: string, source: string): string {
  const prefix = source.startsWith('lib') && source.length > 3 ? source.slice(0, 4) : source.slice(0, 1);
  return `pool/${component}/${prefix}/${source}`;
}

export function packagesStanza(e: DebEntry): string {
  return `${e.control}\nFilename: ${e.filename}\nSize: ${e.size}\nMD5sum: ${e.md5}\nSHA1: ${e.sha1}\nSHA256: ${e.sha256}\n`;
}

/** The architectures the index has: all and amd64 always, plus any a package brings. */
export function indexArchs(entries: DebEntry[]): string[] {
  const set = new Set(['all', 'amd64', ...entries.map((e) => e.arch)]);
  return [...set].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : compareText(a, b)));
}

/**
 * Packages for one component and architecture: the architecture's own packages and the
 * `all` packages (listed in every binary-<arch> too, so that apt versions that ignore
 * binary-all still see them).
 */
export function packagesFile(entries: DebEntry[], component: string, arch: string): string {
  return entries
    .filter((e) => e.component === component && (e.arch === arch || e.arch === 'all'))
    .sort(byNameVersionArch)
    .map(packagesStanza)
    .join('\n');
}

/** Code-unit order (names, versions and architectures are ASCII), the same whatever the locale. */
function byNameVersionArch(a: DebEntry, b: DebEntry): number {
  return compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.arch, b.arch);
}

/** RFC 1123 date in UTC as apt writes it. */
export function releaseDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, 'UTC');
}

export interface IndexFile {
  /** relative to dists/<suite>/ */
  path: string;
  size: number;
  sha256: string;
  sha512: string;
}

export interface ReleaseInput {
  origin: string;
  label: string;
  suite: string;
  components: string[];
  archs: string[];
  date: Date;
  validUntil?: Date;
  files: IndexFile[];
}

export function releaseText(r: ReleaseInput): string {
  const files = [...r.files].sort((a, b) => compareText(a.path, b.path));
  const width = Math.max(...files.map((f) => String(f.size).length), 1);
  const list = (hash: 'sha256' | 'sha512') => files.map((f) => ` ${f[hash]} ${String(f.size).padStart(width)} ${f.path}`).join('\n');
  return [
    `Origin: ${r.origin}`,
    `Label: ${r.label}`,
    `Suite: ${r.suite}`,
    `Codename: ${r.suite}`,
    `Date: ${releaseDate(r.date)}`,
    ...(r.validUntil ? [`Valid-Until: ${releaseDate(r.validUntil)}`] : []),
    `Architectures: ${r.archs.join(' ')}`,
    `Components: ${r.components.join(' ')}`,
    'Description: signed by py2pkg',
    'SHA256:',
    list('sha256'),
    'SHA512:',
    list('sha512'),
    '',
  ].join('\n');
}

/** Parse the SHA256 (or SHA512) list of a Release paragraph. */
export function releaseFiles(p: Paragraph, field = 'SHA256'): Array<{ hash: string; size: number; path: string }> {
  const v = get(p, field);
  if (v === undefined) return [];
  const out: Array<{ hash: string; size: number; path: string }> = [];
  for (const line of v.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const m = /^([0-9a-f]+)\s+(\d+)\s+(\S+)$/.exec(t);
    if (!m) throw new Error(`bad ${field} line in Release: ${t.slice(0, 80)}`);
    out.push({ hash: m[1]!, size: Number(m[2]), path: m[3]! });
  }
  return out;
}
