/** The unpack stage's refusals (ARCHIVE_*), and entry names made safe to show in them. */
import { Py2pkgError, singleLine } from '../errors.js';

/** An entry name made printable, bounded and quoted for an error message. */
export function quote(name: string): string {
  const short = name.length > 160 ? `${name.slice(0, 160)}…` : name;
  return singleLine(JSON.stringify(short));
}

export const unsafe = (msg: string): Py2pkgError => new Py2pkgError('ARCHIVE_UNSAFE', msg);
export const corrupt = (msg: string, cause?: unknown): Py2pkgError => new Py2pkgError('ARCHIVE_CORRUPT', msg, cause === undefined ? {} : { cause });
export const tooLarge = (msg: string): Py2pkgError => new Py2pkgError('ARCHIVE_TOO_LARGE', msg);
export const layout = (msg: string): Py2pkgError => new Py2pkgError('ARCHIVE_LAYOUT', msg);

export function errMessage(e: unknown): string {
  return singleLine(e instanceof Error ? e.message : String(e), 200);
}

/** Turn what the decompressor, node-tar or a stream threw into the catalogue's errors. */
export function classify(e: unknown): Error {
  if (e instanceof Py2pkgError) return e;
  const err = e as { code?: unknown; tarCode?: unknown } | null;
  if (err && typeof err === 'object') {
    if (typeof err.tarCode === 'string') return corrupt(`not a valid tar archive: ${errMessage(e)}`, e);
    if (typeof err.code === 'string' && err.code.startsWith('Z_')) return corrupt(`corrupt compressed data: ${errMessage(e)}`, e);
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE') return corrupt(`archive stream ended early: ${errMessage(e)}`, e);
  }
  return e instanceof Error ? e : new Error(String(e));
}
