/** What every command gets from the CLI shell: where to write, and how to report. */
import type { Command } from 'commander';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface CommandContext {
  io: Io;
}

/** A command module adds itself to the program; its action throws Py2pkgError on failure. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
