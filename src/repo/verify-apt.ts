/**
 * `py2pkg verify DIR` for an Apt repository: the chain apt walks, link by link —
 * InRelease (and Release.gpg) signed by a key in --key, Valid-Until not passed, every index
 * file matching the SHA256 Release records, every pool file matching the SHA256 its
 * Packages stanza records.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PublicKey } from 'openpgp';
import { Py2pkgError } from '../errors.js';
import { canonicalText, parseCleartext } from '../sign/openpgp-packet.js';
import { verifyDetached } from '../sign/openpgp-verify.js';
import { bytesData, feed } from '../sign/sign-data.js';
import { linkError, type Check, type Verified } from '../sign/verify-package.js';
import { releaseFiles } from './apt-index.js';
import { get, parseParagraphs } from './deb822-parse.js';

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** A repository-relative path from an index: relative, normalised, never leaving the tree. */
export function safeRelative(p: string): string | undefined {
  if (p.startsWith('/') || p.includes('\0')) return undefined;
  const n = normalize(p);
  return n.startsWith('..') || n === '.' ? undefined : n;
}

/** Size and digest of a regular file, streamed; undefined when it is missing or not a file. */
export async function fileDigest(path: string, algo: string): Promise<{ size: number; digest: string } | undefined> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return undefined;
    size = st.size;
  } catch {
    return undefined;
  }
  const h = createHash(algo);
  await feed({ kind: 'ranges', ranges: [{ path, start: 0, length: size }] }, [h]);
  return { size, digest: h.digest('hex') };
}

export async function verifyAptRepo(dir: string, keys: PublicKey[], opts: { suite?: string; now?: Date } = {}): Promise<Verified> {
  const now = opts.now ?? new Date();
  const all = await readdir(join(dir, 'dists')).catch(() => [] as string[]);
  const suites = opts.suite ? [opts.suite] : all.sort();
  if (suites.length === 0) throw new Py2pkgError('REPO_INVALID', `${dir} has no dists/<suite>: not an Apt repository`);
  const checks: Check[] = [];
  let signer = '';
  const poolChecked = new Set<string>();
  for (const suite of suites) {
    const base = join(dir, 'dists', suite);
    const rel = `dists/${suite}`;
    const inRelease = await readOptional(join(base, 'InRelease'));
    const release = await readOptional(join(base, 'Release'));
    const releaseGpg = await readOptional(join(base, 'Release.gpg'));
    let text: string | undefined;
    if (inRelease) {
      const parsed = parseCleartext(inRelease.toString('utf8'));
      if (!parsed) throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `${rel}/InRelease: not a cleartext-signed document`);
      const o = await verifyDetached(parsed.armoredSignature, bytesData(canonicalText(parsed.text)), keys, { now, sigType: 1 });
      if (!o.ok) throw linkError(o, `${rel}/InRelease`);
      checks.push({ link: `${rel}/InRelease`, detail: `good signature by ${o.fingerprint}` });
      signer = o.fingerprint;
      text = `${parsed.text}\n`;
    }
    if (release && releaseGpg) {
      const o = await verifyDetached(releaseGpg, bytesData(release), keys, { now });
      if (!o.ok) throw linkError(o, `${rel}/Release.gpg`);
      checks.push({ link: `${rel}/Release.gpg`, detail: `good signature by ${o.fingerprint}` });
      signer = o.fingerprint;
      text ??= release.toString('utf8');
    }
    if (text === undefined) {
      if (!release) throw new Py2pkgError('REPO_INVALID', `${rel} has no InRelease or Release: not an Apt suite`);
      throw new Py2pkgError('VERIFY_NOT_SIGNED', `${rel}: Release is not signed (no InRelease, no Release.gpg)`);
    }
    let p;
    try {
      const ps = parseParagraphs(text);
      if (ps.length !== 1) throw new Error('more than one paragraph');
      p = ps[0]!;
    } catch (e) {
      throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `${rel}/InRelease: the signed Release cannot be read (${(e as Error).message})`);
    }
    const validUntil = get(p, 'Valid-Until');
    if (validUntil !== undefined) {
      const t = Date.parse(validUntil.replace(/UTC$/, 'GMT'));
      if (Number.isNaN(t) || t < now.getTime()) throw new Py2pkgError('VERIFY_EXPIRED', `${rel}/InRelease: Valid-Until ${validUntil} has passed`);
      checks.push({ link: `${rel} Valid-Until`, detail: validUntil });
    }
    const listed = releaseFiles(p, 'SHA256');
    if (listed.length === 0) throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `${rel}/InRelease: Release lists no SHA256 hashes`);
    const verifiedIndexes = new Map<string, Buffer>();
    for (const f of listed) {
      const safe = safeRelative(f.path);
      if (!safe) throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `${rel}/InRelease lists a path outside the suite: ${f.path}`);
      const data = await readOptional(join(base, safe));
      if (!data) continue; // apt only fetches what it needs; a missing variant is not an error
      if (data.length !== f.size || createHash('sha256').update(data).digest('hex') !== f.hash) {
        throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${rel}/${safe}: does not match the SHA256 and size in ${rel}/InRelease`);
      }
      verifiedIndexes.set(safe, data);
    }
    checks.push({ link: `${rel} index files`, detail: `${verifiedIndexes.size} match InRelease` });
    // Packages: the plain file, else the .gz variant (both verified above)
    const packagesFiles = [...new Set(listed.map((f) => f.path.replace(/\.(gz|xz)$/, '')).filter((x) => /(^|\/)binary-[^/]+\/Packages$/.test(x)))];
    for (const pf of packagesFiles) {
      const plain = verifiedIndexes.get(pf) ?? (verifiedIndexes.has(`${pf}.gz`) ? gunzipSync(verifiedIndexes.get(`${pf}.gz`)!) : undefined);
      if (!plain) throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${rel}/${pf}: listed in InRelease but missing (neither Packages nor Packages.gz)`);
      let stanzas;
      try {
        stanzas = parseParagraphs(plain.toString('utf8'));
      } catch (e) {
        throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `${rel}/${pf}: cannot be read (${(e as Error).message})`);
      }
      for (const s of stanzas) {
        const filename = get(s, 'Filename');
        const sha256 = get(s, 'SHA256');
        const size = Number(get(s, 'Size'));
        const safe = filename ? safeRelative(filename) : undefined;
        if (!safe || !sha256) throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `${rel}/${pf}: a stanza without a safe Filename or SHA256`);
        if (poolChecked.has(`${safe} ${sha256}`)) continue;
        const actual = await fileDigest(join(dir, safe), 'sha256');
        if (!actual) throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${safe}: listed in ${rel}/${pf} but missing`);
        if (actual.digest !== sha256 || actual.size !== size)
          throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${safe}: does not match the SHA256 and size in ${rel}/${pf}`);
        poolChecked.add(`${safe} ${sha256}`);
      }
    }
    checks.push({ link: `${rel} pool files`, detail: `${poolChecked.size} match their Packages stanzas` });
  }
  return { checks, signer, packages: [...new Set([...poolChecked].map((k) => k.slice(0, k.lastIndexOf(' '))))].sort() };
}
