/**
 * `py2pkg verify --rebuild PKG`: the command's shell around src/rebuild/: read the build
 * record, rebuild, print the verdict (or --json), exit 16 (REBUILD_DIFFERS) on a difference
 * after showing diffoscope's summary.
 */
import type { Io } from './context.js';
import { Py2pkgError, singleLine } from '../errors.js';
import type { RebuildFlags } from '../rebuild/rebuild.js';

export async function runVerifyRebuild(path: string, flags: RebuildFlags, io: Io): Promise<void> {
  const [{ readPackageRecord }, { rebuildPackage }] = await Promise.all([import('../rebuild/record.js'), import('../rebuild/rebuild.js')]);
  const rec = await readPackageRecord(path);
  const progress = flags.quiet || flags.json ? () => {} : (m: string) => io.err(`py2pkg: ${m}\n`);
  const r = await rebuildPackage(rec, flags, progress);
  if (flags.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
  if (r.identical) {
    if (!flags.json && !flags.quiet)
      io.out(
        `${path}: rebuilt from ${r.sdist.filename} (sha256 ${r.sdist.sha256}) with the recorded options: identical${r.original.signed ? " (apart from the organization's signature)" : ''}\n`,
      );
    return;
  }
  if (!flags.json) {
    for (const n of r.notes) io.err(`py2pkg: note: ${n}\n`);
    if (r.diffoscope !== undefined) io.err(`py2pkg: diffoscope ${singleLine(path, 200)} <rebuild>:\n${r.diffoscope}\n`);
    else io.err('py2pkg: diffoscope is not installed (apt-get install diffoscope-minimal) for a summary of the difference\n');
  }
  throw new Py2pkgError(
    'REBUILD_DIFFERS',
    `${singleLine(path, 200)} does not rebuild to the same bytes from ${singleLine(r.sdist.filename, 100)} (sha256 ${r.original.built.slice(0, 16)}… recorded, ${r.rebuilt.built.slice(0, 16)}… rebuilt)${r.notes.length ? `: ${singleLine(r.notes.join('; '), 300)}` : ''}`,
  );
}
