/**
 * The key-file Signer: an OpenPGP secret key file, parsed and decrypted by openpgp.js inside
 * py2pkg's own process; the data is hashed as a stream by node:crypto and the digest signed
 * with node:crypto (RSA PKCS#1 v1.5 or Ed25519), so memory stays flat for any size.
 *
 * The secret never leaves this process: not in a child's argv or environment (rpmsign's
 * helper only gets a socket path, see rpm-helper-server.ts), not in an error message.
 * The passphrase comes from --passphrase-file or PY2PKG_PASSPHRASE, never from argv.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PrivateKey } from 'openpgp';
import { Py2pkgError } from '../errors.js';
import { armorSignature } from './armor.js';
import { summarize, unusableReason, type KeySummary } from './key-check.js';
import {
  cleartextDocument,
  canonicalText,
  finishDigest,
  hashedPart,
  HASHES,
  PUBKEY_EDDSA_LEGACY,
  SIG_BINARY,
  SIG_TEXT,
  signaturePacket,
  startHash,
  type HashName,
} from './openpgp-packet.js';
import { startSignServer } from './rpm-helper-server.js';
import { bytesData, feed, type SignData } from './sign-data.js';
import type { RpmSignSetup, Signer, SignerSpec } from './signer-types.js';
import { loadOpenpgp } from './openpgp-lib.js';

type KeyFileSpec = Extract<SignerSpec, { kind: 'key-file' }>;

/** A secret key file is small; anything larger is not one (and is not read). */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;
export const MAX_PASSPHRASE_FILE_BYTES = 64 * 1024;
/** The digest every signature py2pkg makes uses (RPM's default too; SHA-NI makes it fast). */
export const SIGNING_HASH: HashName = 'sha256';

async function readKeyFile(path: string): Promise<Uint8Array> {
  const name = basename(path);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new Py2pkgError('KEY_READ', `cannot read the signing key file ${name}`);
  }
  if (size > MAX_KEY_FILE_BYTES) throw new Py2pkgError('KEY_READ', `${name} is ${size} bytes: too large to be an OpenPGP secret key file`);
  try {
    return await readFile(path);
  } catch {
    throw new Py2pkgError('KEY_READ', `cannot read the signing key file ${name}`);
  }
}

/** Parse the file as exactly one OpenPGP secret key; messages never quote the file. */
async function parseSecretKey(bytes: Uint8Array, name: string): Promise<PrivateKey> {
  const openpgp = await loadOpenpgp();
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const armored = head.includes('-----BEGIN PGP');
  if (armored && head.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    throw new Py2pkgError('KEY_READ', `${name} is a public key; --sign-key needs the secret key file (the public key is what clients get)`);
  }
  const blocks = armored ? Buffer.from(bytes).toString('latin1').split('-----BEGIN PGP ').length - 1 : 1;
  if (blocks > 1) throw new Py2pkgError('KEY_READ', `${name} holds ${blocks} armored blocks; pass a file with exactly one secret key`);
  let keys;
  try {
    keys = armored ? await openpgp.readPrivateKeys({ armoredKeys: Buffer.from(bytes).toString('utf8') }) : await openpgp.readPrivateKeys({ binaryKeys: bytes });
  } catch {
    throw new Py2pkgError('KEY_READ', `${name} is not an OpenPGP secret key (armored or binary)`);
  }
  if (keys.length !== 1) throw new Py2pkgError('KEY_READ', `${name} holds ${keys.length} secret keys; pass a file with exactly one`);
  const key = keys[0]!;
  if ((key.keyPacket as unknown as { isDummy(): boolean }).isDummy())
    throw new Py2pkgError(
      'KEY_READ',
      `${name} holds no secret for the primary key (a stub exported with --export-secret-subkeys); use --gpg-key for keys on a smartcard`,
    );
  return key;
}

async function checkUsable(key: PrivateKey, name: string): Promise<void> {
  const reason = await unusableReason(key, new Date());
  if (reason) throw new Py2pkgError('KEY_UNUSABLE', `the signing key in ${name} (${key.getFingerprint().toUpperCase()}) cannot be used: ${reason}`);
}

