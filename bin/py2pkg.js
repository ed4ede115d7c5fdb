#!/usr/bin/env node
// Launcher only: the CLI lives in dist/src/cli.js (built by `make build`).
import { main } from '../dist/src/cli.js';
import { installInterruptHandlers } from '../dist/src/interrupt.js';

// the process's signals belong to the launcher: main() also runs inside tests
installInterruptHandlers();
process.exitCode = await main(process.argv);
