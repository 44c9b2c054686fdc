import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import * as config from './config.ts';
import * as start from './start.ts';

/** Every subcommand module; each registers itself on the program. */
export const COMMANDS: Array<{ register(program: Command, io: CliIo): void }> = [start, config];
