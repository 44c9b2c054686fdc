import type { TempBucket } from '../weather/nowcast/buckets.ts';
import type { MarketSpec } from './market-spec.ts';

/** A market the daemon trades and what drives its fair value, simulated or discovered alike. */
export interface UniverseMarket {
  spec: MarketSpec;
  match_id: string | null;
  station_id: string | null;
}

/** The bucket layout a station's NOWCAST is published over for one judge day. */
export interface BucketLayout {
  station_id: string;
  /** A discovered event's judge day; null: whatever day is current (the simulated day). */
  judge_day: string | null;
  buckets: TempBucket[];
}

/** A dated layout that appeared or changed (its buckets), or whose judge day ended (null). */
export interface LayoutChange {
  station_id: string;
  judge_day: string;
  buckets: TempBucket[] | null;
}

/** What the daemon trades: the simulator's markets in sim mode, discovery's in live mode. */
export interface Universe {
  markets: UniverseMarket[];
  layouts: BucketLayout[];
}

/** The layout of a station's judge day (null: the undated, current-day one). */
export function layoutOf(universe: Universe, stationId: string, judgeDay: string | null): BucketLayout | undefined {
  return universe.layouts.find((l) => l.station_id === stationId && l.judge_day === judgeDay);
}
