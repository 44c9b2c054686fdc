#!/usr/bin/env node
// Thin launcher: registers the TypeScript loader, then hands over to the CLI.
import { register } from 'tsx/esm/api';
import { exitWhenDone } from './exit-guard.js';

/** How long a finished command may take to let go of what it opened before the process ends anyway. */
const EXIT_GRACE_MS = 10_000;

register();
const { main } = await import('../src/cli/main.ts');
exitWhenDone(await main(process.argv.slice(2)), EXIT_GRACE_MS);
