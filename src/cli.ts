/**
 * The commander program: each command lives in src/commands/<name>.ts and registers itself
 * here. Errors become one line and an exit status from the catalogue (src/errors.ts).
 * Heavy modules load lazily inside the actions, so `py2pkg --version` and `--help` stay fast.
 */
import { Command, CommanderError } from 'commander';
import { registerConvert } from './commands/convert.js';
import { registerTargets } from './commands/targets.js';
import { registerPublish } from './commands/publish.js';
import { registerVerify } from './commands/verify.js';
import { registerKeygen } from './commands/keygen.js';
import { registerTrust } from './commands/trust.js';
import { registerTemplates } from './commands/templates.js';
import { registerOutdated } from './commands/outdated.js';
import type { Io, RegisterCommand } from './commands/context.js';
import { ExitStatus, ExitWithStatus, internalErrorLine, userError } from './errors.js';
import { toolVersion } from './version.js';

/** Every command py2pkg has; the first is the default. */
const COMMANDS: RegisterCommand[] = [
  registerConvert,
  registerTargets,
  registerPublish,
  registerVerify,
  registerKeygen,
  registerTrust,
  registerTemplates,
  registerOutdated,
];

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

// `py2pkg ... | head`: a closed pipe is the reader's choice, not an error worth a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** `py2pkg --help`: the three jobs, one example each; every command's --help has more. */
export const TOP_EXAMPLES = `
Examples:
  # convert a signed sdist (its .asc beside it) that a signer you pinned vouches for
  py2pkg ./rpc4django-0.6.3.tar.gz --trusted-keys upstream-signers.asc --out out/

  # by name from the index (PyPI unless --index-url), as a signed RPM for RHEL 9
  py2pkg rpc4django --target el9 --trusted-keys upstream-signers.asc --sign-key org.sec.asc

  # publish packages into a signed Apt repository your machines install from
  py2pkg publish out/*.deb --repo /srv/apt --sign-key org.sec.asc

More examples: py2pkg convert --help (and publish, verify, keygen, targets --help).
Exit statuses: 0 ok, 2 usage, 3 trust, 4 unsafe input, 5 unsupported, 6 build, 7 tool,
8 network, 9 not on the index, 10-12 verify, 13 repository; README.md lists them all.
`;

export function buildProgram(io: Io): Command {
  const program = new Command('py2pkg')
    .description('Turn a verified Python sdist into an operating-system package.')
    .version(toolVersion(), '-V, --version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run py2pkg --help for usage)');
  for (const register of COMMANDS) register(program, { io });
  program.addHelpText('after', TOP_EXAMPLES);
  // subcommands inherit exitOverride and output settings
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram(io).parseAsync(argv);
    return ExitStatus.ok;
  } catch (e) {
    return reportError(e, debug, io);
  }
}

export function reportError(e: unknown, debug: boolean, io: Io): number {
  if (e instanceof CommanderError) {
    // help and version exit 0 through here; usage errors were already printed by commander
    return e.exitCode === 0 ? ExitStatus.ok : ExitStatus.usage;
  }
  if (e instanceof ExitWithStatus) return e.status;
  const known = userError(e);
  if (known) {
    io.err(`${known.oneLine()}\n`);
    if (debug) {
      if (known.detail) io.err(`${known.detail}\n`);
      io.err(`${known.stack ?? ''}\n`);
    }
    return known.exitStatus;
  }
  io.err(`${internalErrorLine(e)}\n`);
  if (debug && e instanceof Error) io.err(`${e.stack ?? ''}\n`);
  return ExitStatus.internal;
}
