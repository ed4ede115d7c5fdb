/**
 * Byte-for-byte comparison of a package and its rebuild. The organization's signature is not
 * part of what py2pkg builds, so a signed original is compared without it: a .deb by its
 * debian-binary, control and data members (the bytes a debsigs signature covers, not
 * _gpgorigin), an .rpm by its main header and payload (not the signature header). An unsigned
 * original is compared whole. On a difference, diffoscope's summary when it is installed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { baseEnv, run } from '../exec.js';
import { readDebLayout } from '../sign/deb-sig.js';
import { readRpmLayout } from '../sign/rpm-header.js';
import { feed } from '../sign/sign-data.js';

export interface PackageDigest {
  /** sha256 of the whole file */
  file: string;
  /** sha256 of what py2pkg builds (without the organization's signature) */
  built: string;
  signed: boolean;
}

/** sha256 over file ranges, each after its label (`name\0length\0`) when it has one. */
async function hashRanges(path: string, ranges: Array<{ start: number; length: number; label?: string }>): Promise<string> {
  const h = createHash('sha256');
  for (const r of ranges) {
    if (r.label) await feed({ kind: 'bytes', bytes: Buffer.from(`${r.label}\0${r.length}\0`) }, [h]);
    await feed({ kind: 'ranges', ranges: [{ path, start: r.start, length: r.length }] }, [h]);
  }
  return h.digest('hex');
}

export async function packageDigest(path: string, format: 'deb' | 'rpm'): Promise<PackageDigest> {
  const { size } = await stat(path);
  const file = await hashRanges(path, [{ start: 0, length: size }]);
  if (format === 'deb') {
    const layout = await readDebLayout(path);
    const built = await hashRanges(
      path,
      layout.signed.map((m) => ({ start: m.dataOffset, length: m.size, label: m.name })),
    );
    return { file, built, signed: layout.origin !== undefined };
  }
  const layout = await readRpmLayout(path);
  const h = createHash('sha256').update(layout.header.blob);
  const payload = await hashRanges(path, [{ start: layout.payloadOffset, length: size - layout.payloadOffset }]);
  const signed = [...layout.signature.entries.keys()].some((t) => [267, 268, 1002, 1005].includes(t));
  return { file, built: createHash('sha256').update(h.digest('hex')).update(payload).digest('hex'), signed };
}

export const DIFFOSCOPE = '/usr/bin/diffoscope';
export const DIFFOSCOPE_LINES = 60;

/** diffoscope's text report, first DIFFOSCOPE_LINES lines; undefined when it is not installed. */
export async function diffoscopeSummary(original: string, rebuilt: string, timeoutMs = 5 * 60_000): Promise<string | undefined> {
  if (!existsSync(DIFFOSCOPE)) return undefined;
  const r = await run(DIFFOSCOPE, ['--no-progress', '--text', '-', '--max-text-report-size', '200000', original, rebuilt], {
    env: baseEnv(),
    timeoutMs,
    check: false,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = r.stdout.split('\n');
  const shown = lines.slice(0, DIFFOSCOPE_LINES).join('\n').trimEnd();
  return lines.length > DIFFOSCOPE_LINES ? `${shown}\n[… ${lines.length - DIFFOSCOPE_LINES} more lines: run diffoscope yourself for the whole report]` : shown;
}
