/**
 * The commander program: flags + config -> Settings -> pipeline; errors -> one line and an
 * exit status from the catalogue (src/errors.ts). Heavy modules load lazily so that
 * `py2pkg --version` and `--help` stay fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitStatus, isPy2pkgError, singleLine } from './errors.js';
import type { ConvertFlags } from './settings.js';
import { toolVersion } from './version.js';

const EXAMPLES = `
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

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export function buildProgram(io: Io, onConvert: (input: string, flags: ConvertFlags) => Promise<void>): Command {
  const program = new Command('py2pkg')
    .description('Turn a verified Python sdist into an operating-system package.')
    .version(toolVersion(), '-V, --version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run py2pkg --help for usage)');

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
    .addHelpText('after', EXAMPLES)
    .action(async (input: string, flags: ConvertFlags) => onConvert(input, flags));

  program.addHelpText('after', EXAMPLES);
  return program;
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const debug = argv.includes('--debug');
  let status = ExitStatus.ok as number;
  const program = buildProgram(io, async (input, flags) => {
    const { resolveSettings, DEFAULT_MAINTAINER } = await import('./settings.js');
    const { convert } = await import('./pipeline.js');
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
  try {
    await program.parseAsync(argv);
  } catch (e) {
    status = reportError(e, debug, io);
  }
  return status;
}

export function reportError(e: unknown, debug: boolean, io: Io): number {
  if (e instanceof CommanderError) {
    // help and version exit 0 through here; usage errors were already printed by commander
    return e.exitCode === 0 ? ExitStatus.ok : ExitStatus.usage;
  }
  if (isPy2pkgError(e)) {
    io.err(`${e.oneLine()}\n`);
    if (debug) {
      if (e.detail) io.err(`${e.detail}\n`);
      io.err(`${e.stack ?? ''}\n`);
    }
    return e.exitStatus;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.err(`py2pkg: internal error: ${singleLine(message)} (this is a bug: rerun with --debug and report it)\n`);
  if (debug && e instanceof Error) io.err(`${e.stack ?? ''}\n`);
  return ExitStatus.internal;
}
