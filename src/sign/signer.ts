/**
 * The Signer interface: the organization's key signing what py2pkg publishes. Two
 * implementations: an OpenPGP secret key file used in-process (key-file.ts, openpgp.js for
 * the key, node:crypto for hashing and the signature math) and GnuPG for keys held by
 * gpg-agent or a smartcard (gpg.ts).
 *
 * A `SignerSpec` is what the flags name; it is checked before anything is built
 * (`inspectSigner`, which never decrypts a key or reads a passphrase) and opened only after
 * the sandboxed build is done (`openSigner`).
 */
import type { KeySummary } from './key-check.js';
import type { SignData } from './sign-data.js';

export type SignerSpec =
  | {
      kind: 'key-file';
      keyFile: string;
      /** a file whose first line is the passphrase */
      passphraseFile?: string;
      /** read when the key is opened (PY2PKG_PASSPHRASE); never put in a child's environment */
      passphraseEnv?: () => string | undefined;
    }
  | { kind: 'gpg'; fingerprint: string };

/** What rpmsign needs to sign with this key: --define values and the environment. */
export interface RpmSignSetup {
  defines: string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface Signer {
  readonly key: KeySummary;
  /** the public key, armored (exported beside a repository) */
  publicKeyArmored(): Promise<string>;
  /** one binary OpenPGP v4 signature packet (signature type 0x00) over `data`, by the primary key */
  detachSign(data: SignData): Promise<Buffer>;
  /** the text cleartext-signed (an InRelease file) */
  clearSign(text: string): Promise<string>;
  /** rpmsign's __gpg_sign_cmd and friends for this key (workDir: a private directory) */
  rpmSignSetup(workDir: string): Promise<RpmSignSetup>;
  /** drop the key material and stop any helper */
  close(): Promise<void>;
}

/** What the checks before the build learned: enough to report, never the secret. */
export interface SignerInfo {
  key: KeySummary;
  spec: SignerSpec;
}

export async function inspectSigner(spec: SignerSpec): Promise<SignerInfo> {
  if (spec.kind === 'gpg') {
    const { inspectGpgKey } = await import('./gpg.js');
    return { key: await inspectGpgKey(spec.fingerprint), spec };
  }
  const { inspectKeyFile } = await import('./key-file.js');
  return { key: await inspectKeyFile(spec), spec };
}

export async function openSigner(spec: SignerSpec): Promise<Signer> {
  if (spec.kind === 'gpg') {
    const { openGpgSigner } = await import('./gpg.js');
    return openGpgSigner(spec.fingerprint);
  }
  const { openKeyFileSigner } = await import('./key-file.js');
  return openKeyFileSigner(spec);
}
