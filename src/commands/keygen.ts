/** `py2pkg keygen --name NAME --out PREFIX`: an organization signing key RPM, apt and debsig-verify accept (for trials). */
import { Option, type Command } from 'commander';
import type { CommandContext } from './context.js';

export const KEYGEN_EXAMPLES = `
Examples:
  py2pkg keygen --name "Example Org Repo" --email repo@example.org --out org-repo
  # -> org-repo.sec.asc (mode 0600) and org-repo.pub.asc; prints the fingerprint

  PY2PKG_PASSPHRASE='...' py2pkg keygen --name "Example Org Repo" --out org-repo --protect

For production keys, generate and keep them where your organization keeps secrets (an HSM,
a smartcard with --gpg-key); keygen is for trials and tests.
`;

export function registerKeygen(program: Command, { io }: CommandContext): void {
  program
    .command('keygen')
    .description('make a v4 OpenPGP signing key that RPM 4.18, apt and debsig-verify accept')
    .requiredOption('--name <name>', 'the name in the user ID, e.g. "Example Org Repo"')
    .option('--email <address>', 'the e-mail address in the user ID')
    .requiredOption('--out <prefix>', 'writes PREFIX.sec.asc and PREFIX.pub.asc (refuses to overwrite)')
    .addOption(new Option('--type <type>', 'key algorithm').choices(['rsa4096', 'curve25519Legacy']).default('rsa4096'))
    .option('--protect', 'encrypt the secret key with the passphrase from --passphrase-file or PY2PKG_PASSPHRASE')
    .option('--passphrase-file <file>', 'file whose first line is the passphrase (implies --protect)')
    .option('--debug', 'stack traces on errors')
    .addHelpText('after', KEYGEN_EXAMPLES)
    .action(async (flags: { name: string; email?: string; out: string; type: 'rsa4096' | 'curve25519Legacy'; protect?: boolean; passphraseFile?: string }) => {
      const { runKeygen } = await import('./keygen-run.js');
      await runKeygen(flags, io);
    });
}
