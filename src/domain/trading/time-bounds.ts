import type { TradingConfig } from '../../config/sections/trading.ts';
import { isBookAged, isNowcastAged, isTruthAged } from './halt-causes.ts';
import type { MarketSpec } from './market-spec.ts';
import { hasOverstayed, type OrderRecord } from './orders.ts';
import { isNakedLegOverdue } from './pair-arb.ts';
import { isPolicyValid } from './policy.ts';
import type { MarketSignals } from './signals.ts';

/** What of a market's state its time-dependent conditions read. */
export interface TimedMarketView {
  spec: Pick<MarketSpec, 'yes_token' | 'no_token' | 'fair_source'>;
  signals: Pick<MarketSignals, 'books' | 'policy' | 'truth' | 'nowcast'>;
  orders: Readonly<Record<string, OrderRecord>>;
  nakedSinceMs: number | null;
  /** Until when a market out of HALT early (closing a naked leg) holds back anything new (null: nothing held). */
  entriesHeldUntilMs: number | null;
  /** The halt causes the market holds: those as of its time (every event it decides on refreshes them). */
  halt: readonly string[];
  cfg: Pick<TradingConfig, 'staleness' | 'orders' | 'pair_arb'>;
}

/**
 * Whether time passing alone, from `fromMs` to `toMs`, can change what a market decides: its halt
 * causes (an input growing stale) or its plan (a resting order overstaying, the published policy
 * expiring, a naked leg falling due, a halt's cool-down ending). Every other input of a decision
 * changes only with an event, which decides by itself. Each of these conditions is monotone in
 * time (once true, true for good), so one that flips anywhere in between reads differently at the
 * two ends. False means a watchdog pulse at `toMs` would decide exactly as the market last did at
 * `fromMs`.
 *
 * The market holds its halt causes as of `fromMs` (its time, at which it last decided). An input's
 * aging is checked against them rather than against its own age at `fromMs`: a cause already held
 * (one book stale) does not change when a second input it covers ages too (the other book).
 */
export function timeChangesDecision(m: TimedMarketView, fromMs: number, toMs: number): boolean {
  const { spec, signals: s, cfg } = m;
  if (!m.halt.includes('stale_book')) {
    for (const token of [spec.yes_token, spec.no_token]) {
      const b = s.books[token];
      if (b?.synced && isBookAged(b, toMs, cfg)) return true;
    }
  }
  if (spec.fair_source.kind === 'truth' && s.truth && isTruthAged(s.truth, toMs, cfg) && !m.halt.includes('stale_truth')) return true;
  if (spec.fair_source.kind === 'nowcast' && s.nowcast && isNowcastAged(s.nowcast, toMs, cfg) && !m.halt.includes('stale_nowcast')) return true;
  if (isPolicyValid(s.policy, fromMs) !== isPolicyValid(s.policy, toMs)) return true;
  if (isNakedLegOverdue(m.nakedSinceMs, fromMs, cfg.pair_arb) !== isNakedLegOverdue(m.nakedSinceMs, toMs, cfg.pair_arb)) return true;
  const held = m.entriesHeldUntilMs;
  if (held !== null && fromMs < held && toMs >= held) return true;
  for (const id in m.orders) {
    const o = m.orders[id]!;
    if (hasOverstayed(o, fromMs, cfg.orders) !== hasOverstayed(o, toMs, cfg.orders)) return true;
  }
  return false;
}

/** Grid steps searched at most: 2^40 periods of 1 ms are 35 years. */
const MAX_GRID_STEPS = 2 ** 40;

/**
 * The first point of the pulse grid `originMs + k × periodMs` after `fromMs` at which time alone
 * has changed what the market decides (`timeChangesDecision` from `fromMs`); null: never. The
 * conditions are monotone, so a galloping search finds it in O(log k) checks.
 */
export function firstChangeOnGrid(m: TimedMarketView, fromMs: number, originMs: number, periodMs: number): number | null {
  const first = Math.floor((fromMs - originMs) / periodMs) + 1;
  const at = (step: number) => originMs + (first + step) * periodMs;
  const changed = (step: number) => timeChangesDecision(m, fromMs, at(step));
  if (changed(0)) return at(0);
  let lo = 0;
  let hi = 1;
  while (!changed(hi)) {
    if (hi >= MAX_GRID_STEPS) return null;
    lo = hi;
    hi *= 2;
  }
  // Unchanged at lo, changed at hi: the first change lies in (lo, hi].
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (changed(mid)) hi = mid;
    else lo = mid;
  }
  return at(hi);
}
