import { scrubText } from '../adapters/log/redact.ts';
import { ConfigError, loadConfig, type LoadedConfig, type LoadOptions } from '../config/load.ts';
import type { CliIo } from './io.ts';

/**
 * What a command tells the user about a configuration it could not load. Credentials can hide in
 * plain settings a problem echoes (redis://user:password@host), so they are scrubbed here.
 */
export function configProblem(err: unknown): string {
  return scrubText(err instanceof ConfigError ? err.message : `config: ${(err as Error).message}`);
}

/**
 * The configuration for a command, or null after reporting why it could not be loaded (the caller
 * exits 2). `command` opens the report as it opens the command's other errors (`helios run`,
 * `compact`), so a script running several commands can tell which one its configuration failed.
 */
export function loadCliConfig(io: CliIo, command: string, opts: Omit<LoadOptions, 'env'> = {}): LoadedConfig | null {
  try {
    return loadConfig({ ...opts, env: io.env });
  } catch (err) {
    io.err(`${command}: ${configProblem(err)}\n`);
    return null;
  }
}
