/**
 * The one bounded reader of src/trust: a regular file of at most `max` bytes, or why not.
 * Callers map each reason to their own error (a missing signature, an oversized trusted root,
 * an unreadable trust store) so every message names what the file was for.
 */
import { open } from 'node:fs/promises';

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}

export async function readBounded(
  path: string,
  max: number,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; why: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; error?: unknown }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = errnoCode(e);
    return { ok: false, why: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', error: e };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, why: 'not-a-file' };
    if (st.size > max) return { ok: false, why: 'too-large' };
    const bytes = await fh.readFile();
    if (bytes.length > max) return { ok: false, why: 'too-large' };
    return { ok: true, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  } catch (e) {
    return { ok: false, why: 'unreadable', error: e };
  } finally {
    await fh.close();
  }
}
