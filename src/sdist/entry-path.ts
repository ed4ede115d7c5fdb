/**
 * Path policy for archive entries: which names and link targets may exist at all. A name is
 * a plain relative path (no absolute path, drive letter, backslash, '..', control character),
 * at most MAX_PATH_BYTES long with components of at most MAX_COMPONENT_BYTES. Where a name
 * may go in the tree (through which directories and links) is extract-tree.ts's question.
 */
import { quote, unsafe } from './archive-errors.js';
import { MAX_COMPONENT_BYTES, MAX_PATH_BYTES } from './unpack-limits.js';

/** Split an entry name into components, refusing anything that is not a plain relative path. */
export function splitEntryPath(raw: string, what = 'entry'): string[] {
  if (raw.length === 0) throw unsafe(`${what} with an empty name`);
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES) throw unsafe(`${what} ${quote(raw)} has a name longer than ${MAX_PATH_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw unsafe(`${what} ${quote(raw)} has control characters in its name`);
  if (raw.includes('\\')) throw unsafe(`${what} ${quote(raw)} has a backslash in its name`);
  if (raw.startsWith('/')) throw unsafe(`${what} ${quote(raw)} is an absolute path`);
  if (/^[A-Za-z]:/.test(raw)) throw unsafe(`${what} ${quote(raw)} starts with a drive letter`);
  const comps = raw.split('/').filter((c) => c !== '' && c !== '.');
  if (comps.includes('..')) throw unsafe(`${what} ${quote(raw)} has a '..' component`);
  if (comps.some((c) => Buffer.byteLength(c) > MAX_COMPONENT_BYTES))
    throw unsafe(`${what} ${quote(raw)} has a path component longer than ${MAX_COMPONENT_BYTES} bytes`);
  return comps;
}

/** Fold a path the way case-insensitive, normalising file systems (macOS) may. */
export function fold(key: string): string {
  return key.normalize('NFD').toLowerCase();
}

export function checkLinkText(raw: string, target: string): void {
  if (target.length === 0) throw unsafe(`link ${quote(raw)} has an empty target`);
  if (Buffer.byteLength(target) > MAX_PATH_BYTES) throw unsafe(`link ${quote(raw)} has a target longer than ${MAX_PATH_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(target)) throw unsafe(`link ${quote(raw)} has control characters in its target`);
  if (target.includes('\\')) throw unsafe(`link ${quote(raw)} has a backslash in its target ${quote(target)}`);
  if (/^[A-Za-z]:/.test(target)) throw unsafe(`link ${quote(raw)} points to ${quote(target)} (a drive letter)`);
}
