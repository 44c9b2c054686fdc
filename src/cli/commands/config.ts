import type { Command } from 'commander';
import { stringify } from 'yaml';
import { REDACTED } from '../../config/secrets.ts';
import { scrubText } from '../../adapters/log/redact.ts';
import { EXIT } from '../exit-codes.ts';
import { loadCliConfig } from '../load-cli-config.ts';
import type { CliIo } from '../io.ts';

export function register(program: Command, io: CliIo): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('print the resolved configuration (defaults < --config FILE < env), or exit 2 naming the bad key')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--json', 'print JSON instead of YAML')
    .action((opts: { config?: string; json?: boolean }) => {
      const loaded = loadCliConfig(io, 'helios config check', { file: opts.config });
      if (!loaded) {
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const shown = {
        ...loaded.config,
        secrets: Object.fromEntries(Object.keys(loaded.secrets).sort().map((k) => [k, REDACTED])),
      };
      // Credentials can hide in plain settings too (redis://user:password@host).
      io.out(scrubText(opts.json ? JSON.stringify(shown, null, 2) + '\n' : stringify(shown)));
      io.exit(EXIT.OK);
    });
}
