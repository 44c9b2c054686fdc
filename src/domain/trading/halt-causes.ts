import type { TradingConfig } from '../../config/sections/trading.ts';
import type { MarketSpec } from './market-spec.ts';
import type { MarketSignals } from './signals.ts';

/** Causes that need an explicit event to clear (the others clear when their input recovers). */
export type LatchedCause = 'reconcile_break' | 'manual';

/**
 * Why a market must not trade right now. Inputs never received are "not ready" rather than stale:
 * they block entries (no fair value, no book) without halting. Sorted, so equal sets compare equal.
 */
export function haltCauses(
  spec: MarketSpec,
  s: MarketSignals,
  latched: readonly LatchedCause[],
  cfg: Pick<TradingConfig, 'staleness'>,
  nowMs: number,
): string[] {
  const causes: string[] = [...latched];
  const add = (c: string) => {
    if (!causes.includes(c)) causes.push(c);
  };
  if (s.risk.state === 'HALTED') add('risk_halted');
  if (s.risk.market_tripped) add('circuit_breaker');
  for (const token of [spec.yes_token, spec.no_token]) {
    const b = s.books[token];
    if (!b) continue;
    if (!b.synced) add('unsynced_book');
    else if (nowMs - b.ts_ms > cfg.staleness.book_stale_ms) add('stale_book');
  }
  if (spec.fair_source.kind === 'truth' && s.truth) {
    const st = s.truth.payload.state;
    if (st === 'stale' || s.truth.payload.stale || nowMs - s.truth.ts_ms > cfg.staleness.truth_stale_ms) add('stale_truth');
    if (st === 'disputed' || st === 'invalidated') add(`truth_${st}`);
  }
  if (spec.fair_source.kind === 'nowcast' && s.nowcast) {
    if (s.nowcast.payload.qc_gate !== 'open' || nowMs - s.nowcast.ts_ms > cfg.staleness.nowcast_stale_ms) add('stale_nowcast');
  }
  return causes.length > 1 ? causes.sort() : causes;
}

/** Truth says the outcome is effectively decided, or the venue resolved the market. */
export function isFinalizing(spec: MarketSpec, s: MarketSignals): boolean {
  if (s.resolved) return true;
  if (spec.fair_source.kind !== 'truth' || !s.truth) return false;
  const st = s.truth.payload.state;
  return st === 'effectively_final' || st === 'settled';
}
