/**
 * TEST-ONLY. The two logs of the test Sigstore instance (see test-sigstore.ts): a Rekor-v1-style
 * transparency log that records `dsse` v0.0.1 entries with a signed entry timestamp (SET) and an
 * RFC 6962 inclusion proof under a signed checkpoint, and a CT log that issues the embedded SCT
 * of a Fulcio-style leaf (RFC 6962 §3.2, precert entry). Keys are fresh ECDSA P-256 keys made in
 * process; nothing here may ever be used outside tests.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** DER length octets (definite form). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER TLV with the given tag byte. */
export function derTlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);
}

export const derUtf8String = (s: string): Buffer => derTlv(0x0c, Buffer.from(s, 'utf8'));
export const derOctetString = (b: Uint8Array): Buffer => derTlv(0x04, b);

/** The first DER element inside a constructed element: a certificate's tbsCertificate. */
export function firstChild(der: Uint8Array): Buffer {
  const buf = Buffer.from(der);
  const skipHeader = (at: number): number => {
    const l = buf[at + 1] as number;
    return at + 2 + (l & 0x80 ? l & 0x7f : 0);
  };
  const inner = skipHeader(0);
  const l = buf[inner + 1] as number;
  let len = l;
  if (l & 0x80) {
    len = 0;
    for (let i = 0; i < (l & 0x7f); i++) len = len * 256 + (buf[inner + 2 + i] as number);
  }
  return buf.subarray(inner, skipHeader(inner) + len);
}

/** A fresh ECDSA P-256 key with its DER SPKI and RFC 6962 log id (sha256 of the SPKI). */
export interface LogKey {
  privateKey: KeyObject;
  spki: Buffer;
  logId: Buffer;
}

export function newLogKey(): LogKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, spki, logId: sha256(spki) };
}

const uint = (n: number | bigint, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  let v = BigInt(n);
  for (let i = bytes - 1; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
};

// ---------------------------------------------------------------- CT log (embedded SCT)

/**
 * The value of the SCT-list extension (1.3.6.1.4.1.11129.2.4.2) for a leaf whose TBS, without
 * that extension, is `precertTbs`, issued by the CA whose DER SPKI is `issuerSpki`: a DER OCTET
 * STRING around the TLS SignedCertificateTimestampList holding one v1 SCT signed by `ct`.
 */
export function sctListExtension(ct: LogKey, issuerSpki: Uint8Array, precertTbs: Uint8Array, when: Date): Buffer {
  const timestamp = uint(when.getTime(), 8);
  const signed = Buffer.concat([
    Buffer.from([0, 0]), // sct_version v1, signature_type certificate_timestamp
    timestamp,
    uint(1, 2), // entry_type precert_entry
    sha256(issuerSpki), // issuer_key_hash
    uint(precertTbs.length, 3),
    precertTbs,
    uint(0, 2), // no CtExtensions
  ]);
  const sig = sign('sha256', signed, ct.privateKey);
  const sct = Buffer.concat([
    Buffer.from([0]),
    ct.logId,
    timestamp,
    uint(0, 2),
    Buffer.from([4, 3]), // sha256, ecdsa
    uint(sig.length, 2),
    sig,
  ]);
  const list = Buffer.concat([uint(sct.length + 2, 2), uint(sct.length, 2), sct]);
  return derOctetString(list);
}

// ---------------------------------------------------------------- Rekor-style log

/** A transparency log entry in protobuf-JSON field names, as PyPI and bundles carry it. */
export interface TransparencyEntry {
  logIndex: string;
  logId: { keyId: string };
  kindVersion: { kind: string; version: string };
  integratedTime: string;
  inclusionPromise: { signedEntryTimestamp: string };
  inclusionProof: {
    logIndex: string;
    rootHash: string;
    treeSize: string;
    hashes: string[];
    checkpoint: { envelope: string };
  };
  canonicalizedBody: string;
}

/** A DSSE envelope as Rekor's dsse type takes it (base64 payload and signatures). */
export interface DsseEnvelopeJSON {
  payload: string;
  payloadType: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

const leafHash = (body: Uint8Array): Buffer => sha256(Buffer.from([0]), body);
const nodeHash = (l: Buffer, r: Buffer): Buffer => sha256(Buffer.from([1]), l, r);
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** RFC 6962 Merkle tree hash of leaf hashes. */
function treeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** RFC 6962 audit path of leaf m, lowest level first (the order sigstore-js walks it). */
function auditPath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...auditPath(m, leaves.slice(0, k)), treeHash(leaves.slice(k))] : [...auditPath(m - k, leaves.slice(k)), treeHash(leaves.slice(0, k))];
}

/** An in-memory Rekor v1: every entry appended to one tree; proofs against the tree as it is then. */
export class TestRekor {
  readonly key = newLogKey();
  readonly leaves: Buffer[] = [];

  constructor(
    readonly host: string,
    readonly treeId = '4242424242',
  ) {}

  get baseUrl(): string {
    return `https://${this.host}`;
  }

  /**
   * Record a dsse v0.0.1 entry for `env` signed by the holder of `certDer`, as Rekor v1 does,
   * at `integratedTime`; returns the entry with its SET and inclusion proof.
   */
  logDsse(env: DsseEnvelopeJSON, certDer: Uint8Array, integratedTime: Date): TransparencyEntry {
    const lines =
      Buffer.from(certDer)
        .toString('base64')
        .match(/.{1,64}/g) ?? [];
    const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    const payload = Buffer.from(env.payload, 'base64');
    const body = Buffer.from(
      JSON.stringify({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(JSON.stringify(env))).toString('hex') },
          payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
          signatures: env.signatures.map((s) => ({ signature: s.sig, verifier: Buffer.from(pem).toString('base64') })),
        },
      }),
    );
    const index = this.leaves.length;
    this.leaves.push(leafHash(body));
    const time = Math.floor(integratedTime.getTime() / 1000);
    const logIdHex = this.key.logId.toString('hex');
    // The SET: the log's signature over the canonical JSON of {body, integratedTime, logID, logIndex}.
    const setPayload = `{"body":${JSON.stringify(body.toString('base64'))},"integratedTime":${time},"logID":"${logIdHex}","logIndex":${index}}`;
    const set = sign('sha256', Buffer.from(setPayload), this.key.privateKey);
    const root = treeHash(this.leaves);
    return {
      logIndex: String(index),
      logId: { keyId: this.key.logId.toString('base64') },
      kindVersion: { kind: 'dsse', version: '0.0.1' },
      integratedTime: String(time),
      inclusionPromise: { signedEntryTimestamp: set.toString('base64') },
      inclusionProof: {
        logIndex: String(index),
        rootHash: root.toString('base64'),
        treeSize: String(this.leaves.length),
        hashes: auditPath(index, this.leaves).map((h) => h.toString('base64')),
        checkpoint: { envelope: this.checkpoint(this.leaves.length, root) },
      },
      canonicalizedBody: body.toString('base64'),
    };
  }

  /** A signed note (transparency-dev checkpoint) as Rekor v1 writes it. */
  private checkpoint(size: number, root: Buffer): string {
    const note = `${this.host} - ${this.treeId}\n${size}\n${root.toString('base64')}\n`;
    const sig = sign('sha256', Buffer.from(note), this.key.privateKey);
    const hinted = Buffer.concat([this.key.logId.subarray(0, 4), sig]).toString('base64');
    return `${note}\n\u2014 ${this.host} ${hinted}\n`;
  }
}
