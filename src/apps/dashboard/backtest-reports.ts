import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One report of `helios backtest` under DATA_DIR/backtests/NAME/report.json, as listed to the page. */
export interface BacktestListing {
  name: string;
  from_iso: string | null;
  to_iso: string | null;
  net: number | null;
  orders: number | null;
  fills: number | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** The reports under `dataDir/backtests`, newest name first; unreadable ones are listed with nulls. */
export function listBacktests(dataDir: string): BacktestListing[] {
  let names: string[];
  try {
    names = readdirSync(path.join(dataDir, 'backtests'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && NAME.test(d.name))
      .map((d) => d.name);
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .flatMap((name) => {
      const text = readBacktest(dataDir, name);
      if (text === null) return [];
      try {
        const r = JSON.parse(text) as { range?: { from_iso?: string; to_iso?: string }; pnl?: { net?: number }; orders?: { submitted?: number }; fills?: { count?: number } };
        return [{ name, from_iso: r.range?.from_iso ?? null, to_iso: r.range?.to_iso ?? null, net: r.pnl?.net ?? null, orders: r.orders?.submitted ?? null, fills: r.fills?.count ?? null }];
      } catch {
        return [{ name, from_iso: null, to_iso: null, net: null, orders: null, fills: null }];
      }
    });
}

/** The report.json text of one report, or null (no such report, or a name that is not a plain directory name). */
export function readBacktest(dataDir: string, name: string): string | null {
  if (!NAME.test(name) || name.includes('..')) return null;
  try {
    return readFileSync(path.join(dataDir, 'backtests', name, 'report.json'), 'utf8');
  } catch {
    return null;
  }
}
