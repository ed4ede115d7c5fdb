/**
 * RPM header signatures: `rpmsign --addsign` with `__gpg_sign_cmd` pointed at py2pkg's own
 * helper (key file) or at gpg (--gpg-key). rpmsign rewrites the file in place (temp file +
 * rename in the same directory), so callers sign a private copy and rename it into place.
 * Afterwards the signature is read back and checked against the signer's public key.
 */
import { Py2pkgError } from '../errors.js';
import { run } from '../exec.js';
import { verifyDetached, readPublicKeys } from './openpgp-verify.js';
import { headerSignature, readRpmLayout } from './rpm-header.js';
import type { Signer } from './signer-types.js';

export const RPMSIGN = '/usr/bin/rpmsign';

export async function rpmAddSign(path: string, signer: Signer, workDir: string): Promise<void> {
  const setup = await signer.rpmSignSetup(workDir);
  try {
    await run(RPMSIGN, ['--addsign', ...setup.defines.flatMap((d) => ['--define', d]), '--', path], { env: setup.env, timeoutMs: 30 * 60_000 });
  } finally {
    await setup.close();
  }
  const layout = await readRpmLayout(path);
  const sig = headerSignature(layout);
  if (!sig) throw new Py2pkgError('TOOL_FAILED', 'rpmsign finished but the package has no header signature');
  const keys = await readPublicKeys(Buffer.from(await signer.publicKeyArmored(), 'utf8'));
  const check = await verifyDetached(sig, { kind: 'bytes', bytes: layout.header.blob }, keys);
  if (!check.ok) throw new Py2pkgError('TOOL_FAILED', `the header signature rpmsign wrote does not verify: ${check.detail}`);
}