/** Before the build: the key's public facts and whether a passphrase will be needed. Nothing is decrypted. */
export async function inspectKeyFile(spec: KeyFileSpec): Promise<KeySummary> {
  const name = basename(spec.keyFile);
  const key = await parseSecretKey(await readKeyFile(spec.keyFile), name);
  await checkUsable(key, name);
  if (spec.passphraseFile) {
    try {
      await access(spec.passphraseFile, fsConstants.R_OK);
    } catch {
      throw new Py2pkgError('KEY_PASSPHRASE', `cannot read the passphrase file ${basename(spec.passphraseFile)}`);
    }
  } else if (!key.isDecrypted() && spec.passphraseEnv?.() === undefined) {
    throw new Py2pkgError('KEY_PASSPHRASE', `the signing key in ${name} is protected by a passphrase and none was given`);
  }
  return summarize(key);
}

/**
 * The passphrase, read only when the key is opened (after the build). The file may be a
 * pipe (`--passphrase-file <(pass show org-repo)`): it is read once, up to a bound.
 */
async function readPassphrase(spec: KeyFileSpec): Promise<string | undefined> {
  if (!spec.passphraseFile) return spec.passphraseEnv?.();
  const name = basename(spec.passphraseFile);
  try {
    const st = await stat(spec.passphraseFile);
    if (!st.isFile() && !st.isFIFO() && !st.isCharacterDevice()) throw new Error('not a file');
    const fh = await open(spec.passphraseFile, 'r');
    try {
      const buf = Buffer.alloc(MAX_PASSPHRASE_FILE_BYTES);
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (buf.subarray(0, n).includes(0x0a) || n === buf.length) break;
      }
      return buf.subarray(0, n).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    } finally {
      await fh.close();
    }
  } catch {
    throw new Py2pkgError('KEY_PASSPHRASE', `cannot read the passphrase file ${name}`);
  }
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
function big(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}
function unbig(n: bigint): Buffer {
  let h = n.toString(16);
  if (h.length % 2) h = `0${h}`;
  return Buffer.from(h, 'hex');
}
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((s0 % m) + m) % m;
}

/** The primary key's secret as node:crypto key objects, and the signature math for a digest. */
interface KeyMath {
  algo: number;
  sign(digest: Buffer): Uint8Array[];
  verify(digest: Buffer, mpis: Uint8Array[]): boolean;
}

export function keyMath(key: PrivateKey, hash: HashName): KeyMath {
  const p = key.keyPacket as unknown as { algorithm: number; publicParams: Record<string, Uint8Array>; privateParams: Record<string, Uint8Array> | null };
  const priv = p.privateParams;
  if (!priv) throw new Error('the key is not decrypted');
  const algo = Number(p.algorithm);
  if (algo === PUBKEY_EDDSA_LEGACY) {
    const q = p.publicParams.Q!;
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(q.subarray(1)), d: b64u(priv.seed!) };
    const sk: KeyObject = createPrivateKey({ key: jwk, format: 'jwk' });
    const pk: KeyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    return {
      algo,
      sign: (digest) => {
        const rs = edSign(null, digest, sk);
        return [rs.subarray(0, 32), rs.subarray(32)];
      },
      verify: (digest, mpis) => edVerify(null, digest, pk, Buffer.concat(mpis.map((m) => Buffer.concat([Buffer.alloc(32 - m.length), m])))),
    };
  }
  const { n, e } = p.publicParams as { n: Uint8Array; e: Uint8Array };
  const d = big(priv.d!);
  // OpenPGP stores p < q and u = p^-1 mod q; JWK wants qi = q^-1 mod p: swap the primes
  const P = big(priv.q!);
  const Q = big(priv.p!);
  const jwk = {
    kty: 'RSA',
    n: b64u(n),
    e: b64u(e),
    d: b64u(unbig(d)),
    p: b64u(unbig(P)),
    q: b64u(unbig(Q)),
    dp: b64u(unbig(d % (P - 1n))),
    dq: b64u(unbig(d % (Q - 1n))),
    qi: b64u(unbig(modInverse(Q, P))),
  };
  const sk = createPrivateKey({ key: jwk, format: 'jwk' });
  const pk = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  const prefix = Buffer.from(HASHES[hash].digestInfo, 'hex');
  const modLen = Buffer.from(n).length - (n[0] === 0 ? 1 : 0);
  return {
    algo,
    sign: (digest) => [privateEncrypt({ key: sk, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([prefix, digest]))],
    verify: (digest, mpis) => {
      const s = mpis[0];
      if (!s || s.length > modLen) return false;
      try {
        const m = publicDecrypt({ key: pk, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.alloc(modLen - s.length), s]));
        return m.equals(Buffer.concat([prefix, digest]));
      } catch {
        return false;
      }
    },
  };
}

