/**
 * The gpg Signer: for keys held by gpg-agent or a smartcard (`--gpg-key FINGERPRINT`).
 * GnuPG runs through the exec wrapper with an explicit environment (HOME, GNUPGHOME and
 * GPG_TTY when set); the passphrase or PIN is gpg-agent's business (pinentry, a cached
 * passphrase, gpg-preset-passphrase) and never passes through py2pkg.
 *
 * The same rules as for key files apply: v4, RSA ≥ 2048 or legacy EdDSA Ed25519, and the
 * primary key signs (`--local-user FPR!` stops gpg from picking a subkey).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { run } from '../exec.js';
import { describeAlgorithm, MIN_RSA_BITS, unusableReason, type KeySummary } from './key-check.js';
import { parseCleartext, PUBKEY_EDDSA_LEGACY, PUBKEY_RSA, PUBKEY_RSA_SIGN } from './openpgp-packet.js';
import type { SignData } from './sign-data.js';
import type { RpmSignSetup, Signer } from './signer-types.js';
import { loadOpenpgp } from './openpgp-lib.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

export const GPG = '/usr/bin/gpg';
const SIGN_TIMEOUT_MS = 60 * 60_000;

export function gpgEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['HOME', 'GNUPGHOME', 'GPG_TTY'] as const) {
    const v = env[k];
    if (v) out[k] = v;
  }
  return out;
}

const BASE = ['--batch', '--no-tty', '--no-options', '--no-auto-key-locate', '--no-auto-key-retrieve'];

export interface ColonKey {
  fingerprint: string;
  validity: string;
  bits: number;
  algo: number;
  capabilities: string;
  secret: string;
  curve: string;
  userIds: string[];
}

/** The primary keys of `gpg --with-colons --fixed-list-mode --list-secret-keys` output (pure). */
export function parseColonListing(text: string): ColonKey[] {
  const keys: ColonKey[] = [];
  let cur: ColonKey | undefined;
  let inSub = false;
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const type = f[0];
    if (type === 'sec' || type === 'pub') {
      cur = {
        fingerprint: '',
        validity: f[1] ?? '',
        bits: Number(f[2] ?? 0),
        algo: Number(f[3] ?? 0),
        capabilities: f[11] ?? '',
        secret: f[14] ?? '',
        curve: f[16] ?? '',
        userIds: [],
      };
      keys.push(cur);
      inSub = false;
    } else if (type === 'ssb' || type === 'sub') {
      inSub = true;
    } else if (type === 'fpr' && cur && !inSub && cur.fingerprint === '') {
      cur.fingerprint = (f[9] ?? '').toUpperCase();
    } else if (type === 'uid' && cur) {
      cur.userIds.push((f[9] ?? '').replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
  }
  return keys;
}

/** Why gpg's key cannot sign for RPM 4.18 / apt, or undefined (pure). */
export function gpgKeyProblem(k: ColonKey, wanted: string): string | undefined {
  if (k.fingerprint !== wanted)
    return `${wanted} is a subkey of ${k.fingerprint}; py2pkg signs with primary keys only (RPM 4.18 cannot check subkey signatures): pass the primary fingerprint`;
  if (k.validity === 'r') return 'the key is revoked';
  if (k.validity === 'e') return 'the key has expired';
  if (k.validity === 'i' || k.validity === 'd') return 'the key is invalid or disabled';
  const what = describeAlgorithm(k.algo, k.bits, k.curve);
  if (k.algo === PUBKEY_RSA || k.algo === PUBKEY_RSA_SIGN) {
    if (k.bits < MIN_RSA_BITS) return `its primary key is ${what}; RSA keys need at least ${MIN_RSA_BITS} bits`;
  } else if (k.algo === PUBKEY_EDDSA_LEGACY) {
    if (k.curve !== 'ed25519') return `its primary key is ${what}; only the Ed25519 curve is supported`;
  } else {
    return `its primary key is ${what}, which RPM 4.18 cannot check; use an RSA (2048 bits or more) or legacy EdDSA Ed25519 primary key`;
  }
  if (!k.capabilities.includes('s')) return 'its primary key is not allowed to sign data (only a subkey is); RPM 4.18 cannot check signatures made by subkeys';
  if (k.secret === '#') return 'gpg holds only a stub for the primary secret key (its secret is elsewhere)';
  return undefined;
}

export async function inspectGpgKey(fingerprint: string): Promise<KeySummary> {
  const r = await run(GPG, [...BASE, '--with-colons', '--fixed-list-mode', '--list-secret-keys', '--', fingerprint], {
    env: gpgEnv(),
    check: false,
    timeoutMs: 60_000,
  });
  const keys = r.exitCode === 0 ? parseColonListing(r.stdout) : [];
  if (keys.length !== 1) throw new Py2pkgError('KEY_GPG', `gpg has no secret key ${fingerprint}${r.exitCode === 0 ? '' : ` (${singleLine(r.stderr, 160)})`}`);
  const k = keys[0]!;
  const problem = gpgKeyProblem(k, fingerprint);
  if (problem) throw new Py2pkgError('KEY_UNUSABLE', `the gpg key ${fingerprint} cannot be used: ${problem}`);
  // the same rules as for key files, on the public key gpg exports (critical subpackets, validity)
  const exported = await run(GPG, [...BASE, '--export', '--', fingerprint], { env: gpgEnv(), binaryStdout: true, timeoutMs: 60_000 });
  const openpgp = await loadOpenpgp();
  const pub = await openpgp.readKey({ binaryKey: exported.stdoutBuffer ?? Buffer.alloc(0) }).catch(() => undefined);
  if (!pub) throw new Py2pkgError('KEY_GPG', `gpg exported no readable public key for ${fingerprint}`);
  const reason = await unusableReason(pub, new Date());
  if (reason) throw new Py2pkgError('KEY_UNUSABLE', `the gpg key ${fingerprint} cannot be used: ${reason}`);
  return { fingerprint: k.fingerprint, keyId: k.fingerprint.slice(-16), algorithm: describeAlgorithm(k.algo, k.bits, k.curve), userIds: k.userIds };
}

/** Check what gpg wrote: one v4 signature packet by the primary key. */
async function checkPacket(bytes: Uint8Array, key: KeySummary): Promise<void> {
  const openpgp = await loadOpenpgp();
  const sig = await openpgp.readSignature({ binarySignature: bytes });
  const [p, ...rest] = sig.packets;
  const issuer = p?.issuerFingerprint ? Buffer.from(p.issuerFingerprint).toString('hex').toUpperCase() : p?.issuerKeyID.toHex().toUpperCase();
  if (!p || rest.length > 0 || p.version !== 4 || !issuer || !key.fingerprint.endsWith(issuer)) {
    throw new Py2pkgError('KEY_GPG', `gpg did not make one v4 signature by the primary key ${key.fingerprint}`);
  }
}

class GpgSigner implements Signer {
  readonly key: KeySummary;
  #tmp: string | undefined;

  constructor(key: KeySummary) {
    this.key = key;
  }

  #dir(): string {
    this.#tmp ??= makeWorkDir('py2pkg-gpg-');
    return this.#tmp;
  }

  /** gpg reads a file: a single whole file directly, anything else through a private temp file. */
  async #file(data: SignData): Promise<string> {
    if (data.kind === 'ranges' && data.ranges.length === 1 && data.ranges[0]!.start === 0) {
      const { stat } = await import('node:fs/promises');
      if ((await stat(data.ranges[0]!.path)).size === data.ranges[0]!.length) return data.ranges[0]!.path;
    }
    const path = join(this.#dir(), `data-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    if (data.kind === 'bytes') await writeFile(path, data.bytes, { mode: 0o600 });
    else {
      const { createWriteStream } = await import('node:fs');
      const { pipeline } = await import('node:stream/promises');
      const { Readable } = await import('node:stream');
      const source = data.kind === 'stream' ? data.stream : rangeChunks(data.ranges);
      await pipeline(Readable.from(source), createWriteStream(path, { mode: 0o600 }));
    }
    return path;
  }

  async publicKeyArmored(): Promise<string> {
    const r = await run(GPG, [...BASE, '--armor', '--export-options', 'export-minimal', '--export', '--', this.key.fingerprint], {
      env: gpgEnv(),
      timeoutMs: 60_000,
    });
    if (!r.stdout.includes('BEGIN PGP PUBLIC KEY BLOCK')) throw new Py2pkgError('KEY_GPG', `gpg exported no public key for ${this.key.fingerprint}`);
    return r.stdout;
  }

  async detachSign(data: SignData): Promise<Buffer> {
    const file = await this.#file(data);
    const r = await run(GPG, [...BASE, '--local-user', `${this.key.fingerprint}!`, '--digest-algo', 'SHA256', '--detach-sign', '--output', '-', '--', file], {
      env: gpgEnv(),
      binaryStdout: true,
      timeoutMs: SIGN_TIMEOUT_MS,
    });
    const packet = r.stdoutBuffer ?? Buffer.alloc(0);
    await checkPacket(packet, this.key);
    return packet;
  }

  async clearSign(text: string): Promise<string> {
    const file = await this.#file({ kind: 'bytes', bytes: Buffer.from(text, 'utf8') });
    const r = await run(GPG, [...BASE, '--local-user', `${this.key.fingerprint}!`, '--digest-algo', 'SHA256', '--clearsign', '--output', '-', '--', file], {
      env: gpgEnv(),
      timeoutMs: SIGN_TIMEOUT_MS,
    });
    const parsed = parseCleartext(r.stdout);
    if (!parsed) throw new Py2pkgError('KEY_GPG', 'gpg --clearsign wrote something that is not a cleartext signature');
    const openpgp = await loadOpenpgp();
    // write() is typed as a maybe-stream; a signature read from text is bytes
    const packet: unknown = (await openpgp.readSignature({ armoredSignature: parsed.armoredSignature })).write();
    if (!(packet instanceof Uint8Array)) throw new Py2pkgError('KEY_GPG', 'gpg --clearsign wrote a signature that could not be read back');
    await checkPacket(packet, this.key);
    return r.stdout;
  }

  rpmSignSetup(): Promise<RpmSignSetup> {
    return Promise.resolve({
      defines: [`_gpg_name ${this.key.fingerprint}!`, `__gpg ${GPG}`, '_gpg_digest_algo sha256', '_gpg_sign_cmd_extra_args --batch --no-tty'],
      env: gpgEnv(),
      close: () => Promise.resolve(),
    });
  }

  async close(): Promise<void> {
    if (this.#tmp) await removeWorkDir(this.#tmp);
    this.#tmp = undefined;
  }
}

async function* rangeChunks(ranges: Extract<SignData, { kind: 'ranges' }>['ranges']): AsyncIterable<Buffer> {
  const { createReadStream } = await import('node:fs');
  for (const r of ranges) {
    if (r.length === 0) continue;
    for await (const c of createReadStream(r.path, { start: r.start, end: r.start + r.length - 1 })) yield c as Buffer;
  }
}

export async function openGpgSigner(fingerprint: string): Promise<Signer> {
  return new GpgSigner(await inspectGpgKey(fingerprint));
}
