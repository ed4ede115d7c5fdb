/**
 * `py2pkg verify DIR` for a Yum repository: the chain dnf walks with gpgcheck=1 and
 * repo_gpgcheck=1 — repomd.xml.asc over repomd.xml by a key in --key, every metadata file
 * matching its checksum in repomd.xml, every rpm matching its checksum in primary.xml, and
 * every rpm's header signature (verifyRpm).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PublicKey } from 'openpgp';
import { Py2pkgError } from '../errors.js';
import { verifyDetached } from '../sign/openpgp-verify.js';
import { bytesData } from '../sign/sign-data.js';
import { linkError, verifyRpm, type Check, type Verified } from '../sign/verify-package.js';
import { fileDigest, safeRelative } from './verify-apt.js';

const HASH_NAMES: Record<string, string> = { sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '');
}

export interface XmlRef {
  href: string;
  checksumType: string;
  checksum: string;
}

/** <data> entries of repomd.xml, or <package> entries of primary.xml (pure). */
export function xmlRefs(xml: string, element: 'data' | 'package'): XmlRef[] {
  const out: XmlRef[] = [];
  const re = element === 'data' ? /<data\b[^>]*>([\s\S]*?)<\/data>/g : /<package\b[^>]*>([\s\S]*?)<\/package>/g;
  for (const m of xml.matchAll(re)) {
    const body = m[1] ?? '';
    const href = /<location\b[^>]*\bhref="([^"]*)"/.exec(body)?.[1];
    const ck = /<checksum\b[^>]*\btype="([^"]*)"[^>]*>([0-9a-fA-F]+)<\/checksum>/.exec(body);
    if (!href || !ck) throw new Error(`a <${element}> without location or checksum`);
    out.push({ href: unescapeXml(href), checksumType: ck[1]!, checksum: ck[2]!.toLowerCase() });
  }
  return out;
}

export async function verifyYumRepo(dir: string, keys: PublicKey[], opts: { now?: Date } = {}): Promise<Verified> {
  const repomdPath = join(dir, 'repodata', 'repomd.xml');
  let repomd: Buffer;
  try {
    repomd = await readFile(repomdPath);
  } catch {
    throw new Py2pkgError('REPO_INVALID', `${dir} has no repodata/repomd.xml: not a Yum repository`);
  }
  const asc = await readFile(`${repomdPath}.asc`).catch(() => undefined);
  if (!asc) throw new Py2pkgError('VERIFY_NOT_SIGNED', 'repodata/repomd.xml.asc: missing, the metadata is not signed');
  const o = await verifyDetached(asc, bytesData(repomd), keys, opts.now ? { now: opts.now } : {});
  if (!o.ok) throw linkError(o, 'repodata/repomd.xml.asc');
  const checks: Check[] = [{ link: 'repodata/repomd.xml.asc', detail: `good signature by ${o.fingerprint}` }];

  let data: XmlRef[];
  try {
    data = xmlRefs(repomd.toString('utf8'), 'data');
  } catch (e) {
    throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `repodata/repomd.xml cannot be read (${(e as Error).message})`);
  }
  let primary: Buffer | undefined;
  for (const d of data) {
    const safe = safeRelative(d.href);
    const algo = HASH_NAMES[d.checksumType];
    if (!safe || !algo)
      throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `repodata/repomd.xml: entry ${d.href} has an unsafe path or a weak checksum (${d.checksumType})`);
    const bytes = await readFile(join(dir, safe)).catch(() => undefined);
    if (!bytes) throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${safe}: listed in repodata/repomd.xml but missing`);
    if (createHash(algo).update(bytes).digest('hex') !== d.checksum)
      throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${safe}: does not match its ${d.checksumType} in repodata/repomd.xml`);
    if (/primary\.xml(\.gz)?$/.test(safe)) primary = safe.endsWith('.gz') ? gunzipSync(bytes) : bytes;
  }
  checks.push({ link: 'repodata files', detail: `${data.length} match repomd.xml` });
  if (!primary) throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', 'repodata/repomd.xml lists no primary.xml(.gz)');

  let packages: XmlRef[];
  try {
    packages = xmlRefs(primary.toString('utf8'), 'package');
  } catch (e) {
    throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `primary.xml cannot be read (${(e as Error).message})`);
  }
  let signer = o.fingerprint;
  for (const p of packages) {
    const safe = safeRelative(p.href);
    const algo = HASH_NAMES[p.checksumType];
    if (!safe || !algo)
      throw new Py2pkgError('VERIFY_BAD_SIGNATURE', `primary.xml: package ${p.href} has an unsafe path or a weak checksum (${p.checksumType})`);
    const actual = (await fileDigest(join(dir, safe), algo))?.digest;
    if (actual === undefined) throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${safe}: listed in primary.xml but missing`);
    if (actual !== p.checksum) throw new Py2pkgError('VERIFY_DIGEST_MISMATCH', `${safe}: does not match its ${p.checksumType} in primary.xml`);
    const r = await verifyRpm(join(dir, safe), keys, opts.now);
    signer = r.signer;
  }
  checks.push({ link: 'packages', detail: `${packages.length} match primary.xml and carry good header signatures` });
  return { checks, signer, packages: packages.map((p) => safeRelative(p.href) as string).sort() };
}
