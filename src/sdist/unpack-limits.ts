/**
 * The unpack stage's limits: sizes, counts, name lengths and the work symlink resolution may
 * take. Every bound an archive can push against is here; the metadata files' own size limits
 * are in read-limits.ts.
 */

export interface UnpackLimits {
  /** total expanded size of all regular files, in bytes (default 512 MiB) */
  maxBytes: number;
  /** number of entries (files, directories, links) (default 20000) */
  maxEntries: number;
  /** largest single file, in bytes (default: no limit beyond maxBytes) */
  maxEntryBytes?: number;
}

export interface UnpackResult {
  /** absolute path of the single top-level directory */
  root: string;
  /** entries extracted (files, directories, links) */
  entries: number;
  /** bytes of regular-file data written */
  bytes: number;
}

export const DEFAULT_UNPACK_LIMITS: Readonly<UnpackLimits> = Object.freeze({
  maxBytes: 512 * 1024 * 1024,
  maxEntries: 20000,
});

/** Max symlinks followed while resolving one link (Linux uses 40 too). */
export const MAX_SYMLINK_HOPS = 40;
/**
 * Longest entry name or link target, in UTF-8 bytes, and longest path component (NAME_MAX).
 * Without a bound a pax header may carry a 1 MiB name of 500 000 components, and every
 * check on it costs its length times its depth.
 */
export const MAX_PATH_BYTES = 1024;
export const MAX_COMPONENT_BYTES = 255;
/** Directories a tree may hold beyond its entries (the parents its paths imply), as a multiple of maxEntries. */
export const IMPLIED_DIRS_PER_ENTRY = 1;
/** Path components walked while resolving all symlinks of one archive, together. */
export const MAX_SYMLINK_STEPS = 256 * 1024;
/** Largest pax / GNU long-name header node-tar will buffer; bigger ones are refused. */
export const MAX_META_ENTRY = 1024 * 1024;
/** Read size for the archive file. */
export const CHUNK = 64 * 1024;

/** The limits a caller gave, completed with the defaults and checked. */
export function resolveLimits(limits: Partial<UnpackLimits> | undefined): UnpackLimits {
  const out: UnpackLimits = {
    maxBytes: limits?.maxBytes ?? DEFAULT_UNPACK_LIMITS.maxBytes,
    maxEntries: limits?.maxEntries ?? DEFAULT_UNPACK_LIMITS.maxEntries,
  };
  if (limits?.maxEntryBytes !== undefined) out.maxEntryBytes = limits.maxEntryBytes;
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`unpackSdist: limit ${k} must be a non-negative integer`);
  }
  return out;
}
