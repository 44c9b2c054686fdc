import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { MARKET_CATALOG_FILE } from '../../adapters/storage/market-catalog.ts';
import { recordedDataOverwrite } from '../../adapters/storage/recorded-data.ts';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { DamagedLakeFileError } from '../../adapters/storage/parquet/lake-damage.ts';
import { runBacktest, writeBacktestReport } from '../../apps/replay/backtest.ts';
import { loadConfig } from '../../config/load.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import { stableStringify } from '../../domain/util/stable-json.ts';
import type { SourceKind } from '../../apps/replay/replay-run.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { collect, missingDataDir, noEventsMessage, replayContext } from '../replay-options.ts';

interface Opts {
  dataDir?: string;
  from?: string;
  to?: string;
  set?: string[];
  out?: string;
  config?: string;
  source?: string;
  qcSensitivity?: boolean;
  decisionsOut?: string;
  json?: boolean;
}

/**
 * `helios backtest`: replays the market and world tapes of a range through the strategy and the
 * paper venue, with config overrides, and writes report.json, report.md and report.html (inline
 * SVG charts) to --out.
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('backtest')
    .description('backtest a recorded range through the strategy and paper execution; writes a JSON, Markdown and HTML report')
    .option('--data-dir <dir>', 'data directory (default: app.data_dir)')
    .option('--from <iso>', 'start of the range (ISO 8601, UTC unless a zone is given)')
    .option('--to <iso>', 'end of the range (exclusive)')
    .option('--set <key=value>', 'override a config key (dotted path, validated by the config schema), repeatable', collect)
    .option('--out <dir>', 'report directory (default: <data-dir>/backtests/<from>_<to>, plus _cfg-<hash> of the configuration when it is not the default one)')
    .option('--source <kind>', 'auto | journal | parquet', 'auto')
    .option('--no-qc-sensitivity', 'skip the reruns with the NOWCAST QC gate forced open and closed')
    .option('--decisions-out <file>', 'also write the decisions as NDJSON')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--json', 'print the report JSON to stdout as well')
    .action(async (opts: Opts) => {
      const ctx = replayContext(opts, io, 'backtest');
      if (!ctx) return;
      if (!['auto', 'journal', 'parquet'].includes(opts.source ?? 'auto')) {
        io.err('backtest: --source must be auto, journal or parquet\n');
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const overwrite = opts.decisionsOut === undefined ? null : recordedDataOverwrite(opts.decisionsOut, ctx.dataDir);
      if (overwrite) {
        io.err(`backtest: --decisions-out ${overwrite}; write the decisions elsewhere\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const unwritable = opts.decisionsOut === undefined ? null : unwritableOutput(opts.decisionsOut, 'file');
      if (unwritable) {
        io.err(`backtest: --decisions-out ${unwritable}; write the decisions elsewhere\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const reportOverwrite = opts.out === undefined ? null : recordedDataOverwrite(opts.out, ctx.dataDir);
      if (reportOverwrite) {
        io.err(`backtest: --out ${reportOverwrite}; write the report elsewhere\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const missing = missingDataDir(ctx.dataDir);
      if (missing) {
        io.err(`backtest: ${missing}\n`);
        io.exit(EXIT.DATA_ERROR);
        return;
      }
      const outDir = path.resolve(opts.out ?? path.join(ctx.dataDir, 'backtests', defaultReportName(ctx.from, ctx.to, ctx.config)));
      // Refused before the backtest runs, not after minutes of it.
      const unwritableReport = unwritableOutput(outDir, 'directory');
      if (unwritableReport) {
        io.err(`backtest: --out ${unwritableReport}: the report needs a directory (it writes report.json, .md and .html there)\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      try {
        const report = await runBacktest({
          config: ctx.config,
          dataDir: ctx.dataDir,
          from: ctx.from,
          to: ctx.to,
          source: (opts.source ?? 'auto') as SourceKind,
          overrides: ctx.overrides,
          qcSensitivity: opts.qcSensitivity !== false,
          decisionsOut: opts.decisionsOut,
        });
        if (report.replay.events === 0) {
          io.err(`backtest: ${noEventsMessage(ctx.dataDir, ctx.from, ctx.to)}; no report written\n`);
          io.exit(EXIT.DATA_ERROR);
          return;
        }
        if (report.market_catalog === 'inferred') io.err(inferredMarketsWarning('backtest', ctx.dataDir, report.markets.length));
        const files = await writeBacktestReport(report, outDir);
        if (opts.json) io.out(JSON.stringify(report, null, 2) + '\n');
        else {
          const fr = report.orders.fill_rate === null ? '—' : `${(report.orders.fill_rate * 100).toFixed(1)}%`;
          io.out(
            `backtest: ${report.replay.events} events, ${report.markets.length} markets: net PnL ${report.pnl.net.toFixed(4)} USDC ` +
              `(realized ${report.pnl.realized.toFixed(4)}, fees ${report.pnl.fees.toFixed(4)}), ${report.orders.submitted} orders, fill rate ${fr}, ` +
              `${report.fills.count} fills, slippage ${report.slippage.mean_ticks ?? '—'} ticks\n` +
              `backtest: report ${files.json}, ${files.md}, ${files.html}\n`,
          );
        }
        io.exit(EXIT.OK);
      } catch (err) {
        io.err(`backtest: ${(err as Error).message}\n`);
        // A damaged lake file is a data problem: its message says what rebuilds it.
        io.exit(err instanceof DamagedLakeFileError ? EXIT.DATA_ERROR : EXIT.RUNTIME_ERROR);
      }
    });
}

/**
 * The default report folder: the range, and unless the configuration is the default one, a short
 * hash of the effective configuration (--set, --config, HELIOS_* alike). Another configuration of
 * the same range gets a folder of its own instead of overwriting the first one's report; the same
 * configuration rerun writes the same folder (the same data and configuration give the same report).
 */
function defaultReportName(from: number, to: number, config: HeliosConfig): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '').replace(/000Z$/, 'Z');
  const range = `${stamp(from)}_${stamp(to)}`;
  const effective = stableStringify(config);
  if (effective === stableStringify(loadConfig({ env: {} }).config)) return range;
  return `${range}_cfg-${createHash('sha256').update(effective).digest('hex').slice(0, 8)}`;
}

/**
 * Said loudly because the numbers that follow are not the recording's: without markets.json no
 * market is priced by the nowcast or the truth engine, so a recorded temporal trade cannot recur.
 */
export function inferredMarketsWarning(cmd: string, dataDir: string, markets: number | null): string {
  return (
    `${cmd}: WARNING: no market catalog (${path.join(dataDir, MARKET_CATALOG_FILE)}): ${markets === null ? 'markets' : `${markets} markets`} inferred from the tape, ` +
    `traded by pair arbitrage only (temperature and esports markets unpriced); the results are not what the recording traded\n`
  );
}
