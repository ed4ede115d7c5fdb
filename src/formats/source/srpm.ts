/**
 * The RPM half of `--source`: a source RPM the distributions' build farms take (Koji, COPR,
 * Open Build Service, mock) — a spec on Fedora's pyproject macros (srpm-data.ts,
 * srpm-spec.ts) and its Sources: the verified sdist byte for byte (Source0), its upstream
 * signature and the pinned keys (Source1/Source2, checked by %gpgverify in %prep) when the
 * evidence is PGP, provenance.json and the SBOM (Source3/Source4), the PEP 740 provenance
 * object (Source5) when that is the evidence.
 *
 * `rpmbuild -bs` in a private _topdir with the reproducible defines of the binary format
 * (rpm.ts), the target's %dist, every Source's time set to SOURCE_DATE_EPOCH; then signed
 * with the organization's key (src/sign/rpm-sign.ts) in the work directory and renamed into
 * --out. Nothing of the project is built or run here.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Py2pkgError } from '../../errors.js';
import { run } from '../../exec.js';
import { copyAtomic } from '../../repo/fsutil.js';
import { RPMBUILD, rpmbuildDefines } from '../rpm.js';
import { minimalKeyring } from './keyring.js';
import { keyringName, PROVENANCE_FILE, SBOM_FILE, signatureName, srpmFileName, srpmName, srpmSpecData, targetMacros } from './srpm-data.js';
import { renderSrpmSpec } from './srpm-spec.js';
import type { SrpmRequest } from './srpm-types.js';

export type { SrpmRequest } from './srpm-types.js';

/** rpm's source payload compressors, single-threaded (the bytes do not depend on the CPU count). */
const SOURCE_PAYLOAD = { xz: 'w9.xzdio', zstd: 'w19.zstdio', gzip: 'w9.gzdio' } as const;

/** The private topdir's path is rpmbuild's cwd and HOME: nothing a macro or the shell would read. */
function safeDir(path: string): string {
  if (!/^\/[A-Za-z0-9._/+-]+$/.test(path))
    throw new Py2pkgError('TOOL_FAILED', `the work directory ${JSON.stringify(path)} has characters rpmbuild cannot take; set TMPDIR to a plain path`);
  return path;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * The rpmbuild --define pairs of an SRPM build for `target`. The directories are relative to
 * the private _topdir rpmbuild runs in: rpm keeps the expanded %prep text in the SRPM's
 * header, and a temp directory's name there would make every build's bytes differ.
 */
export function srpmDefines(req: Pick<SrpmRequest, 'target'>): Array<[string, string]> {
  return [
    ['_topdir', '.'],
    ['_sourcedir', './SOURCES'],
    ['_specdir', './SPECS'],
    ['_srcrpmdir', './SRPMS'],
    ['_builddir', './BUILD'],
    ['_tmppath', './tmp'],
    ...rpmbuildDefines(req.target.compression),
    ['_source_payload', SOURCE_PAYLOAD[req.target.compression]],
    ['_source_filedigest_algorithm', '8'],
    ...targetMacros(req.target),
  ];
}

export async function buildSourceRpm(req: SrpmRequest): Promise<{ files: string[] }> {
  if (!existsSync(RPMBUILD)) throw new Py2pkgError('TOOL_MISSING', `rpmbuild is not installed (${RPMBUILD}), an SRPM needs it: apt-get install rpm`);
  const top = safeDir(join(req.workDir, 'srpmbuild'));
  for (const d of ['SOURCES', 'SPECS', 'SRPMS', 'BUILD', 'tmp', 'home', 'signed']) await mkdir(join(top, d), { recursive: true, mode: 0o700 });
  const sources = join(top, 'SOURCES');

  // Source0: the verified bytes, checked again as copied (the file must not have changed since)
  const sdistBytes = await readFile(req.sdist.path);
  if (sha256(sdistBytes) !== req.sdist.sha256) throw new Py2pkgError('SIG_INVALID', `${req.sdist.filename} changed after it was verified (sha256 differs)`);
  const written = [join(sources, req.sdist.filename)];
  await writeFile(written[0] as string, sdistBytes);

  let sigName: string | undefined;
  if (req.evidence.kind === 'pgp') {
    const sig = await readFile(req.evidence.signaturePath);
    sigName = signatureName(req.sdist.filename, sig);
    written.push(join(sources, sigName), join(sources, keyringName(req)));
    await writeFile(written[1] as string, sig);
    await writeFile(written[2] as string, await minimalKeyring(req.evidence.keyFiles, req.evidence.fingerprints));
  }
  const data = srpmSpecData(req, sigName); // validates names before they become files
  written.push(join(sources, PROVENANCE_FILE), join(sources, SBOM_FILE));
  await writeFile(join(sources, PROVENANCE_FILE), req.provenanceJson);
  await writeFile(join(sources, SBOM_FILE), req.sbomJson);
  if (req.evidence.kind === 'pep740' && req.evidence.provenancePath) {
    const to = join(sources, `${req.sdist.filename}.provenance`);
    await copyFile(req.evidence.provenancePath, to);
    written.push(to);
  }
  const specPath = join(top, 'SPECS', `${srpmName(req)}.spec`);
  await writeFile(specPath, await renderSrpmSpec(data));
  // the SRPM keeps each file's mode: 0644 whatever the umask, as its mtime is SOURCE_DATE_EPOCH
  for (const f of [...written, specPath]) {
    await chmod(f, 0o644);
    await utimes(f, req.sourceDateEpoch, req.sourceDateEpoch);
  }
  await run(RPMBUILD, ['-bs', '--nodeps', ...srpmDefines(req).flatMap(([k, v]) => ['--define', `${k} ${v}`]), join('SPECS', basename(specPath))], {
    cwd: top,
    env: { SOURCE_DATE_EPOCH: String(req.sourceDateEpoch), HOME: join(top, 'home'), TZ: 'UTC' },
    timeoutMs: 10 * 60_000,
  });

  const name = srpmFileName(req);
  const built = join(top, 'SRPMS', name);
  if (!existsSync(built))
    throw new Py2pkgError('TOOL_FAILED', `rpmbuild -bs did not write ${name} (it wrote: ${(await readdir(join(top, 'SRPMS'))).join(', ') || 'nothing'})`);
  // signed in the work directory: --out never sees an unsigned SRPM when a key was given
  if (req.signer) {
    const { rpmAddSign } = await import('../../sign/rpm-sign.js');
    const signDir = join(top, 'signed');
    await rpmAddSign(built, req.signer, signDir);
  }
  const final = join(req.outDir, name);
  await copyAtomic(built, final);
  return { files: [final] };
}
