#!/usr/bin/env node
// Launcher only: the CLI lives in dist/src/cli.js (built by `make build`).
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv);
