/**
 * The verify stage as the pipeline calls it: find the evidence for an sdist (beside a local
 * file, or what the fetch stage brought), then let the trust policy decide (admit.ts).
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { canonicalizeName } from '../python/pep508.js';
import type { Settings } from '../settings.js';
import { splitSdistFilename } from '../source/filenames.js';
import type { LocalSdist, Provenance } from '../types.js';
import { admit, type Evidence } from './admit.js';
import { readBounded } from './bounded-read.js';
import { MAX_PROVENANCE_BYTES } from './pep740-object.js';

/** What the fetch stage found on the index for a by-name run. */
export interface FetchedEvidence {
  signaturePath: string | undefined;
  provenance: { path: string; url: string } | undefined;
}

/** `name-1.0.tar.gz` -> the PEP 503 name and the version as written (inspect checks both against PKG-INFO). */
export function projectOfFilename(filename: string): { project: string; version: string } {
  const split = splitSdistFilename(filename);
  if (split) return { project: canonicalizeName(split.name), version: split.version };
  return { project: canonicalizeName(filename.replace(/\.(?:tar\.gz|tgz|tar\.bz2|tar|zip)$/i, '')), version: '' };
}

export async function readProvenanceFile(path: string, name: string): Promise<{ bytes: Uint8Array; name: string }> {
  const r = await readBounded(path, MAX_PROVENANCE_BYTES);
  if (r.ok) return { bytes: r.bytes, name };
  if (r.why === 'missing' || r.why === 'unreadable')
    throw new Py2pkgError('PROVENANCE_MISSING', `provenance file ${path} does not exist${r.why === 'unreadable' ? ' or cannot be read' : ''}`);
  throw new Py2pkgError(
    'PROVENANCE_MALFORMED',
    `provenance file ${path} ${r.why === 'not-a-file' ? 'is not a regular file' : `is larger than ${MAX_PROVENANCE_BYTES} bytes`}`,
  );
}

export async function trustStage(sdist: LocalSdist, s: Settings, fetched: FetchedEvidence | undefined, notify: (m: string) => void): Promise<Provenance> {
  const { project, version } =
    s.requirement && s.requirement.project
      ? { project: s.requirement.project, version: projectOfFilename(sdist.filename).version }
      : projectOfFilename(sdist.filename);
  const lookedFor: string[] = [];
  let signaturePath: string | undefined;
  if (s.signature) {
    if (!existsSync(s.signature)) throw new Py2pkgError('SIG_MISSING', `no signature for ${sdist.filename} (looked for ${basename(s.signature)})`);
    signaturePath = s.signature;
  } else if (fetched?.signaturePath) {
    signaturePath = fetched.signaturePath;
  } else {
    const beside = `${sdist.path}.asc`;
    lookedFor.push(basename(beside));
    if (existsSync(beside)) signaturePath = beside;
  }
  let provenance: Evidence['provenance'];
  if (s.provenance) {
    provenance = await readProvenanceFile(s.provenance, basename(s.provenance));
  } else if (fetched?.provenance) {
    provenance = await readProvenanceFile(fetched.provenance.path, fetched.provenance.url);
  } else {
    const beside = `${sdist.path}.provenance`;
    lookedFor.push(basename(beside));
    if (existsSync(beside)) provenance = await readProvenanceFile(beside, basename(beside));
  }
  if (fetched && !fetched.signaturePath) lookedFor.push('a signature on the index');
  if (fetched && !fetched.provenance) lookedFor.push('PEP 740 provenance on the index');
  return admit({
    sdist,
    project,
    version,
    evidence: { signaturePath, provenance, lookedFor },
    policy: s.trustPolicy,
    trustedKeys: s.trustedKeys ? [s.trustedKeys] : [],
    trustedRoot: s.trustedRoot,
    store: s.trustStore,
    allowUnsigned: s.allowUnsigned,
    now: new Date(),
    sourceDateEpoch: s.sourceDateEpoch,
    notify,
  });
}
