/**
 * OpenPGP v4 signature packets (RFC 4880 §5.2.3), written and read byte by byte so that the
 * signed data is hashed as a stream by node:crypto and never held in memory (openpgp.js
 * buffers the whole message before it signs). Keys are still parsed by openpgp.js.
 *
 * The layout is the one GnuPG writes and RPM 4.18's parser accepts: hashed subpackets
 * "signature creation time" and "issuer fingerprint", unhashed subpacket "issuer key ID".
 */
import { createHash, type Hash } from 'node:crypto';

export const SIG_BINARY = 0x00;
export const SIG_TEXT = 0x01;

export const PUBKEY_RSA = 1;
export const PUBKEY_RSA_SIGN = 3;
export const PUBKEY_EDDSA_LEGACY = 22;

/** OpenPGP hash algorithm ids, node:crypto names and PKCS#1 DigestInfo prefixes (MD5, SHA-1, RIPEMD-160 are not accepted). */
export const HASHES = {
  sha256: { id: 8, node: 'sha256', digestInfo: '3031300d060960864801650304020105000420' },
  sha384: { id: 9, node: 'sha384', digestInfo: '3041300d060960864801650304020205000430' },
  sha512: { id: 10, node: 'sha512', digestInfo: '3051300d060960864801650304020305000440' },
  sha224: { id: 11, node: 'sha224', digestInfo: '302d300d06096086480165030402040500041c' },
} as const;
export type HashName = keyof typeof HASHES;

export function hashNameForId(id: number): HashName | undefined {
  return (Object.keys(HASHES) as HashName[]).find((k) => HASHES[k].id === id);
}

export interface SignatureMeta {
  sigType: number;
  pubkeyAlgo: number;
  hash: HashName;
  created: Date;
  /** v4 fingerprint, 20 bytes */
  fingerprint: Uint8Array;
}

function subpacket(type: number, body: Uint8Array): Buffer {
  if (body.length + 1 >= 192) throw new Error('subpacket too long');
  return Buffer.concat([Buffer.from([body.length + 1, type]), body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The hashed part of the packet: version .. hashed subpackets (what `signatureData` holds in openpgp.js). */
export function hashedPart(m: SignatureMeta): Buffer {
  if (m.fingerprint.length !== 20) throw new Error('v4 fingerprints are 20 bytes');
  const created = Math.floor(m.created.getTime() / 1000);
  const subs = Buffer.concat([subpacket(2, u32(created)), subpacket(33, Buffer.concat([Buffer.from([4]), m.fingerprint]))]);
  const head = Buffer.from([4, m.sigType, m.pubkeyAlgo, HASHES[m.hash].id, subs.length >> 8, subs.length & 0xff]);
  return Buffer.concat([head, subs]);
}

/** The v4 trailer hashed after the hashed part. */
export function trailer(hashedLength: number): Buffer {
  return Buffer.concat([Buffer.from([4, 0xff]), u32(hashedLength)]);
}

/** A hash over the data, to be finished with `finishDigest` once every byte was fed. */
export function startHash(name: HashName): Hash {
  return createHash(HASHES[name].node);
}

export function finishDigest(h: Hash, hashed: Uint8Array): Buffer {
  h.update(hashed);
  h.update(trailer(hashed.length));
  return h.digest();
}

/** An OpenPGP multiprecision integer: bit count, then the big-endian bytes without leading zeros. */
export function mpi(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = Buffer.from(bytes.subarray(i));
  const top = b[0] ?? 0;
  const bits = top === 0 ? 0 : (b.length - 1) * 8 + (32 - Math.clz32(top));
  return Buffer.concat([Buffer.from([bits >> 8, bits & 0xff]), b]);
}

/** New-format packet header for tag `tag` and a body of `length` bytes. */
export function packetHeader(tag: number, length: number): Buffer {
  const first = 0xc0 | tag;
  if (length < 192) return Buffer.from([first, length]);
  if (length < 8384) {
    const l = length - 192;
    return Buffer.from([first, (l >> 8) + 192, l & 0xff]);
  }
  return Buffer.concat([Buffer.from([first, 0xff]), u32(length)]);
}

/** The whole signature packet, from the hashed part, the digest and the algorithm's MPIs. */
export function signaturePacket(hashed: Uint8Array, keyId: Uint8Array, digest: Uint8Array, mpis: Uint8Array[]): Buffer {
  if (keyId.length !== 8) throw new Error('key ids are 8 bytes');
  const unhashed = subpacket(16, keyId);
  const body = Buffer.concat([
    hashed,
    Buffer.from([unhashed.length >> 8, unhashed.length & 0xff]),
    unhashed,
    Buffer.from(digest.subarray(0, 2)),
    ...mpis.map(mpi),
  ]);
  return Buffer.concat([packetHeader(2, body.length), body]);
}

/**
 * Canonical text of a cleartext-signed document (RFC 4880 §7.1): trailing spaces and tabs
 * removed from every line, lines joined with CR LF, no line ending after the last line.
 */
export function canonicalLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.replace(/[ \t]+$/, ''));
}

export function canonicalText(text: string): Buffer {
  return Buffer.from(canonicalLines(text).join('\r\n'), 'utf8');
}

/** The cleartext framework around a text and its armored signature. */
export function cleartextDocument(text: string, hash: HashName, armoredSignature: string): string {
  const body = canonicalLines(text)
    .map((l) => (l.startsWith('-') ? `- ${l}` : l))
    .join('\n');
  return `-----BEGIN PGP SIGNED MESSAGE-----\nHash: ${hash.toUpperCase()}\n\n${body}\n${armoredSignature.endsWith('\n') ? armoredSignature : `${armoredSignature}\n`}`;
}

export interface Cleartext {
  /** the signed text as its lines, dash-unescaped (canonicalise with canonicalLines) */
  text: string;
  hashHeaders: string[];
  armoredSignature: string;
}

/** Split a cleartext-signed document; undefined when it is not one. Anything around it is refused. */
export function parseCleartext(doc: string): Cleartext | undefined {
  const lines = doc.replace(/\r\n/g, '\n').split('\n');
  if (lines[0] !== '-----BEGIN PGP SIGNED MESSAGE-----') return undefined;
  let i = 1;
  const hashHeaders: string[] = [];
  for (; i < lines.length && lines[i] !== ''; i++) {
    const m = /^Hash: (.+)$/.exec(lines[i] ?? '');
    if (!m) return undefined;
    for (const s of (m[1] ?? '').split(',')) hashHeaders.push(s.trim());
  }
  i++;
  const text: string[] = [];
  for (; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l === '-----BEGIN PGP SIGNATURE-----') break;
    if (l.startsWith('-')) {
      if (!l.startsWith('- ')) return undefined;
      text.push(l.slice(2));
    } else text.push(l);
  }
  if (i >= lines.length) return undefined;
  const sigLines: string[] = [];
  for (; i < lines.length; i++) {
    sigLines.push(lines[i] ?? '');
    if (lines[i] === '-----END PGP SIGNATURE-----') break;
  }
  if (sigLines[sigLines.length - 1] !== '-----END PGP SIGNATURE-----') return undefined;
  if (lines.slice(i + 1).some((l) => l.trim() !== '')) return undefined;
  return { text: text.join('\n'), hashHeaders, armoredSignature: `${sigLines.join('\n')}\n` };
}
