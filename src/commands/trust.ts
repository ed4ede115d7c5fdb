/** `py2pkg trust list|show|pin|forget`: read and change the trust-on-first-use store (src/trust/store.ts). */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export const TRUST_EXAMPLES = `
Examples:
  py2pkg trust list                                   # every project the store pins
  py2pkg trust show rpc4django                        # what admitted it first, and when
  py2pkg trust pin rpc4django --pgp 0FC0...64EA       # pin a reviewed signer before first use
  py2pkg trust pin sampleproject --publisher github:pypa/sampleproject@release.yml
  py2pkg trust forget rpc4django                      # after reviewing a TRUST_CHANGED

The store is $XDG_CONFIG_HOME/py2pkg/trust-store.toml unless --trust-store, the [trust] table's
store, or PY2PKG_TRUST_STORE says otherwise.
`;

export interface TrustFlags {
  trustStore?: string;
  config?: string;
  json?: boolean;
  pgp?: string[];
  publisher?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerTrust(program: Command, { io }: CommandContext): void {
  const trust = program.command('trust').description('show and change the trust-on-first-use store').addHelpText('after', TRUST_EXAMPLES);
  const common = (c: Command) =>
    c
      .option('--trust-store <file>', 'the store (default: $XDG_CONFIG_HOME/py2pkg/trust-store.toml)')
      .option('-c, --config <file>', 'config file whose [trust] table names the store')
      .option('--debug', 'stack traces on errors');
  const run = async (action: 'list' | 'show' | 'pin' | 'forget', name: string | undefined, flags: TrustFlags) => {
    const { runTrust } = await import('./trust-run.js');
    await runTrust(action, name, flags, io);
  };
  common(trust.command('list').description('every project in the store').option('--json', 'JSON on stdout')).action((flags: TrustFlags) =>
    run('list', undefined, flags),
  );
  common(trust.command('show').description("one project's entry").argument('<name>').option('--json', 'JSON on stdout')).action(
    (name: string, flags: TrustFlags) => run('show', name, flags),
  );
  common(
    trust
      .command('pin')
      .description('pin a reviewed identity for a project (before its first conversion, or to replace a forgotten one)')
      .argument('<name>')
      .option('--pgp <fingerprint>', 'a full OpenPGP fingerprint (repeatable)', collect, [])
      .option('--publisher <spec>', 'github:OWNER/REPO@WORKFLOW.yml, gitlab:GROUP/PROJECT@.gitlab-ci.yml or google:EMAIL'),
  ).action((name: string, flags: TrustFlags) => run('pin', name, flags));
  common(trust.command('forget').description("remove a project's entry: its next conversion is a first use again").argument('<name>')).action(
    (name: string, flags: TrustFlags) => run('forget', name, flags),
  );
}
