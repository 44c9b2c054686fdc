import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { SourceKind } from '../../apps/replay/replay-run.ts';
import { gridCombinations, runSweep, type SweepJob } from '../../apps/replay/sweep.ts';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { readMarketCatalog } from '../../adapters/storage/market-catalog.ts';
import { inferredMarketsWarning } from './backtest.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { missingDataDir, noEventsMessage, replayContext } from '../replay-options.ts';
import { recordedDataOverwrite } from '../../adapters/storage/recorded-data.ts';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { makeDirectories } from '../../adapters/storage/make-directories.ts';

interface Opts {
  grid: string;
  dataDir?: string;
  from?: string;
  to?: string;
  workers?: string;
  out?: string;
  source?: string;
  config?: string;
  json?: boolean;
}

/**
 * The grid file (YAML or JSON): either a mapping of dotted config key → list of values, or
 *   { grid: {key: [values]}, set?: {key: value}, data_dir?, from?, to? }
 * where `set` holds fixed overrides and the range may be given instead of on the command line.
 */
interface GridFile {
  grid: Record<string, unknown[]>;
  set: Record<string, unknown>;
  data_dir?: string;
  from?: string;
  to?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .description('backtest every point of a parameter grid in parallel worker threads and rank them by net PnL, then the smaller max drawdown (both USDC)')
    .requiredOption('--grid <file>', 'YAML/JSON grid: dotted config key → list of values (or {grid, set, data_dir, from, to})')
    .option('--data-dir <dir>', 'data directory (default: the grid file\'s data_dir, else app.data_dir); relative paths, here and in the grid file, resolve against the working directory')
    .option('--from <iso>', 'start of the range (default: the grid file\'s from)')
    .option('--to <iso>', 'end of the range (default: the grid file\'s to)')
    .option('--workers <n>', 'worker threads (0 = in this thread)', '2')
    .option('--out <file>', 'write the ranking as JSON here')
    .option('--source <kind>', 'auto | journal | parquet', 'auto')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--json', 'print the ranking as JSON')
    .action(async (opts: Opts) => {
      const usage = (msg: string) => {
        io.err(`sweep: ${msg}\n`);
        io.exit(EXIT.CONFIG_ERROR);
      };
      let file: GridFile;
      try {
        file = readGrid(opts.grid);
      } catch (err) {
        return usage(`${opts.grid}: ${(err as Error).message}`);
      }
      const workers = Number(opts.workers ?? '2');
      if (!Number.isInteger(workers) || workers < 0) return usage(`--workers must be a whole number ≥ 0, got ${opts.workers}`);
      if (!['auto', 'journal', 'parquet'].includes(opts.source ?? 'auto')) return usage('--source must be auto, journal or parquet');
      const ctx = replayContext(
        {
          config: opts.config,
          // Against the working directory, like every other path a user types (not the grid file's folder).
          dataDir: opts.dataDir ?? file.data_dir,
          from: opts.from ?? file.from,
          to: opts.to ?? file.to,
          rangeNames: { from: opts.from === undefined ? `${opts.grid}: from` : '--from', to: opts.to === undefined ? `${opts.grid}: to` : '--to' },
        },
        io,
        'sweep',
      );
      if (!ctx) return;
      const overwrite = opts.out === undefined ? null : recordedDataOverwrite(opts.out, ctx.dataDir);
      if (overwrite) return usage(`--out ${overwrite}; write the ranking elsewhere`);
      const unwritable = opts.out === undefined ? null : unwritableOutput(opts.out, 'file');
      if (unwritable) return usage(`--out ${unwritable}; write the ranking elsewhere`);
      const missing = missingDataDir(ctx.dataDir);
      if (missing) {
        io.err(`sweep: ${missing}\n`);
        io.exit(EXIT.DATA_ERROR);
        return;
      }
      const jobs: SweepJob[] = [];
      for (const [index, combo] of gridCombinations(file.grid).entries()) {
        const overrides = { ...file.set, ...combo };
        try {
          const { config } = loadConfig({ file: opts.config, env: io.env, overrides, overridesSource: `grid file ${opts.grid}` });
          jobs.push({ index, overrides, config, dataDir: ctx.dataDir, from: ctx.from, to: ctx.to, source: (opts.source ?? 'auto') as SourceKind });
        } catch (err) {
          return usage(`grid point ${JSON.stringify(overrides)}: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
        }
      }
      try {
        if ((await readMarketCatalog(ctx.dataDir)) === null) io.err(inferredMarketsWarning('sweep', ctx.dataDir, null));
        const started = performance.now();
        const ranked = await runSweep(jobs, workers, (r, done) => {
          io.err(`sweep: ${done}/${jobs.length} ${JSON.stringify(r.overrides)} net PnL ${r.net_pnl.toFixed(4)} USDC\n`);
        });
        const seconds = (performance.now() - started) / 1000;
        const doc = { grid: file.grid, set: file.set, data_dir: ctx.dataDir, from: new Date(ctx.from).toISOString(), to: new Date(ctx.to).toISOString(), workers, seconds, ranking: ranked };
        if (opts.out) {
          makeDirectories(path.dirname(path.resolve(opts.out)));
          await writeFile(opts.out, JSON.stringify(doc, null, 2) + '\n');
        }
        if (opts.json) io.out(JSON.stringify(doc, null, 2) + '\n');
        else {
          const keys = Object.keys(file.grid).sort();
          const rows = ranked.map((r) => [String(r.rank), ...keys.map((k) => JSON.stringify(r.overrides[k])), r.net_pnl.toFixed(4), r.max_drawdown.toFixed(4), String(r.orders), String(r.fills), r.fill_rate === null ? '—' : `${(r.fill_rate * 100).toFixed(1)}%`, String(r.events)]);
          // The JSON ranking's names (max_drawdown, not drawdown), so the table and --json read alike.
          const head = ['rank', ...keys, 'net_pnl', 'max_drawdown', 'orders', 'fills', 'fill_rate', 'events'];
          const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
          const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
          io.out([`sweep: data ${ctx.dataDir}, ${doc.from} → ${doc.to}`, line(head), ...rows.map(line), `sweep: ${jobs.length} backtest${jobs.length === 1 ? '' : 's'} ${workers === 0 ? 'in this thread' : `on ${workers} worker thread${workers === 1 ? '' : 's'}`} in ${seconds.toFixed(1)} s, ranked by net_pnl, then the smaller max_drawdown (both USDC)${opts.out ? `; ranking written to ${opts.out}` : ''}`].join('\n') + '\n');
        }
        const empty = ranked.filter((r) => r.events === 0).length;
        if (empty > 0) {
          io.err(`sweep: ${empty} of ${ranked.length} backtests saw no events; ${noEventsMessage(ctx.dataDir, ctx.from, ctx.to)}\n`);
          io.exit(EXIT.DATA_ERROR);
          return;
        }
        io.exit(EXIT.OK);
      } catch (err) {
        io.err(`sweep: ${(err as Error).message}\n`);
        io.exit(EXIT.RUNTIME_ERROR);
      }
    });
}

function readGrid(file: string): GridFile {
  const data: unknown = parseYaml(readFileSync(file, 'utf8'), { logLevel: 'error' });
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('expected a mapping');
  const obj = data as Record<string, unknown>;
  const wrapped = 'grid' in obj;
  const grid = (wrapped ? obj.grid : obj) as Record<string, unknown>;
  if (!grid || typeof grid !== 'object' || Array.isArray(grid) || Object.keys(grid).length === 0) throw new Error('grid: expected a mapping of config key → list of values');
  for (const [k, v] of Object.entries(grid)) {
    if (!/^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(k)) throw new Error(`grid: ${JSON.stringify(k)} is not a dotted config key`);
    if (!Array.isArray(v) || v.length === 0) throw new Error(`grid: ${k}: expected a non-empty list of values`);
  }
  const set = wrapped ? ((obj.set ?? {}) as Record<string, unknown>) : {};
  if (typeof set !== 'object' || Array.isArray(set)) throw new Error('set: expected a mapping of config key → value');
  const str = (k: string) => (wrapped && obj[k] !== undefined ? (obj[k] instanceof Date ? (obj[k] as Date).toISOString() : String(obj[k])) : undefined);
  return { grid: grid as Record<string, unknown[]>, set, data_dir: str('data_dir'), from: str('from'), to: str('to') };
}
