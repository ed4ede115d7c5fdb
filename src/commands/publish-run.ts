/** The publish command's work, loaded only when the command runs. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { resolveRepoOptions, type RepoFlags } from '../repo/options.js';
import { publish, repoKind } from '../repo/publish.js';
import { parseRemoval } from '../repo/publish-types.js';
import { checkRepoDir } from '../repo/repo-dir.js';
import { resolveSignerSpec, type SignFlags } from '../sign/options.js';
import { inspectSigner, openSigner } from '../sign/signer.js';
import type { Io } from './context.js';
import { makeWorkDir, removeWorkDir } from '../interrupt.js';

export async function runPublish(
  packages: string[],
  flags: SignFlags & RepoFlags & { remove: string[]; json?: boolean; quiet?: boolean },
  io: Io,
): Promise<void> {
  const spec = resolveSignerSpec(flags);
  const opts = resolveRepoOptions(flags);
  if (!opts) throw new Py2pkgError('USAGE', 'publish needs --repo DIR');
  if (!spec) throw new Py2pkgError('USAGE', 'publish needs the key that signs the repository: --sign-key FILE or --gpg-key FINGERPRINT');
  const files: string[] = [];
  for (const p of packages) {
    const abs = resolve(p);
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile()) throw new Py2pkgError('INPUT_NOT_FOUND', `no such package file: ${p}`);
    files.push(abs);
  }
  const removals = flags.remove.map(parseRemoval);
  const kind = await repoKind(files, opts.dir);
  if (kind === 'yum' && (flags.suite !== undefined || flags.component !== undefined || flags.origin !== undefined || flags.validFor !== undefined)) {
    throw new Py2pkgError('USAGE', '--suite, --component, --origin and --valid-for are for Apt repositories');
  }
  // every check a user can fix, before the key is opened
  const info = await inspectSigner(spec);
  await checkRepoDir(opts.dir, kind, info.key.fingerprint);

  const progress = flags.quiet || flags.json ? () => {} : (m: string) => io.err(`py2pkg: ${m}\n`);
  const signer = await openSigner(spec);
  const work = makeWorkDir('py2pkg-publish-');
  try {
    const result = await publish(kind, { opts, files, removals, signer, workDir: work, progress });
    if (flags.json) {
      io.out(`${JSON.stringify({ ...result, signedBy: signer.key.fingerprint }, null, 2)}\n`);
    } else {
      io.out(`${result.dir} (${kind === 'apt' ? `Apt, suite ${opts.suite}` : 'Yum'}) signed by ${signer.key.fingerprint}\n`);
      for (const p of result.packages) io.out(`  + ${p}\n`);
      for (const p of result.removed) io.out(`  - ${p}\n`);
      io.out(`  key: ${result.keyFile}\n  client configuration: ${result.snippet}\n`);
    }
  } finally {
    await signer.close();
    await removeWorkDir(work);
  }
}
