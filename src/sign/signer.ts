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
import type { SignerInfo, Signer, SignerSpec } from './signer-types.js';

// the types live in signer-types.ts, which the implementations import: no import cycle
export type { RpmSignSetup, Signer, SignerInfo, SignerSpec } from './signer-types.js';

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
