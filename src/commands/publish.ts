/** `py2pkg publish PKG... --repo DIR --sign-key KEY`: add (or --remove) packages in a signed Apt or Yum repository. */
import type { Command } from 'commander';
import type { RepoFlags } from '../repo/options.js';
import type { SignFlags } from '../sign/options.js';
import type { CommandContext } from './context.js';

export const PUBLISH_EXAMPLES = `
Examples:
  # add packages to a signed Apt repository (created when missing)
  py2pkg publish out/*.deb --repo /srv/apt --sign-key org-repo.sec.asc --passphrase-file pass.txt

  # a Yum repository, the key in gpg-agent or on a smartcard
  py2pkg publish out/*.rpm --repo /srv/yum --gpg-key 0123456789ABCDEF0123456789ABCDEF01234567

  # metadata valid for a week (apt refuses it afterwards: publish again to re-sign)
  py2pkg publish --repo /srv/apt --sign-key org-repo.sec.asc --valid-for 7

  # take a package out
  py2pkg publish --repo /srv/apt --sign-key org-repo.sec.asc --remove python3-rpc4django=0.6.3-1

The passphrase comes from --passphrase-file or PY2PKG_PASSPHRASE, never from the command line.
Exit statuses: 0 ok, 2 usage, 4 unreadable package, 7 tool failed, 13 repository refused the
change (same version with other contents, locked, not a py2pkg repository).
`;

interface PublishFlags extends SignFlags, RepoFlags {
  remove: string[];
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPublish(program: Command, { io }: CommandContext): void {
  program
    .command('publish')
    .description('sign packages and add them to (or remove them from) a signed Apt or Yum repository')
    .argument('[packages...]', '.deb files (Apt) or .rpm files (Yum)')
    .option('--repo <dir>', 'the repository directory (created when missing)')
    .option('--sign-key <file>', "the organization's OpenPGP secret key file (armored or binary)")
    .option('--passphrase-file <file>', "file whose first line is the key's passphrase (or set PY2PKG_PASSPHRASE)")
    .option('--gpg-key <fingerprint>', 'sign with this key from gpg-agent / a smartcard instead of a key file')
    .option('--suite <name>', 'Apt suite (default: stable)')
    .option('--component <name>', 'Apt component (default: main)')
    .option('--origin <text>', 'Origin field of the Apt Release (default: py2pkg)')
    .option('--label <text>', 'Label of the repository (default: the directory name); names the .sources/.repo snippet')
    .option('--valid-for <days>', 'write Valid-Until: apt refuses the metadata this many days after publishing')
    .option('--repo-url <url>', 'where clients fetch the repository, for the snippet (default: file:// of --repo)')
    .option('--replace', 'allow the same name and version with different contents to replace the published one')
    .option('--remove <name[=version]>', 'take a package (all versions, or one) out of the repository (repeatable)', collect, [])
    .option('--lock-timeout <seconds>', 'how long to wait for another publish to finish (default 600)')
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'no progress messages')
    .option('--debug', 'stack traces and tool output on errors')
    .addHelpText('after', PUBLISH_EXAMPLES)
    .action(async (packages: string[], flags: PublishFlags) => {
      const { runPublish } = await import('./publish-run.js');
      await runPublish(packages, flags, io);
    });
}
