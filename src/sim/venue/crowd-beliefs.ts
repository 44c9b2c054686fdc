import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import type { Rng } from '../../domain/util/random.ts';

/** A simulated crowd's step: how often it moves (ms of the simulated clock). */
export const CROWD_STEP_MS = 2_000;
/** The share of the gap to its target the crowd closes per step: news reaches prices late. */
const CATCH_UP = 0.03;
/** The crowd's persistent disagreement with the model stays within this (a price). */
const MAX_BIAS = 0.15;

interface CrowdMarket {
  spec: MarketSpec;
  station_id: string | null;
  match_id: string | null;
  /** Price the crowd currently trades the YES around. */
  belief: number;
  /** A slow random walk: the edge to find. */
  bias: number;
  /** The model's latest view of YES (bucket probability or implied win probability), or null. */
  model: number | null;
  /** Decided: the crowd no longer disagrees with the model. */
  resolving: boolean;
}

/**
 * What a simulated venue's crowd believes each market's YES is worth: it hears the model the
 * system publishes (a NOWCAST's bucket probability, a TRUTH_STATE's implied probability) and moves
 * toward it a few per cent per step, off by a wandering bias, so a strategy has something to find
 * (the lag and the bias) and a settled outcome is priced as one. Deterministic: markets move in the
 * order they were tracked, one draw each per step once their model spoke.
 */
export class CrowdBeliefs {
  private readonly markets = new Map<string, CrowdMarket>();

  constructor(private readonly rng: Rng) {}

  /** Follows a market from `opening` (its YES price now); a market tracked already is left as it is. */
  track(m: { spec: MarketSpec; station_id: string | null; match_id: string | null }, opening: number): void {
    if (this.markets.has(m.spec.market_id)) return;
    this.markets.set(m.spec.market_id, { spec: m.spec, station_id: m.station_id, match_id: m.match_id, belief: opening, bias: 0, model: null, resolving: false });
  }

  untrack(marketId: string): void {
    this.markets.delete(marketId);
  }

  /** The outcome is decided: the crowd stops disagreeing with the model. */
  resolving(marketId: string): void {
    const m = this.markets.get(marketId);
    if (m) m.resolving = true;
  }

  /**
   * The model's view from a published event: a NOWCAST of a bucket market's station (and of its
   * judge day when it has one: the next day's buckets share the labels), a TRUTH_STATE of its match.
   */
  observe(event: HeliosEvent): void {
    if (event.type === 'NOWCAST') {
      for (const m of this.markets.values()) {
        const fs = m.spec.fair_source;
        if (fs.kind !== 'nowcast' || m.station_id !== event.station_id) continue;
        if (fs.judge_day !== undefined && fs.judge_day !== event.payload.judge_day) continue;
        const b = event.payload.buckets.find((x) => x.label === fs.bucket_label);
        if (b) m.model = b.p;
      }
    } else if (event.type === 'TRUTH_STATE') {
      for (const m of this.markets.values()) {
        const fs = m.spec.fair_source;
        if (fs.kind !== 'truth' || m.match_id !== event.match_id) continue;
        const p = event.payload.implied_p?.[fs.outcome_by_token[m.spec.yes_token]!];
        if (p !== undefined) m.model = p;
      }
    }
  }

  /** One step of every market whose model spoke: the new YES beliefs, in tracking order. */
  step(): Array<{ market_id: string; yes_token: string; belief: number }> {
    const out: Array<{ market_id: string; yes_token: string; belief: number }> = [];
    for (const m of this.markets.values()) {
      if (m.model === null) continue;
      m.bias = Math.max(-MAX_BIAS, Math.min(MAX_BIAS, m.bias * 0.995 + (this.rng() - 0.5) * 0.01));
      const target = Math.max(0.02, Math.min(0.98, m.model + (m.resolving ? 0 : m.bias)));
      m.belief += (target - m.belief) * CATCH_UP;
      out.push({ market_id: m.spec.market_id, yes_token: m.spec.yes_token, belief: m.belief });
    }
    return out;
  }
}
