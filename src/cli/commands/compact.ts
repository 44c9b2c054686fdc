import type { Command } from 'commander';
import type { LockHolder } from '../../adapters/storage/data-dir-lock.ts';
import { compactJournal } from '../../adapters/storage/parquet/compactor.ts';
import { isDateString } from '../../adapters/storage/layout.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { ProgressBar } from '../progress-bar.ts';
import { storageContext } from '../storage-context.ts';

interface Opts {
  date?: string[];
  dataDir?: string;
  config?: string;
  force?: boolean;
  includeOpenHour?: boolean;
  progress?: boolean;
  json?: boolean;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('compact')
    .description('compact the NDJSON journal into the partitioned Parquet lake (idempotent, atomic per file)')
    .option('--date <YYYY-MM-DD...>', 'only these UTC dates (default: every journal date)')
    .option('--data-dir <dir>', 'data directory (default: app.data_dir)')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--force', 'recompact hours whose journal files did not change, and take the unsealed hours of a writer that died (no live lock on the data directory)')
    .option('--include-open-hour', 'also compact hours still being written (they will be compacted again later)')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--json', 'print the report as JSON')
    .action(async (opts: Opts) => {
      const ctx = storageContext(opts, io, 'compact');
      if (!ctx) return;
      const bad = (opts.date ?? []).filter((d) => !isDateString(d));
      if (bad.length) {
        io.err(`compact: --date expects YYYY-MM-DD, got ${bad.join(', ')}\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const bar = new ProgressBar((t) => io.err(t), opts.progress !== false && process.stderr.isTTY === true);
      const started = performance.now();
      try {
        const report = await compactJournal({
          dataDir: ctx.dataDir,
          dates: opts.date,
          force: opts.force,
          now: Date.now(),
          openHourGraceMs: opts.includeOpenHour ? -3_600_000 : 60_000,
          duckdb: { threads: ctx.config.storage.compaction.duckdb_threads, memory_limit: ctx.config.storage.compaction.duckdb_memory_limit },
          onProgress: (p) =>
            bar.update(p.bytesDone, p.bytesTotal, `${p.date} ${p.hour}h ${(p.bytesDone / 1e6).toFixed(1)}/${(p.bytesTotal / 1e6).toFixed(1)} MB${p.skipped ? ' (unchanged)' : ''}`),
          onIssue: (i) => {
            bar.finish();
            io.err(
              i.kind === 'torn_tail'
                ? `compact: warning: skipped a torn last line (${i.bytes} bytes) in ${i.file}, left by a crash\n`
                : `compact: malformed line in ${i.file}${i.line ? `:${i.line}` : ''} skipped\n`,
            );
          },
        });
        bar.finish();
        const seconds = (performance.now() - started) / 1000;
        if (opts.json) {
          io.out(JSON.stringify({ ...report, issues: undefined, seconds }, null, 2) + '\n');
        } else if (report.dates.length === 0) {
          io.out(`compact: no journal${opts.date ? ` for ${opts.date.join(', ')}` : ''} under ${ctx.dataDir}\n`);
        } else {
          io.out(
            `compact: ${report.dates.join(', ')}: ${report.hours_compacted} hour(s) compacted, ${report.hours_unchanged} unchanged, ` +
              `${report.hours_open} still open; ${report.rows} rows into ${report.parquet_files} Parquet file(s), ` +
              `${(report.bytes_in / 1e6).toFixed(1)} MB of NDJSON in ${seconds.toFixed(1)} s` +
              (report.hours_open > 0 ? `; the open hour is left to a later run (--include-open-hour compacts it now)` : '') +
              '\n',
          );
          if (report.hours_open > 0) io.err(openHoursHint(report.live_writer, opts.force === true));
        }
        if (report.malformed_lines > 0) {
          io.err(
            `compact: ${report.malformed_lines} malformed line(s) are not in the lake: helios retention keeps their journal dates ` +
              `until they are fixed or removed and recompacted (or until helios retention --discard-malformed)\n`,
          );
        }
        if (report.staging_cleaned > 0) io.err(`compact: removed ${report.staging_cleaned} staging director${report.staging_cleaned === 1 ? 'y' : 'ies'} left by a killed compaction\n`);
        io.exit(report.malformed_lines > 0 ? EXIT.DATA_ERROR : EXIT.OK);
      } catch (err) {
        bar.finish();
        io.err(`compact: ${(err as Error).message}\n`);
        io.exit(EXIT.RUNTIME_ERROR);
      }
    });
}

/** Why hours were left open: a live writer holds the data directory, or the writer died (--force). */
function openHoursHint(writer: LockHolder | null, force: boolean): string {
  if (writer) return `compact: the data directory is held by pid ${writer.pid} on ${writer.host}, which may still write its open hours\n`;
  if (force) return '';
  return 'compact: open hours are unsealed: if their writer died without stopping cleanly, --force compacts them\n';
}
