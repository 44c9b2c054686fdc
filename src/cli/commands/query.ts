import type { Command } from 'commander';
import { DamagedLakeFileError, damageMessage } from '../../adapters/storage/parquet/lake-damage.ts';
import { formatTable, queryLake } from '../../adapters/storage/parquet/query.ts';
import { viewChannels } from '../../adapters/storage/parquet/views.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { storageContext } from '../storage-context.ts';

export function register(program: Command, io: CliIo): void {
  const views = viewChannels();
  program
    .command('query')
    .description('run one read-only SQL statement (DuckDB) over the Parquet lake, with one view per channel; writing statements and files outside the lake are refused (exit 2)')
    .argument('<sql>', 'the query, e.g. "SELECT token_id, avg(mid) FROM l2 GROUP BY 1"')
    .option('--data-dir <dir>', 'data directory (default: app.data_dir)')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--json', 'print rows as a JSON array')
    .addHelpText(
      'after',
      '\nViews (each has the record columns, ts = UTC timestamp, payload as JSON, plus typed payload fields):\n' +
        Object.entries(views)
          .map(([v, ch]) => `  ${v.padEnd(10)} channel ${ch}`)
          .join('\n') +
        '\n',
    )
    .action(async (sql: string, opts: { dataDir?: string; config?: string; json?: boolean }) => {
      if (sql.trim() === '') {
        io.err('query: no SQL given: helios query "SELECT count(*) FROM orders" (helios query --help lists the views)\n');
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const ctx = storageContext(opts, io, 'query');
      if (!ctx) return;
      try {
        const result = await queryLake(ctx.dataDir, sql, {
          threads: ctx.config.storage.compaction.duckdb_threads,
          memory_limit: ctx.config.storage.compaction.duckdb_memory_limit,
        });
        io.out(opts.json ? JSON.stringify(result.rows) + '\n' : formatTable(result));
        if (result.unreadable.length) {
          const parts = [...new Map(result.unreadable.flatMap((u) => u.parts).map((p) => [p.path, p])).values()];
          io.err(`query: warning: view(s) ${result.unreadable.map((u) => u.view).join(', ')} cannot be read until rebuilt:\n${damageMessage(ctx.dataDir, parts)}\n`);
        }
        io.exit(EXIT.OK);
      } catch (err) {
        io.err(`query: ${(err as Error).message}\n`);
        // A damaged lake file is a data problem (the message says how to rebuild it). Otherwise
        // DuckDB reports the bad SQL (parser, binder, catalog errors, a path outside the lake) and
        // the sandbox refuses writing statements: both are usage errors.
        io.exit(err instanceof DamagedLakeFileError ? EXIT.DATA_ERROR : EXIT.CONFIG_ERROR);
      }
    });
}
