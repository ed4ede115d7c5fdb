/**
 * The types every signer shares: what the flags name (SignerSpec), the Signer interface the
 * two implementations (key-file.ts, gpg.ts) provide, and rpmsign's set-up. Kept apart from
 * signer.ts, which loads the implementations, so that they import no module that imports them.
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
