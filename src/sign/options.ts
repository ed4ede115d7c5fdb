/** The signing flags, shared by convert and publish: which key, and where its passphrase comes from. */
import { resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { resolveRepoOptions, type RepoFlags, type RepoOptions } from '../repo/options.js';
import { normalizeFingerprint } from './key-check.js';
import type { SignerSpec } from './signer-types.js';

export interface SignFlags {
  signKey?: string;
  passphraseFile?: string;
  gpgKey?: string;
}

/** The environment variable a passphrase may come from (never argv). */
export const PASSPHRASE_ENV = 'PY2PKG_PASSPHRASE';

export function resolveSignerSpec(flags: SignFlags, env: NodeJS.ProcessEnv = process.env): SignerSpec | undefined {
  if (flags.signKey && flags.gpgKey) throw new Py2pkgError('USAGE', '--sign-key and --gpg-key name two different keys: pass one');
  if (flags.gpgKey !== undefined) {
    if (flags.passphraseFile) throw new Py2pkgError('USAGE', '--passphrase-file goes with --sign-key; with --gpg-key, gpg-agent asks for the passphrase');
    const fpr = normalizeFingerprint(flags.gpgKey);
    if (!fpr) throw new Py2pkgError('USAGE', `--gpg-key wants the key's full 40-hex-digit fingerprint, got "${singleLine(flags.gpgKey, 60)}"`);
    return { kind: 'gpg', fingerprint: fpr };
  }
  if (!flags.signKey) {
    if (flags.passphraseFile) throw new Py2pkgError('USAGE', '--passphrase-file only makes sense with --sign-key');
    return undefined;
  }
  return {
    kind: 'key-file',
    keyFile: resolve(flags.signKey),
    ...(flags.passphraseFile ? { passphraseFile: resolve(flags.passphraseFile) } : {}),
    passphraseEnv: () => env[PASSPHRASE_ENV],
  };
}

/** The signing and repository part of Settings (convert): both optional, checked together. */
export function releaseSettings(flags: SignFlags & RepoFlags, env: NodeJS.ProcessEnv = process.env): { signing?: SignerSpec; repo?: RepoOptions } {
  const signing = resolveSignerSpec(flags, env);
  const repo = resolveRepoOptions(flags);
  if (repo && !signing) throw new Py2pkgError('USAGE', '--repo needs the key that signs the repository: pass --sign-key FILE or --gpg-key FINGERPRINT');
  return { ...(signing ? { signing } : {}), ...(repo ? { repo } : {}) };
}
