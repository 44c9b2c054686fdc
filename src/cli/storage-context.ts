import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { HeliosConfig } from '../config/schema.ts';
import { EXIT } from './exit-codes.ts';
import type { CliIo } from './io.ts';

export interface StorageCliOptions {
  config?: string;
  dataDir?: string;
}

/**
 * What the storage commands share: the resolved configuration and the data directory
 * (--data-dir, else app.data_dir). Reports a bad configuration and exits 2.
 */
export function storageContext(opts: StorageCliOptions, io: CliIo): { config: HeliosConfig; dataDir: string } | undefined {
  try {
    const { config } = loadConfig({ file: opts.config, env: io.env });
    return { config, dataDir: path.resolve(opts.dataDir ?? config.app.data_dir) };
  } catch (err) {
    io.err((err instanceof ConfigError ? err.message : `config: ${(err as Error).message}`) + '\n');
    io.exit(EXIT.CONFIG_ERROR);
    return undefined;
  }
}
