import { Worker } from 'node:worker_threads';
import type { HeliosConfig } from '../../config/schema.ts';
import { stableStringify } from '../../domain/util/stable-json.ts';
import { runBacktest } from './backtest.ts';
import type { SourceKind } from './replay-run.ts';

/** One point of the grid: the overrides that make it, and the fully resolved config they give. */
export interface SweepJob {
  index: number;
  overrides: Record<string, unknown>;
  config: HeliosConfig;
  dataDir: string;
  from: number;
  to: number;
  source: SourceKind;
}

export interface SweepResult {
  index: number;
  overrides: Record<string, unknown>;
  net_pnl: number;
  realized: number;
  fees: number;
  max_drawdown: number;
  orders: number;
  fills: number;
  fill_rate: number | null;
  mean_slippage_ticks: number | null;
  events: number;
  wall_ms: number;
}

export interface RankedResult extends SweepResult {
  rank: number;
}

export type SweepWorkerMessage = { type: 'ready' } | { type: 'result'; result: SweepResult } | { type: 'error'; index: number; message: string };

/** Every combination of the grid's values, keys in sorted order, values in the order given. */
export function gridCombinations(grid: Readonly<Record<string, readonly unknown[]>>): Array<Record<string, unknown>> {
  let out: Array<Record<string, unknown>> = [{}];
  for (const key of Object.keys(grid).sort()) {
    const next: Array<Record<string, unknown>> = [];
    for (const partial of out) for (const v of grid[key]!) next.push({ ...partial, [key]: v });
    out = next;
  }
  return out;
}

/**
 * Best first: net PnL descending, then smaller drawdown, then the overrides' canonical text, so
 * equal results always rank in the same order whatever finished first.
 */
export function rankResults(results: readonly SweepResult[]): RankedResult[] {
  return [...results]
    .sort((a, b) => b.net_pnl - a.net_pnl || a.max_drawdown - b.max_drawdown || cmp(stableStringify(a.overrides), stableStringify(b.overrides)))
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

/** One backtest of the sweep (in a worker thread, or in-process). Skips the QC variants. */
export async function runSweepJob(job: SweepJob): Promise<SweepResult> {
  const r = await runBacktest({ config: job.config, dataDir: job.dataDir, from: job.from, to: job.to, source: job.source, overrides: job.overrides, qcSensitivity: false });
  return {
    index: job.index,
    overrides: job.overrides,
    net_pnl: r.pnl.net,
    realized: r.pnl.realized,
    fees: r.pnl.fees,
    max_drawdown: r.pnl.max_drawdown,
    orders: r.orders.submitted,
    fills: r.fills.count,
    fill_rate: r.orders.fill_rate,
    mean_slippage_ticks: r.slippage.mean_ticks,
    events: r.replay.events,
    wall_ms: r.replay.wall_ms,
  };
}

const BOOT = new URL('./sweep-worker.boot.mjs', import.meta.url);

/**
 * Runs the jobs on `workers` worker threads (0: in this thread), each worker taking the next job as
 * it finishes one; resolves to the ranked results. A failed job rejects the sweep.
 */
export async function runSweep(jobs: readonly SweepJob[], workers: number, onResult?: (r: SweepResult, done: number) => void): Promise<RankedResult[]> {
  const results: SweepResult[] = [];
  if (workers <= 0) {
    for (const job of jobs) {
      results.push(await runSweepJob(job));
      onResult?.(results[results.length - 1]!, results.length);
    }
    return rankResults(results);
  }
  const queue = [...jobs];
  const pool = Array.from({ length: Math.min(workers, jobs.length) }, () => new Worker(BOOT));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const job = queue.shift();
              if (!job) return resolve();
              w.postMessage({ type: 'job', job });
            };
            w.on('message', (m: SweepWorkerMessage) => {
              if (m.type === 'ready') next();
              else if (m.type === 'result') {
                results.push(m.result);
                onResult?.(m.result, results.length);
                next();
              } else reject(new Error(`sweep job ${m.index} failed: ${m.message}`));
            });
            w.on('error', reject);
            w.on('exit', (code) => (queue.length || code !== 0 ? reject(new Error(`sweep worker exited (${code})`)) : resolve()));
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return rankResults(results);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
