import type { Command } from 'commander';
import { replayTruth } from '../../apps/truth-replay/truth-replay.ts';
import { loadCliConfig } from '../load-cli-config.ts';
import { EXIT } from '../exit-codes.ts';
import { readTextFile, type CliIo } from '../io.ts';

export function register(program: Command, io: CliIo): void {
  const truth = program.command('truth').description('esports truth engine: tiered sources, confirmation, implied probability');
  truth
    .command('replay')
    .description('replay NDJSON source reports on a virtual clock; prints one NDJSON line per truth change (exit 1 on bad lines)')
    .argument('<file>', 'NDJSON: {"ts","source","match_id","status","winner","score","teams"} per line')
    .option('--config <file>', 'YAML file layered over the defaults')
    .action((file: string, opts: { config?: string }) => {
      const loaded = loadCliConfig(io, 'truth replay', { file: opts.config });
      if (!loaded) {
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const { config } = loaded;
      let text: string;
      try {
        text = readTextFile(file);
      } catch (err) {
        io.err(`truth replay: cannot read ${file}: ${(err as Error).message}\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const result = replayTruth(text, config.truth_engine, config.app.seed);
      for (const line of result.lines) io.out(line + '\n');
      for (const e of result.errors) io.err(`${file}: ${e}\n`);
      io.exit(result.errors.length > 0 ? EXIT.DATA_ERROR : EXIT.OK);
    });
}
