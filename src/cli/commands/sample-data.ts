import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DataDirLock, DataDirLocked, DataDirUnusable } from '../../adapters/storage/data-dir-lock.ts';
import { MARKET_CATALOG_FILE } from '../../adapters/storage/market-catalog.ts';
import { recordSimulatedDay } from '../../sim/day/simulated-recording.ts';
import { compactJournal } from '../../adapters/storage/parquet/compactor.ts';
import { USDC_DECIMALS } from '../../adapters/metrics/decimal-gauge.ts';
import { roundDecimals } from '../../domain/util/decimals.ts';
import { EXIT } from '../exit-codes.ts';
import { unexpectedErrorText } from '../unexpected-error.ts';
import { heliosInvocation } from '../invocation.ts';
import type { CliIo } from '../io.ts';
import { ProgressBar } from '../progress-bar.ts';
import { badTimeReason, collect, parseTime, replayContext } from '../replay-options.ts';
import { parseSeed, SEED_TEXT } from '../seed-option.ts';

interface Opts {
  out: string;
  start: string;
  hours: string;
  seed?: string;
  markets: string;
  eventsPerS: string;
  compact?: boolean;
  force?: boolean;
  config?: string;
  set?: string[];
  json?: boolean;
}

/** Written beside the data: the range and settings it was made with, and permission to regenerate. */
export const SAMPLE_MARKER = 'sample.json';

