/**
 * What a signature covers, without holding it in memory: bytes already in memory (a Release
 * file, an RPM header) or ranges of files read in chunks (the members of a .deb, a 1 GB file).
 */
import { createReadStream } from 'node:fs';
import type { Hash } from 'node:crypto';

export interface FileRange {
  path: string;
  /** byte offset where the range starts */
  start: number;
  /** number of bytes */
  length: number;
}

export type SignData =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'ranges'; ranges: FileRange[] }
  /** read once, as it arrives (rpmsign's data through the helper's socket) */
  | { kind: 'stream'; stream: AsyncIterable<Uint8Array> };

export const bytesData = (bytes: Uint8Array | string): SignData => ({ kind: 'bytes', bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes });

export function fileData(path: string, size: number): SignData {
  return { kind: 'ranges', ranges: [{ path, start: 0, length: size }] };
}

/** Chunk size for streamed reads: large enough for fast hashing, small enough for flat memory. */
export const READ_CHUNK = 1024 * 1024;

/** Feed every byte of `data` to the hashes, reading files in chunks. */
export async function feed(data: SignData, hashes: Hash[]): Promise<void> {
  if (data.kind === 'bytes') {
    for (const h of hashes) h.update(data.bytes);
    return;
  }
  if (data.kind === 'stream') {
    for await (const c of data.stream) for (const h of hashes) h.update(c);
    return;
  }
  for (const r of data.ranges) {
    if (r.length === 0) continue;
    const stream = createReadStream(r.path, { start: r.start, end: r.start + r.length - 1, highWaterMark: READ_CHUNK });
    let seen = 0;
    for await (const chunk of stream) {
      const c = chunk as Buffer;
      seen += c.length;
      for (const h of hashes) h.update(c);
    }
    if (seen !== r.length) throw new Error(`${r.path} ended after ${seen} of ${r.length} bytes (changed while it was read?)`);
  }
}

/** Total number of bytes `data` covers. */
export function dataLength(data: SignData): number | undefined {
  if (data.kind === 'stream') return undefined;
  return data.kind === 'bytes' ? data.bytes.length : data.ranges.reduce((n, r) => n + r.length, 0);
}
