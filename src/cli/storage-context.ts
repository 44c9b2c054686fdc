import path from 'node:path';
import { loadCliConfig } from './load-cli-config.ts';
import type { HeliosConfig } from '../config/schema.ts';
import { EXIT } from './exit-codes.ts';
import { missingDataDir } from './replay-options.ts';
import type { CliIo } from './io.ts';

export interface StorageCliOptions {
  config?: string;
  dataDir?: string;
}

/**
 * What the storage commands share: the resolved configuration and the data directory
 * (--data-dir, else app.data_dir). Reports a bad configuration and exits 2, a data directory that
 * does not exist and exits 1, the message opening with `command` as the other commands' do.
 */
export function storageContext(opts: StorageCliOptions, io: CliIo, command: 'compact' | 'query' | 'retention'): { config: HeliosConfig; dataDir: string } | undefined {
  const loaded = loadCliConfig(io, command, { file: opts.config });
  if (!loaded) {
    io.exit(EXIT.CONFIG_ERROR);
    return undefined;
  }
  const dataDir = path.resolve(opts.dataDir ?? loaded.config.app.data_dir);
  // A typo'd path must not answer "nothing to compact / 0 rows / nothing to delete" as if it were empty.
  const missing = missingDataDir(dataDir);
  if (missing) {
    io.err(`${command}: ${missing}\n`);
    io.exit(EXIT.DATA_ERROR);
    return undefined;
  }
  return { config: loaded.config, dataDir };
}