class KeyFileSigner implements Signer {
  readonly key: KeySummary;
  #key: PrivateKey | undefined;
  #math: KeyMath | undefined;
  readonly #fpr: Buffer;
  readonly #keyId: Buffer;
  #servers: RpmSignSetup[] = [];

  constructor(key: PrivateKey, math: KeyMath) {
    this.#key = key;
    this.#math = math;
    this.key = summarize(key);
    this.#fpr = Buffer.from(this.key.fingerprint, 'hex');
    this.#keyId = Buffer.from(this.key.keyId, 'hex');
  }

  publicKeyArmored(): Promise<string> {
    if (!this.#key) return Promise.reject(new Error('signer closed'));
    return Promise.resolve(this.#key.toPublic().armor());
  }

  async #sign(data: SignData, sigType: number): Promise<Buffer> {
    const math = this.#math;
    if (!math) throw new Error('signer closed');
    const hashed = hashedPart({ sigType, pubkeyAlgo: math.algo, hash: SIGNING_HASH, created: new Date(), fingerprint: this.#fpr });
    const h = startHash(SIGNING_HASH);
    await feed(data, [h]);
    const digest = finishDigest(h, hashed);
    return signaturePacket(hashed, this.#keyId, digest, math.sign(digest));
  }

  detachSign(data: SignData): Promise<Buffer> {
    return this.#sign(data, SIG_BINARY);
  }

  async clearSign(text: string): Promise<string> {
    const packet = await this.#sign(bytesData(canonicalText(text)), SIG_TEXT);
    return cleartextDocument(text, SIGNING_HASH, await armorSignature(packet));
  }

  async rpmSignSetup(workDir: string): Promise<RpmSignSetup> {
    const setup = await startSignServer(workDir, this.key.fingerprint, (stream) => this.detachSign({ kind: 'stream', stream }));
    this.#servers.push(setup);
    return setup;
  }

  async close(): Promise<void> {
    for (const s of this.#servers.splice(0)) await s.close();
    this.#key = undefined;
    this.#math = undefined;
  }
}

/** After the build: read, check, decrypt; then a self-test signature proves the key math. */
export async function openKeyFileSigner(spec: KeyFileSpec): Promise<Signer> {
  const name = basename(spec.keyFile);
  const openpgp = await loadOpenpgp();
  let key = await parseSecretKey(await readKeyFile(spec.keyFile), name);
  await checkUsable(key, name);
  if (!key.isDecrypted()) {
    const passphrase = await readPassphrase(spec);
    if (passphrase === undefined) throw new Py2pkgError('KEY_PASSPHRASE', `the signing key in ${name} is protected by a passphrase and none was given`);
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new Py2pkgError('KEY_PASSPHRASE', `the passphrase does not unlock the signing key in ${name} (${key.getFingerprint().toUpperCase()})`);
    }
  }
  let math: KeyMath;
  try {
    math = keyMath(key, SIGNING_HASH);
    const probe = randomBytes(32);
    if (!math.verify(probe, math.sign(probe))) throw new Error('self-test failed');
  } catch {
    throw new Py2pkgError('KEY_UNUSABLE', `the secret key material in ${name} is inconsistent (its signatures do not verify); export the key again`);
  }
  return new KeyFileSigner(key, math);
}
