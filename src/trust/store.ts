/**
 * The trust store: per project, the evidence that admitted it on first use (`default = "tofu"`),
 * so a later release from someone else is refused (TRUST_CHANGED). A TOML file people can read
 * and review; py2pkg changes it only under a lock, re-reading it first, and replaces it by an
 * atomic rename, so concurrent runs never lose each other's entries and a crash leaves the old
 * file whole.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Py2pkgError, isPy2pkgError, singleLine } from '../errors.js';
import { canonicalizeName } from '../python/pep508.js';
import { writeAtomic } from '../repo/fsutil.js';
import { withLock } from '../repo/lock.js';
import { errnoCode, readBounded } from './bounded-read.js';
import { normalizeFingerprint } from './policy.js';
import { parsePublisher, publisherRecord, type Publisher } from './publisher.js';

export interface StoreEntry {
  project: string;
  /** when and with which release the project was first admitted (ISO 8601) */
  firstSeen: string;
  firstVersion: string;
  firstSha256: string;
  /** primary fingerprints of the signers that admitted it */
  pgp: string[];
  publisher?: Publisher;
  /** how the entry was made: "tofu" (first use) or "pin" (py2pkg trust pin) */
  origin: 'tofu' | 'pin';
}

export type StoreEntries = Map<string, StoreEntry>;

const MAX_STORE_BYTES = 16 * 1024 * 1024;
const LOCK_TIMEOUT_MS = 30_000;
const HEADER = [
  '# py2pkg trust store: what admitted each project on first use (trust on first use).',
  '# Written by py2pkg under a lock; review changes to it like code.',
  '# `py2pkg trust show NAME` explains an entry, `py2pkg trust forget NAME` removes it.',
  '',
].join('\n');

function bad(file: string, why: string): Py2pkgError {
  return new Py2pkgError('TRUST_STORE', `trust store ${file}: ${singleLine(why, 200)}`);
}

export async function readStore(file: string): Promise<StoreEntries> {
  const r = await readBounded(file, MAX_STORE_BYTES);
  if (!r.ok) {
    if (r.why === 'missing') return new Map();
    throw bad(
      file,
      r.why === 'not-a-file'
        ? 'is not a regular file'
        : r.why === 'too-large'
          ? `is larger than ${MAX_STORE_BYTES} bytes`
          : `cannot be read (${errnoCode(r.error) ?? String(r.error)})`,
    );
  }
  const text = Buffer.from(r.bytes).toString('utf8');
  const { parse } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    throw bad(file, `is not valid TOML: ${(e as Error).message}`);
  }
  const entries: StoreEntries = new Map();
  for (const k of Object.keys(doc)) if (k !== 'project') throw bad(file, `unknown key "${singleLine(k, 40)}"`);
  const projects = (doc.project ?? {}) as Record<string, unknown>;
  if (typeof projects !== 'object' || Array.isArray(projects)) throw bad(file, 'project must be a table');
  for (const [name, raw] of Object.entries(projects)) {
    entries.set(canonicalizeName(name), parseEntry(name, raw, file));
  }
  return entries;
}

function parseEntry(name: string, raw: unknown, file: string): StoreEntry {
  const where = `${file}: [project.${singleLine(name, 60)}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(file, `${name} is not a table`);
  const t = raw as Record<string, unknown>;
  const s = (k: string) => (typeof t[k] === 'string' ? t[k] : '');
  const pgpRaw = t.pgp ?? [];
  if (!Array.isArray(pgpRaw) || !pgpRaw.every((x) => typeof x === 'string')) throw bad(file, `${name}: pgp must be a list of fingerprints`);
  let publisher: Publisher | undefined;
  try {
    publisher = t.publisher === undefined ? undefined : parsePublisher(t.publisher, `${where} publisher`);
  } catch (e) {
    throw bad(file, isPy2pkgError(e) ? e.message : String(e));
  }
  const pgp = pgpRaw.map((f) => {
    try {
      return normalizeFingerprint(f, where);
    } catch (e) {
      throw bad(file, (e as Error).message);
    }
  });
  if (pgp.length === 0 && !publisher) throw bad(file, `${name} records no evidence (pgp or publisher)`);
  return {
    project: canonicalizeName(name),
    firstSeen: s('first-seen'),
    firstVersion: s('first-version'),
    firstSha256: s('first-sha256'),
    pgp,
    ...(publisher ? { publisher } : {}),
    origin: s('origin') === 'pin' ? 'pin' : 'tofu',
  };
}

export function storeText(entries: StoreEntries): Promise<string> {
  return import('smol-toml').then(({ stringify }) => {
    const project: Record<string, unknown> = {};
    for (const name of [...entries.keys()].sort()) {
      const e = entries.get(name) as StoreEntry;
      project[name] = {
        origin: e.origin,
        'first-seen': e.firstSeen,
        'first-version': e.firstVersion,
        'first-sha256': e.firstSha256,
        ...(e.pgp.length > 0 ? { pgp: e.pgp } : {}),
        ...(e.publisher ? { publisher: publisherRecord(e.publisher) } : {}),
      };
    }
    return `${HEADER}${stringify({ project })}\n`;
  });
}

/**
 * Read, change and write the store under its lock. `change` returns the new entries, or
 * undefined to leave the file untouched; its result is passed through.
 */
export async function updateStore<T>(
  file: string,
  change: (entries: StoreEntries) => { entries?: StoreEntries; result: T } | Promise<{ entries?: StoreEntries; result: T }>,
): Promise<T> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    throw bad(file, `its directory cannot be created (${e.code ?? e.message})`);
  });
  // the lock directory stays: removing it while another run waits in it would break the lock
  const lockDir = join(dir, `.${basename(file)}.lock`);
  try {
    return await withLock(lockDir, LOCK_TIMEOUT_MS, async (lock) => {
      const { entries, result } = await change(await readStore(file));
      if (entries) {
        await lock.assertHeld();
        await writeAtomic(file, await storeText(entries), 0o644);
      }
      return result;
    });
  } catch (e) {
    if (isPy2pkgError(e) && e.code === 'REPO_LOCKED') throw bad(file, `is locked by another py2pkg run for more than ${LOCK_TIMEOUT_MS / 1000} s`);
    throw e;
  }
}
