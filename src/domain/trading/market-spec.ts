import type { FeeSchedule } from './fees.ts';
import type { FairSource } from './policy.ts';

/** The neg-risk event a market is one bucket of: exactly one of its `outcomes` buckets resolves YES. */
export interface MarketEvent {
  event_id: string;
  neg_risk: boolean;
  /** How many buckets the event has in all (some may not be traded here). */
  outcomes: number;
}

/** Static description of one binary market, fixed when its actor starts. */
export interface MarketSpec {
  market_id: string;
  yes_token: string;
  no_token: string;
  tick_size: number;
  /** Resting-order minimum in shares (Polymarket: typically 5). */
  min_order_size: number;
  fee: FeeSchedule;
  fair_source: FairSource;
  strategies: { pair_arb: boolean; temporal: boolean };
  /** Result of the resolution-risk filter: a refused market never enters. */
  admitted: boolean;
  admission_reason: string | null;
  /** The event this market is a bucket of; absent or null: a standalone market. */
  event?: MarketEvent | null;
}
