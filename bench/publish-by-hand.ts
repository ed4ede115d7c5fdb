/**
 * Two more contenders for bench/publish.ts (bench/README.md, "Publish"), reported beside the goal:
 *
 * - **By hand**: the same signed publish done with the standard tools, one process after another
 *   as a shell script would run them, with the same TEST-ONLY key in a scratch GnuPG home:
 *     Apt  debsigs --sign=origin (the new .deb), apt-ftparchive packages, xz, gzip,
 *          apt-ftparchive release, gpg --clearsign (InRelease), gpg -abs (Release.gpg)
 *     Yum  rpmsign --addsign (the new .rpm), createrepo_c --update, gpg --detach-sign --armor
 *          (repomd.xml.asc)
 *   Each keeps its own copy of the repository's packages (as py2pkg signed them).
 * - **Floor**: what any signed publish by a node process must spend that the index tool does not:
 *   `node dist/bench/publish-floor.js KEY N` (node, openpgp.js, the key, N signatures); on the
 *   Yum side plus the tool's own time, since a publish runs `createrepo_c --update` itself.
 */
import { chmod, copyFile, cp, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const HERE = dirname(fileURLToPath(import.meta.url));
const FLOOR = join(HERE, 'publish-floor.js');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
export const ORG_FPR = '1B81394B46DA6D883806DBEC9E8D3CB7D09AE442';

export interface Step {
  file: string;
  args: string[];
  cwd?: string;
  /** write the tool's stdout here */
  stdoutTo?: string;
}

/** Run the steps one after another; the wall time of all of them, in ms. */
export async function runSteps(steps: Step[], env: Record<string, string>): Promise<number> {
  const t = process.hrtime.bigint();
  for (const s of steps) {
    const r = await execa(s.file, s.args, {
      env: { ...ENV, ...env },
      extendEnv: false,
      reject: false,
      cwd: s.cwd,
      stdout: s.stdoutTo ? { file: s.stdoutTo } : 'ignore',
      timeout: 10 * 60_000,
    });
    if (r.exitCode !== 0) throw new Error(`${s.file} ${s.args.slice(0, 3).join(' ')} failed: ${String(r.stderr).slice(-800)}`);
  }
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** A scratch GnuPG home holding the secret key, its agent started (the first signature is untimed). */
export async function gnupgHome(work: string, secretKey: string): Promise<Record<string, string>> {
  const home = join(work, 'gnupg');
  await mkdir(home, { recursive: true });
  await chmod(home, 0o700);
  const env = { GNUPGHOME: home, HOME: work };
  await writeFile(join(work, 'warm.txt'), 'warm\n');
  await runSteps(
    [
      { file: '/usr/bin/gpg', args: ['--batch', '--import', secretKey] },
      { file: '/usr/bin/gpg', args: ['--batch', '--yes', '-u', ORG_FPR, '-abs', '-o', join(work, 'warm.asc'), join(work, 'warm.txt')] },
    ],
    env,
  );
  return env;
}

export async function stopAgent(env: Record<string, string>): Promise<void> {
  await execa('/usr/bin/gpgconf', ['--kill', 'gpg-agent'], { env: { ...ENV, ...env }, extendEnv: false, reject: false });
}

/** `node dist/bench/publish-floor.js KEY N`, timed. */
export async function floorProbe(secretKey: string, signatures: number): Promise<number> {
  return runSteps([{ file: process.execPath, args: [FLOOR, secretKey, String(signatures)] }], { HOME: '/root' });
}

/** By hand, Apt: the tree at `hand` (pool/ copied from py2pkg's repository), one more .deb. */
export function aptByHand(hand: string, gpg: Record<string, string>): { sync(repo: string): Promise<void>; publish(deb: string): Promise<number> } {
  const dists = join(hand, 'dists', 'stable');
  const all = join(dists, 'main', 'binary-all');
  const amd64 = join(dists, 'main', 'binary-amd64');
  return {
    async sync(repo) {
      await mkdir(all, { recursive: true });
      await mkdir(amd64, { recursive: true });
      await cp(join(repo, 'pool'), join(hand, 'pool'), { recursive: true, force: false, errorOnExist: false });
    },
    async publish(deb) {
      const t = process.hrtime.bigint();
      const dest = join(hand, 'pool', 'main', 'new', basename(deb));
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(deb, dest);
      const packages = join(all, 'Packages');
      const release = join(hand, 'Release.new');
      await runSteps(
        [
          { file: '/usr/bin/debsigs', args: ['--sign=origin', '-k', ORG_FPR, dest] },
          { file: '/usr/bin/apt-ftparchive', args: ['packages', 'pool'], cwd: hand, stdoutTo: packages },
          { file: '/usr/bin/xz', args: ['-k', '-f', packages] },
          { file: '/usr/bin/gzip', args: ['-9', '-n', '-k', '-f', packages] },
          { file: '/usr/bin/cp', args: ['-f', packages, `${packages}.gz`, `${packages}.xz`, amd64] },
          {
            file: '/usr/bin/apt-ftparchive',
            args: [
              '-o',
              'APT::FTPArchive::Release::Suite=stable',
              '-o',
              'APT::FTPArchive::Release::Components=main',
              '-o',
              'APT::FTPArchive::Release::Architectures=all amd64',
              'release',
              dists,
            ],
            stdoutTo: release,
          },
          { file: '/usr/bin/mv', args: ['-f', release, join(dists, 'Release')] },
          { file: '/usr/bin/gpg', args: ['--batch', '--yes', '-u', ORG_FPR, '--clearsign', '-o', join(dists, 'InRelease'), join(dists, 'Release')] },
          { file: '/usr/bin/gpg', args: ['--batch', '--yes', '-u', ORG_FPR, '-abs', '-o', join(dists, 'Release.gpg'), join(dists, 'Release')] },
        ],
        gpg,
      );
      return Number(process.hrtime.bigint() - t) / 1e6;
    },
  };
}

/** By hand, Yum: the tree at `hand` (Packages/ copied from py2pkg's repository), one more .rpm. */
export function yumByHand(
  hand: string,
  gpg: Record<string, string>,
  createrepoArgs: string[],
): { sync(repo: string): Promise<void>; publish(rpm: string): Promise<number> } {
  return {
    async sync(repo) {
      await cp(join(repo, 'Packages'), join(hand, 'Packages'), { recursive: true, force: false, errorOnExist: false });
      await runSteps([{ file: '/usr/bin/createrepo_c', args: ['--update', ...createrepoArgs, hand] }], gpg);
    },
    async publish(rpm) {
      const t = process.hrtime.bigint();
      const dest = join(hand, 'Packages', 'new', basename(rpm));
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(rpm, dest);
      await runSteps(
        [
          {
            file: '/usr/bin/rpmsign',
            args: ['--addsign', '--define', '__gpg /usr/bin/gpg', '--define', `_gpg_name ${ORG_FPR}`, '--define', `_gpg_path ${gpg.GNUPGHOME}`, dest],
          },
          { file: '/usr/bin/createrepo_c', args: ['--update', ...createrepoArgs, hand] },
          { file: '/usr/bin/gpg', args: ['--batch', '--yes', '-u', ORG_FPR, '--detach-sign', '--armor', join(hand, 'repodata', 'repomd.xml')] },
        ],
        gpg,
      );
      return Number(process.hrtime.bigint() - t) / 1e6;
    },
  };
}
