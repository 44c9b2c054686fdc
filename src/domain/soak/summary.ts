import type { FaultClass, FaultCounts, SoakExecution } from './fault-classes.ts';

/** The figures of a real-execution soak, judged from the stand-in CLOB's records (execution-referee.ts). */
export interface RealExecutionFigures {
  orders_while_failed_closed: number;
  venue_duplicate_orders: number;
  lost_fills: number;
  double_counted_fills: number;
  /** Tokens whose helios position differed from the venue's, summed over the checkpoints and the end. */
  position_mismatches: number;
}

/** The soak's one-line verdict; every figure is measured (see docs/soak.md for how). */
export interface SoakSummary extends Partial<RealExecutionFigures> {
  kind: 'soak_summary';
  minutes: number;
  /** The real-execution figures are present (and must be 0) only when this is 'real'. */
  execution?: SoakExecution;
  faults: FaultCounts;
  recoveries: FaultCounts;
  max_resync_ms: number;
  orders_while_unsynced: number;
  orders_while_stale: number;
  orders_while_halted: number;
  lost_events: number;
  duplicate_orders: number;
  unhandled_errors: number;
  book_mismatches: number;
  /** Pair legs left naked beyond the trading bound plus an order's round trip (trading-referee.ts). */
  naked_legs: number;
  /**
   * Paper fills beyond their order's size, or beyond what the trading node's own book showed at
   * their level net of what paper had already taken there (judged from the dispatch log).
   */
  paper_overfills: number;
  /** Requested classes that never happened: the soak did not test them, so it cannot pass. */
  not_injected: FaultClass[];
  /** Context for a human: what was checked and how often, and the first violations found. */
  detail: Record<string, unknown>;
}

/** The figures that must be zero for the soak to pass, in the summary's order. */
export const MUST_BE_ZERO = [
  'orders_while_unsynced',
  'orders_while_stale',
  'orders_while_halted',
  'lost_events',
  'duplicate_orders',
  'unhandled_errors',
  'book_mismatches',
  'naked_legs',
  'paper_overfills',
] as const;

/** The figures that must also be zero in a real-execution soak. */
export const REAL_MUST_BE_ZERO = ['orders_while_failed_closed', 'venue_duplicate_orders', 'lost_fills', 'double_counted_fills', 'position_mismatches'] as const satisfies ReadonlyArray<keyof RealExecutionFigures>;

export function failedFigures(summary: SoakSummary): string[] {
  const real = summary.execution === 'real' ? REAL_MUST_BE_ZERO.filter((k) => summary[k] !== 0) : [];
  return [...MUST_BE_ZERO.filter((k) => summary[k] !== 0), ...real];
}

/** Why a soak did not pass: a safety figure not at 0, or a requested class never injected. */
export function soakFailures(summary: SoakSummary): string[] {
  const out: string[] = failedFigures(summary);
  if (summary.not_injected.length) out.push(`not injected: ${summary.not_injected.join(', ')}`);
  return out;
}
