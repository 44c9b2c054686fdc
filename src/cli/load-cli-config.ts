import { ConfigError, loadConfig, type LoadedConfig, type LoadOptions } from '../config/load.ts';
import type { CliIo } from './io.ts';

/** What a command tells the user about a configuration it could not load. */
export function configProblem(err: unknown): string {
  return err instanceof ConfigError ? err.message : `config: ${(err as Error).message}`;
}

/** The configuration for a command, or null after reporting why it could not be loaded (the caller exits 2). */
export function loadCliConfig(io: CliIo, opts: Omit<LoadOptions, 'env'> = {}): LoadedConfig | null {
  try {
    return loadConfig({ ...opts, env: io.env });
  } catch (err) {
    io.err(configProblem(err) + '\n');
    return null;
  }
}
