/**
 * The shared test vectors, read at run time from ../shared/vectors (read-only, beside the
 * repository; see its README.md). Tests that use them skip with a reason when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPy2pkgError } from '../../src/errors.js';

export const VECTORS = fileURLToPath(new URL('../../../../shared/vectors/', import.meta.url));
export const noVectors: false | string = existsSync(VECTORS) ? false : `vectors not found at ${VECTORS}`;

/** A tab-separated vector file as rows keyed by its header line. */
export function readTsv(rel: string): Array<Record<string, string>> {
  const lines = readFileSync(VECTORS + rel, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const header = (lines[0] as string).split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

export function invalidMetadata(e: unknown): boolean {
  return isPy2pkgError(e) && e.code === 'METADATA_INVALID';
}
