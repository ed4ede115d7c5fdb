/**
 * Trust on first use, written down: the first admission of a project under `default = "tofu"`
 * pins the identities that admitted it (signer fingerprints, Trusted Publisher) in the trust
 * store; a later release must show at least one of them and none that contradicts them, or it
 * is refused with TRUST_CHANGED naming the old and the new identity.
 */
import { Py2pkgError } from '../errors.js';
import type { TrustDecision, Verification } from '../types.js';
import { describePublisher, parsePublisher, samePublisher, type Publisher } from './publisher.js';
import { type StoreEntry, updateStore } from './store.js';

export interface Identity {
  pgp: string[];
  publisher: Publisher | undefined;
}

export function identityOf(evidence: Verification[]): Identity {
  const pgp: string[] = [];
  let publisher: Publisher | undefined;
  for (const v of evidence) {
    if (v.method === 'openpgp-detached-signature') for (const s of v.signers) if (!pgp.includes(s.fingerprint)) pgp.push(s.fingerprint);
    if (v.method === 'pep740-attestation') publisher ??= parsePublisher(v.publisher, 'verified publisher');
  }
  return { pgp, publisher };
}

export function describeIdentity(id: { pgp: string[]; publisher?: Publisher | undefined }): string {
  const parts = [...(id.publisher ? [`publisher ${describePublisher(id.publisher)}`] : []), ...id.pgp.map((f) => `signer ${f}`)];
  return parts.length > 0 ? parts.join(' + ') : 'no identity';
}

/** How a new release's identity relates to a stored entry. */
export function compareIdentity(entry: StoreEntry, id: Identity): 'matched' | 'extended' | 'changed' {
  const pgpMatch = id.pgp.some((f) => entry.pgp.includes(f));
  const pubMatch = entry.publisher !== undefined && id.publisher !== undefined && samePublisher(entry.publisher, id.publisher);
  const pgpConflict = entry.pgp.length > 0 && id.pgp.length > 0 && !pgpMatch;
  const pubConflict = entry.publisher !== undefined && id.publisher !== undefined && !pubMatch;
  if (pgpConflict || pubConflict || !(pgpMatch || pubMatch)) return 'changed';
  const adds = (id.publisher !== undefined && entry.publisher === undefined) || id.pgp.some((f) => !entry.pgp.includes(f));
  return adds ? 'extended' : 'matched';
}

export interface ContinuityInput {
  file: string;
  project: string;
  version: string;
  sha256: string;
  evidence: Verification[];
  now: Date;
  notify: (message: string) => void;
}

export async function checkContinuity(c: ContinuityInput): Promise<NonNullable<TrustDecision['store']>> {
  const id = identityOf(c.evidence);
  return updateStore<NonNullable<TrustDecision['store']>>(c.file, (entries) => {
    const entry = entries.get(c.project);
    if (!entry) {
      const created: StoreEntry = {
        project: c.project,
        firstSeen: c.now.toISOString(),
        firstVersion: c.version,
        firstSha256: c.sha256,
        pgp: id.pgp,
        ...(id.publisher ? { publisher: id.publisher } : {}),
        origin: 'tofu',
      };
      const next = new Map(entries).set(c.project, created);
      c.notify(
        `trust: FIRST USE of ${c.project}: pinned ${describeIdentity(id)} in ${c.file}; later releases must come from the same identity (review it: py2pkg trust show ${c.project})`,
      );
      return { entries: next, result: { file: c.file, action: 'pinned-first-use' as const, firstSeen: created.firstSeen } };
    }
    const how = compareIdentity(entry, id);
    if (how === 'changed') {
      throw new Py2pkgError(
        'TRUST_CHANGED',
        `${c.project} ${c.version} comes from ${describeIdentity(id)}, but ${c.project} ${entry.origin === 'pin' ? `was pinned (${entry.firstSeen}) to` : `was first admitted (${entry.firstVersion}, ${entry.firstSeen}) from`} ${describeIdentity(entry)} (trust store ${c.file})`,
      );
    }
    if (how === 'extended') {
      const pgp = [...new Set([...entry.pgp, ...id.pgp])];
      const grown: StoreEntry = { ...entry, pgp, ...((entry.publisher ?? id.publisher) ? { publisher: entry.publisher ?? id.publisher } : {}) };
      c.notify(
        `trust: ${c.project} ${c.version} matches the trust store and adds ${describeIdentity({ pgp: id.pgp.filter((f) => !entry.pgp.includes(f)), publisher: entry.publisher ? undefined : id.publisher })}; recorded in ${c.file}`,
      );
      return { entries: new Map(entries).set(c.project, grown), result: { file: c.file, action: 'extended' as const, firstSeen: entry.firstSeen } };
    }
    return { result: { file: c.file, action: 'matched' as const, firstSeen: entry.firstSeen } };
  });
}
