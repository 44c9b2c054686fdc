import type { TradingConfig } from '../../config/sections/trading.ts';
import type { MarketSpec } from './market-spec.ts';
import type { BookSignal, MarketSignals } from './signals.ts';

/** Causes that need an explicit event to clear (the others clear when their input recovers). */
export type LatchedCause = 'reconcile_break' | 'manual';

/** No cause: one shared array, since nearly every evaluation of every market finds none. */
const NO_CAUSES: readonly string[] = Object.freeze([]);

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
): readonly string[] {
  // Runs on every signal of every market: no closure, no array unless a cause is found.
  let causes: string[] | null = latched.length ? [...latched] : null;
  if (s.risk.state === 'HALTED') causes = withCause(causes, 'risk_halted');
  if (s.risk.market_tripped) causes = withCause(causes, 'circuit_breaker');
  causes = bookCause(causes, s.books[spec.yes_token], nowMs, cfg);
  causes = bookCause(causes, s.books[spec.no_token], nowMs, cfg);
  if (spec.fair_source.kind === 'truth' && s.truth) {
    const st = s.truth.payload.state;
    if (st === 'stale' || s.truth.payload.stale || isTruthAged(s.truth, nowMs, cfg)) causes = withCause(causes, 'stale_truth');
    if (st === 'disputed' || st === 'invalidated') causes = withCause(causes, `truth_${st}`);
  }
  if (spec.fair_source.kind === 'nowcast' && s.nowcast) {
    if (s.nowcast.payload.qc_gate !== 'open' || isNowcastAged(s.nowcast, nowMs, cfg)) causes = withCause(causes, 'stale_nowcast');
  }
  if (!causes) return NO_CAUSES;
  return causes.length > 1 ? causes.sort() : causes;
}

function withCause(causes: string[] | null, cause: string): string[] {
  if (!causes) return [cause];
  if (!causes.includes(cause)) causes.push(cause);
  return causes;
}

function bookCause(causes: string[] | null, b: BookSignal | undefined, nowMs: number, cfg: Pick<TradingConfig, 'staleness'>): string[] | null {
  if (!b) return causes;
  if (!b.synced) return withCause(causes, 'unsynced_book');
  return isBookAged(b, nowMs, cfg) ? withCause(causes, 'stale_book') : causes;
}

/*
 * The ages past which an input halts its market: one rule for the halt causes and for the
 * watchdog's question whether time alone changed them (time-bounds.ts).
 */
export function isBookAged(b: Pick<BookSignal, 'ts_ms'>, nowMs: number, cfg: Pick<TradingConfig, 'staleness'>): boolean {
  return nowMs - b.ts_ms > cfg.staleness.book_stale_ms;
}

export function isTruthAged(truth: { ts_ms: number }, nowMs: number, cfg: Pick<TradingConfig, 'staleness'>): boolean {
  return nowMs - truth.ts_ms > cfg.staleness.truth_stale_ms;
}

export function isNowcastAged(nowcast: { ts_ms: number }, nowMs: number, cfg: Pick<TradingConfig, 'staleness'>): boolean {
  return nowMs - nowcast.ts_ms > cfg.staleness.nowcast_stale_ms;
}

/** Truth says the outcome is effectively decided, or the venue resolved the market. */
export function isFinalizing(spec: MarketSpec, s: MarketSignals): boolean {
  if (s.resolved) return true;
  if (spec.fair_source.kind !== 'truth' || !s.truth) return false;
  const st = s.truth.payload.state;
  return st === 'effectively_final' || st === 'settled';
}
