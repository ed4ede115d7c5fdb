/** `py2pkg [convert] <sdist>`: verify -> unpack -> inspect -> build -> package. */
import { Option, type Command } from 'commander';
import type { ConvertFlags } from '../settings.js';
import type { CommandContext } from './context.js';

export const CONVERT_EXAMPLES = `
Examples:
  # verify, build and package a signed sdist (rpc4django-0.6.3.tar.gz.asc beside it)
  py2pkg ./rpc4django-0.6.3.tar.gz --format deb --trusted-keys upstream-signers.asc --out out/

  # the signature is elsewhere
  py2pkg ./pkg-1.0.tar.gz --signature ./pkg-1.0.tar.gz.sig --trusted-keys keys.gpg

  # no upstream signature exists: convert anyway, recorded as unsigned in the package
  py2pkg ./pkg-1.0.tar.gz --allow-unsigned --maintainer 'Ops Team <ops@example.org>'

Exit statuses: 0 ok, 1 internal error, 2 usage, 3 signature/trust, 4 unsafe or malformed
input, 5 unsupported project, 6 project build failed, 7 external tool missing/failed.
`;

export function registerConvert(program: Command, { io }: CommandContext): void {
  program
    .command('convert', { isDefault: true })
    .description('verify, build and package an sdist (the default command)')
    .argument('<sdist>', 'path of the sdist (.tar.gz or .zip)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['deb']))
    .option('-t, --target <profile>', 'target distribution profile (default for deb: debian12)')
    .option('-k, --trusted-keys <file>', 'OpenPGP public keys of the upstream signers you pinned (armored or binary)')
    .option('-s, --signature <file>', 'detached signature of the sdist (default: <sdist>.asc)')
    .option('--allow-unsigned', 'convert without a valid upstream signature; recorded as unsigned in the package')
    .option('-o, --out <dir>', 'directory for the package (default: current directory)')
    .option('-m, --maintainer <"Name <email>">', 'Maintainer field (default: config, then DEBFULLNAME/DEBEMAIL)')
    .option('-c, --config <file>', 'config file (default: $XDG_CONFIG_HOME/py2pkg/config.toml, /etc/py2pkg/config.toml)')
    .option('--build-timeout <seconds>', 'kill the sandboxed build after this long (default 900)')
    .option('--max-unpacked-size <MiB>', 'refuse sdists that expand past this size (default 512)')
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'no progress messages')
    .option('--keep-temp', 'keep the private temp directory (for debugging)')
    .option('--debug', 'stack traces and tool output on errors')
    .addHelpText('after', CONVERT_EXAMPLES)
    .action(async (input: string, flags: ConvertFlags) => {
      // openpgp.js takes ~50 ms to load: start now, it overlaps settings and hashing
      if (!flags.allowUnsigned) void import('openpgp').catch(() => {});
      const { resolveSettings, DEFAULT_MAINTAINER } = await import('../settings.js');
      const { convert } = await import('../pipeline.js');
      const settings = await resolveSettings(input, flags);
      const progress = settings.quiet || settings.json ? () => {} : (m: string) => io.err(`py2pkg: ${m}\n`);
      if (settings.maintainer === DEFAULT_MAINTAINER && !settings.quiet) {
        io.err(`py2pkg: warning: no maintainer configured, using "${DEFAULT_MAINTAINER}"; pass --maintainer for packages you publish\n`);
      }
      const result = await convert(settings, progress);
      if (settings.json) {
        io.out(`${JSON.stringify({ package: result.output, name: result.name, version: result.version, provenance: result.provenance }, null, 2)}\n`);
      } else {
        io.out(`${result.output.path}\n`);
      }
    });
}