/**
 * `npm run sample-data`: a simulated session recorded into data/sample/ (journal, market catalog,
 * compacted Parquet, the live run's decisions) so replay, backtest and query work out of the box.
 * By default a two-hour afternoon session around the temperature peak (the recorder's full cadence:
 * 1 s snapshots of every token), which keeps generation around half a minute; --hours 24 makes a
 * whole day (several minutes and a few GB).
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('sample-data')
    .description('record a simulated session (venue, weather, esports, paper trading) into a data dir, compacted to Parquet')
    .option('--out <dir>', 'data directory to write', 'data/sample')
    .option('--start <iso>', 'session start (UTC)', '2025-07-15T17:00:00Z')
    .option('--hours <n>', 'session length in hours', '2')
    .option('--seed <n>', 'simulator seed (default app.seed)')
    .option('--markets <n>', 'markets: half temperature buckets, half esports matches', '4')
    .option('--events-per-s <n>', 'venue order-flow events per second', '5')
    .option('--no-compact', 'leave the journal uncompacted')
    .option('--force', 'overwrite a data dir that was not made by sample-data')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--set <key=value>', 'override a config key (dotted path), repeatable', collect)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: Opts) => {
      const usage = (msg: string) => {
        io.err(`sample-data: ${msg}\n`);
        io.exit(EXIT.CONFIG_ERROR);
      };
      const from = parseTime(opts.start);
      const hours = Number(opts.hours);
      const markets = Number(opts.markets);
      const rate = Number(opts.eventsPerS);
      if (Number.isNaN(from)) return usage(`--start: ${badTimeReason(opts.start)}: ${opts.start}`);
      if (!(hours > 0 && hours <= 48)) return usage(`--hours must be in (0, 48], got ${opts.hours}`);
      if (!Number.isInteger(markets) || markets < 1 || markets > 20) return usage(`--markets must be 1–20, got ${opts.markets}`);
      if (!(rate > 0 && rate <= 1000)) return usage(`--events-per-s must be in (0, 1000], got ${opts.eventsPerS}`);
      const ctx = replayContext({ config: opts.config, set: opts.set, dataDir: opts.out }, io, 'sample-data', false);
      if (!ctx) return;
      const seed = opts.seed === undefined ? ctx.config.app.seed : parseSeed(opts.seed);
      if (seed === null) return usage(`--seed expects ${SEED_TEXT}; got ${JSON.stringify(opts.seed)}`);
      const dir = ctx.dataDir;
      const to = from + Math.round(hours * 3_600_000);

      // Held as a daemon holds it while this clears and records: --force never clears the journal a
      // live daemon is writing, and no daemon starts in the directory meanwhile.
      let lock: DataDirLock;
      try {
        lock = DataDirLock.acquire(dir, Date.now());
      } catch (err) {
        if (err instanceof DataDirLocked || err instanceof DataDirUnusable) return usage(err.message);
        throw err;
      }
      // Only ever clear what this command made (or what --force allows).
      const marker = path.join(dir, SAMPLE_MARKER);
      const occupied = ['journal', 'parquet', MARKET_CATALOG_FILE].some((p) => existsSync(path.join(dir, p)));
      if (occupied && !existsSync(marker) && !opts.force) {
        lock.release();
        io.err(`sample-data: ${dir} holds data not made by sample-data; refusing to overwrite (use --force or another --out)\n`);
        io.exit(EXIT.REFUSED);
        return;
      }
      for (const p of ['journal', 'parquet', MARKET_CATALOG_FILE, 'decisions.ndjson', SAMPLE_MARKER]) await rm(path.join(dir, p), { recursive: true, force: true });

      const started = performance.now();
      const bar = new ProgressBar((t) => io.err(t), process.stderr.isTTY === true && !opts.json);
      try {
        const rec = await recordSimulatedDay({
          config: ctx.config,
          dataDir: dir,
          from,
          to,
          seed,
          decisionsOut: path.join(dir, 'decisions.ndjson'),
          weatherMarkets: Math.ceil(markets / 2),
          esportsMarkets: Math.floor(markets / 2),
          venueEventsPerS: rate,
          onProgress: (now) => bar.update(now - from, to - from, `simulating ${new Date(now).toISOString().slice(11, 16)}Z`),
        });
        bar.finish();
        const recorded = performance.now();
        const compaction = opts.compact === false
          ? null
          : await compactJournal({
              dataDir: dir,
              now: Math.max(Date.now(), to + 2 * 3_600_000),
              force: true,
              duckdb: { threads: ctx.config.storage.compaction.duckdb_threads, memory_limit: ctx.config.storage.compaction.duckdb_memory_limit },
            });
        const seconds = (performance.now() - started) / 1000;
        const iso = (ms: number) => new Date(ms).toISOString();
        const summary = {
          data_dir: dir,
          from: iso(from),
          to: iso(to),
          seed,
          markets: rec.markets.map((m) => ({ market_id: m.spec.market_id, fair_source: m.spec.fair_source.kind, station_id: m.station_id, match_id: m.match_id })),
          events_recorded: rec.recorder.written,
          windows: rec.recorder.windows_opened,
          journal_bytes: rec.recorder.bytes_written,
          decisions: rec.decisions.decisions,
          orders: rec.decisions.orders,
          fills: rec.decisions.fills,
          // A sum of per-market floats: written as /metrics writes USDC, without the binary-float noise.
          net_pnl: roundDecimals(rec.decisions.net_pnl, USDC_DECIMALS),
          parquet_files: compaction?.parquet_files ?? 0,
          record_seconds: Math.round((recorded - started) / 100) / 10,
          seconds: Math.round(seconds * 10) / 10,
        };
        await writeFile(marker, JSON.stringify(summary, null, 2) + '\n');
        if (opts.json) io.out(JSON.stringify(summary, null, 2) + '\n');
        else {
          const rel = path.relative(process.cwd(), dir) || '.';
          const helios = heliosInvocation(io.env);
          io.out(
            [
              `sample-data: ${summary.events_recorded} events (${(summary.journal_bytes / 1e6).toFixed(1)} MB NDJSON, ${summary.windows} event windows, ${summary.parquet_files} Parquet files) ` +
                `${summary.from} → ${summary.to}, ${summary.markets.length} markets, ${summary.orders} paper orders, ${summary.fills} fills, in ${summary.seconds} s → ${dir}`,
              'try:',
              `  ${helios} replay   --data-dir ${rel} --from ${summary.from} --to ${summary.to} --speed max --decisions-out ${path.join(rel, 'replay-decisions.ndjson')}`,
              `  ${helios} backtest --data-dir ${rel} --from ${summary.from} --to ${summary.to} --set trading.temporal.edge_threshold=0.04`,
              `  ${helios} query    --data-dir ${rel} "SELECT type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC"`,
              `(dated ${summary.from.slice(0, 10)} so replays stay reproducible; ${SAMPLE_MARKER} exempts it from helios retention)`,
              '',
            ].join('\n'),
          );
        }
        io.exit(EXIT.OK);
      } catch (err) {
        bar.finish();
        io.err(unexpectedErrorText('sample-data', err, io.env));
        io.exit(EXIT.RUNTIME_ERROR);
      } finally {
        lock.release();
      }
    });
}
