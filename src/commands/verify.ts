/** `py2pkg verify PATH --key PUB`: check a signed .deb, .rpm, Apt or Yum repository the way its consumer does. */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { Py2pkgError } from '../errors.js';

export const VERIFY_EXAMPLES = `
Examples:
  py2pkg verify /srv/apt --key org-repo.pub.asc          # InRelease -> Packages -> pool files
  py2pkg verify /srv/yum --key org-repo.pub.asc          # repomd.xml.asc -> primary.xml -> rpms
  py2pkg verify out/python3-rpc4django_0.6.3-1_all.deb --key org-repo.pub.asc
  py2pkg verify --rebuild out/python3-rpc4django_0.6.3-1_all.deb --trusted-keys upstream-signers.asc

Past the signatures, each package's provenance.json and sbom.cdx.json (covered by its
signature) are read: the SBOM is checked against CycloneDX's schema and the provenance, and
the upstream evidence, the policy rule that admitted it and today's trust-store entry are shown.

Exit statuses: 0 verified, 3 the package's upstream identity differs from the trust store, 10 not signed, 11 bad signature (altered content, a hash that does
not match, expired metadata), 12 signed by a key not in --key (or revoked/expired),
2 usage, 4 unreadable package, 13 not a repository; --rebuild: 16 rebuilt to other bytes,
3 the recorded sdist is unavailable or its evidence changed, 5 no build record.
`;

export function registerVerify(program: Command, { io }: CommandContext): void {
  program
    .command('verify')
    .description('check the signatures of a .deb, an .rpm, or an Apt/Yum repository against the keys you trust')
    .argument('<path>', 'a .deb or .rpm file, or a repository directory')
    .option('--key <file>', 'the OpenPGP public key(s) to trust (armored or binary); required unless --rebuild')
    .option('--suite <name>', 'Apt: check only this suite (default: every suite in dists/)')
    .option('--at <date>', 'check as of this time (ISO 8601), e.g. whether the metadata is still valid next week')
    .option('--trust-store <file>', "compare each package's upstream evidence with this trust store (default: $XDG_CONFIG_HOME/py2pkg/trust-store.toml)")
    .option('-c, --config <file>', 'config file whose [trust] table names the store')
    .option('--signatures-only', 'check the signatures and digests only, not provenance, SBOM and trust store')
    .option('--json', 'print the checks as JSON on stdout')
    .option('-q, --quiet', 'print nothing on success')
    .option('--debug', 'stack traces on errors')
    .option(
      '--rebuild',
      'rebuild the package from the sdist its provenance records, with the recorded options, and compare byte for byte (exit 16 on a difference)',
    )
    .option('--sdist <file>', '--rebuild: the recorded sdist as a local file (default: <name>==<version> from the cache or the index)')
    .option('--trusted-keys <file>', '--rebuild: OpenPGP keys of the upstream signers (as for a conversion)')
    .option('--trust-policy <file>', '--rebuild: the trust policy (as for a conversion)')
    .option('--allow-unsigned', '--rebuild: the package records an unsigned sdist')
    .option('--templates <dir>', '--rebuild: the template directory the package was rendered with')
    .option('--index-url <url>', '--rebuild: simple-API index of the recorded sdist')
    .option('--find-links <dir|url>', '--rebuild: a directory or page of links to look in too (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--offline', '--rebuild: the sdist from the download cache and local locations only')
    .addHelpText('after', VERIFY_EXAMPLES)
    .action(async (path: string, flags: import('./verify-run.js').VerifyFlags & import('../rebuild/rebuild.js').RebuildFlags & { rebuild?: boolean }) => {
      if (flags.rebuild) {
        const { runVerifyRebuild } = await import('./verify-rebuild.js');
        return runVerifyRebuild(path, flags, io);
      }
      if (!flags.key) throw new Py2pkgError('USAGE', 'verify needs --key FILE (the OpenPGP public key(s) to trust), or --rebuild');
      const { runVerify } = await import('./verify-run.js');
      await runVerify(path, flags, io);
    });
}
