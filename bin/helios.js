#!/usr/bin/env node
// Thin launcher: registers the TypeScript loader, then hands over to the CLI.
import { register } from 'tsx/esm/api';
import { exitWhenDone } from './exit-guard.js';

/** How long a finished command may take to let go of what it opened before the process ends anyway. */
const EXIT_GRACE_MS = 10_000;

register();
const { main } = await import('../src/cli/main.ts');
const { processIo } = await import('../src/cli/io.ts');
const io = processIo();
const code = await main(process.argv.slice(2), io);
// A command that gave up on work it started (a shutdown past its deadline) ends now: that work
// may hold the process open, and the deadline was the bound the operator was promised.
if (io.abandoned) process.exit(code);
exitWhenDone(code, EXIT_GRACE_MS);
