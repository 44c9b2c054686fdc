import type { MarketSpec } from '../../domain/trading/market-spec.ts';

/** One row of GET /markets, the same from a daemon and from a replay's market catalog. */
export interface MarketListing {
  market_id: string;
  fair_source: MarketSpec['fair_source']['kind'];
  match_id: string | null;
  station_id: string | null;
  /** The market machine's state (a replay: as of the newest MARKET_STATE replayed); null before any is known. */
  state: string | null;
  yes_token: string;
  no_token: string;
  /** What an operator reads the market as: the bucket, or the outcome its YES token pays on. */
  label: string | null;
  /** The day a temperature bucket settles on ('YYYY-MM-DD'): a station's days repeat labels. Null: undated, or no bucket. */
  judge_day: string | null;
  halt_causes: string[];
}

export function marketListing(m: { spec: MarketSpec; match_id: string | null; station_id: string | null }, state: string | null, haltCauses: readonly string[]): MarketListing {
  const fair = m.spec.fair_source;
  const label = fair.kind === 'nowcast' ? fair.bucket_label : fair.kind === 'truth' ? (fair.outcome_by_token[m.spec.yes_token] ?? null) : null;
  return {
    market_id: m.spec.market_id,
    fair_source: fair.kind,
    match_id: m.match_id,
    station_id: m.station_id,
    state,
    yes_token: m.spec.yes_token,
    no_token: m.spec.no_token,
    label,
    judge_day: fair.kind === 'nowcast' ? (fair.judge_day ?? null) : null,
    // A halt whose causes have cleared waits out its cool-down (trading.halt.cool_down_ms): say so.
    halt_causes: state === 'HALT' && haltCauses.length === 0 ? ['cool_down'] : [...haltCauses],
  };
}
