/**
 * The sign and publish stages of a conversion (after `package`):
 *  - planRelease, before anything is built: the key is read for its public facts and
 *    refused if RPM/apt could not use it; the repository directory is checked. Nothing
 *    secret is decrypted and no passphrase is read yet.
 *  - runRelease, after the sandboxed build is done: the key is opened, the package (still in
 *    the private work directory) is signed, then copied into --out by rename, then published.
 */
import { basename, join } from 'node:path';
import { Py2pkgError } from '../errors.js';
import type { PackageOutput } from '../formats/packager.js';
import type { RepoOptions } from '../repo/options.js';
import type { PublishResult } from '../repo/publish-types.js';
import { checkRepoDir } from '../repo/repo-dir.js';
import { copyAtomic } from '../repo/fsutil.js';
import { inspectSigner, openSigner, type SignerInfo, type SignerSpec } from './signer.js';

export interface ReleasePlan {
  signer: SignerInfo;
  repo: RepoOptions | undefined;
}

export type ReleasedPackage = PackageOutput & { signedBy: string; repository?: PublishResult; debugSymbols?: PackageOutput & { signedBy: string } };

const kindOf = (format: string) => (format === 'rpm' ? 'yum' : 'apt');

export async function planRelease(signing: SignerSpec | undefined, repo: RepoOptions | undefined, format: string): Promise<ReleasePlan | undefined> {
  if (!signing) {
    if (repo) throw new Py2pkgError('USAGE', '--repo needs the key that signs the repository: pass --sign-key FILE or --gpg-key FINGERPRINT');
    return undefined;
  }
  const signer = await inspectSigner(signing);
  if (repo) await checkRepoDir(repo.dir, kindOf(format), signer.key.fingerprint);
  return { signer, repo };
}

export async function runRelease(
  plan: ReleasePlan,
  output: PackageOutput,
  outDir: string,
  workDir: string,
  progress: (m: string) => void,
): Promise<ReleasedPackage> {
  // the package and its -dbgsym companion (when there is one): signed alike, published together
  const all = [output, ...(output.debugSymbols ? [output.debugSymbols] : [])];
  progress(`sign ${all.map((o) => basename(o.path)).join(' and ')} with ${plan.signer.key.fingerprint}`);
  const signer = await openSigner(plan.signer.spec);
  try {
    for (const o of all) {
      if (o.format === 'rpm') {
        const { rpmAddSign } = await import('./rpm-sign.js');
        await rpmAddSign(o.path, signer, workDir);
      } else {
        const { signDeb } = await import('./deb-sig.js');
        await signDeb(o.path, signer);
      }
    }
    // the companion first: the main package never appears in --out without it
    const finals = all.map((o) => join(outDir, basename(o.path)));
    for (let i = finals.length - 1; i >= 0; i--) await copyAtomic(all[i]!.path, finals[i]!);
    let repository: PublishResult | undefined;
    if (plan.repo) {
      progress(`publish into ${plan.repo.dir}`);
      const { publish } = await import('../repo/publish.js');
      repository = await publish(kindOf(output.format), { opts: plan.repo, files: finals, removals: [], signer, workDir, progress });
    }
    const signedBy = signer.key.fingerprint;
    const { debugSymbols: unsigned, ...main } = output;
    const debugSymbols = unsigned ? { ...unsigned, path: finals[1]!, signedBy } : undefined;
    return { ...main, path: finals[0]!, signedBy, ...(debugSymbols ? { debugSymbols } : {}), ...(repository ? { repository } : {}) };
  } finally {
    await signer.close();
  }
}
