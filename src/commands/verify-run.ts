/** The verify command's work, loaded only when the command runs. */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { readPublicKeys } from '../sign/openpgp-verify.js';
import { verifyDeb, verifyRpm, type Verified } from '../sign/verify-package.js';
import { chainError, packageChain, type PackageChain } from '../trust/chain.js';
import type { Io } from './context.js';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export interface VerifyFlags {
  key: string;
  suite?: string;
  at?: string;
  json?: boolean;
  quiet?: boolean;
  trustStore?: string;
  config?: string;
  /** signatures only: skip provenance, SBOM and trust store */
  signaturesOnly?: boolean;
}

export async function runVerify(path: string, flags: VerifyFlags, io: Io): Promise<void> {
  let keyBytes: Buffer;
  try {
    const st = await stat(flags.key);
    if (!st.isFile() || st.size > 64 * 1024 * 1024) throw new Error('not a key file');
    keyBytes = await readFile(flags.key);
  } catch {
    throw new Py2pkgError('KEY_READ', `cannot read the key file ${basename(flags.key)}`, {
      hint: 'pass --key with the OpenPGP public key(s) you trust (armored or binary)',
    });
  }
  const keys = await readPublicKeys(keyBytes).catch(() => []);
  if (keys.length === 0)
    throw new Py2pkgError('KEY_READ', `${basename(flags.key)} holds no OpenPGP public key`, {
      hint: 'pass --key with the OpenPGP public key(s) you trust (armored or binary)',
    });

  const now = flags.at === undefined ? new Date() : new Date(flags.at);
  if (Number.isNaN(now.getTime())) throw new Py2pkgError('USAGE', `--at wants an ISO 8601 date, got "${singleLine(flags.at ?? '', 40)}"`);
  const target = resolve(path);
  const st = await stat(target).catch(() => undefined);
  if (!st) throw new Py2pkgError('INPUT_NOT_FOUND', `no such file or directory: ${path}`);
  let kind: string;
  let result: Verified;
  if (st.isDirectory()) {
    if (await exists(join(target, 'dists'))) {
      kind = 'apt';
      const { verifyAptRepo } = await import('../repo/verify-apt.js');
      result = await verifyAptRepo(target, keys, { now, ...(flags.suite ? { suite: flags.suite } : {}) });
    } else if (await exists(join(target, 'repodata'))) {
      kind = 'yum';
      const { verifyYumRepo } = await import('../repo/verify-yum.js');
      result = await verifyYumRepo(target, keys, { now });
    } else {
      throw new Py2pkgError('REPO_INVALID', `${path} has neither dists/ (Apt) nor repodata/ (Yum)`);
    }
  } else if (target.endsWith('.deb')) {
    kind = 'deb';
    result = await verifyDeb(target, keys, now);
  } else if (target.endsWith('.rpm')) {
    kind = 'rpm';
    result = await verifyRpm(target, keys, now);
  } else {
    throw new Py2pkgError('USAGE', `verify takes a .deb, an .rpm or a repository directory, not ${basename(path)}`);
  }
  // past the signatures: provenance, SBOM, upstream evidence, policy rule, trust store
  const chains: PackageChain[] = [];
  if (!flags.signaturesOnly) {
    const { loadConfig, trustSettings } = await import('../settings.js');
    const { config } = await loadConfig(flags.config, process.env);
    const { trustStore } = await trustSettings(flags.trustStore ? { trustStore: flags.trustStore } : {}, config.trust, process.env);
    const files = kind === 'deb' || kind === 'rpm' ? [target] : (result.packages ?? []).map((p) => join(target, p));
    for (const f of files) chains.push(await packageChain(f, f.endsWith('.rpm') ? 'rpm' : 'deb', trustStore));
  }
  const failure = chainError(chains);
  if (flags.json) {
    io.out(
      `${JSON.stringify({ path: target, kind, verified: failure === undefined, signer: result.signer, checks: result.checks, packages: chains.map((c) => ({ package: c.package, chain: c.links, provenance: c.provenance })) }, null, 2)}\n`,
    );
  } else if (!flags.quiet) {
    for (const c of result.checks) io.out(`ok    ${c.link}: ${c.detail}\n`);
    for (const c of chains) {
      if (chains.length > 1 || kind === 'apt' || kind === 'yum') io.out(`-- ${basename(c.package)}\n`);
      for (const l of c.links) io.out(`${l.status.padEnd(4)}  ${l.link}: ${l.detail}\n`);
    }
    if (!failure) io.out(`verified: ${path} (signed by ${result.signer})\n`);
  }
  if (failure) throw failure;
}
