import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { FeeSchedule } from '../../domain/trading/fees.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import type { Rng } from '../../domain/util/random.ts';
import type { Logger } from '../log/logger.ts';
import type { AwaitingFillsStore } from '../storage/awaiting-fills-file.ts';
import type { GivenUpFillsStore } from '../storage/given-up-fills-file.ts';
import type { SellCostsStore } from '../storage/sell-costs-file.ts';
import type { PlaceOrderRequest } from './execution-adapter.ts';
import type { ClobSession } from './real-clob-session.ts';

/** The real adapter's vocabulary, shared by the adapter, its tests and the daemon's wiring. */

export interface RealMarket {
  market_id: string;
  /** The venue's condition id (user channel `market`, cancel by market). */
  condition_id: string;
  tokens: readonly string[];
  tick_size: number;
  min_order_size: number;
  neg_risk: boolean;
  fee: FeeSchedule;
}

/** Post-only is the real venue's flag; the trading path's requests never carry it. */
export type RealPlaceRequest = PlaceOrderRequest & { post_only?: boolean };

export interface RealAlert {
  severity: 'warning' | 'critical';
  code: 'EXECUTION_FAIL_CLOSED' | 'MARKET_HALTED_BALANCE' | 'ORDER_IN_FLIGHT' | 'HEARTBEAT_MISSED' | 'USER_CHANNEL_DOWN' | 'UNKNOWN_VENUE_ORDER' | 'TRADE_NOT_FOUND';
  message: string;
  /** Absent: the whole venue (a global HALT). */
  market_id?: string;
}

export interface RealAdapterDeps {
  clock: Clock;
  cfg: RealExecutionConfig;
  session: ClobSession;
  logger: Logger;
  onAlert?: (a: RealAlert) => void;
  rng?: Rng;
  /** The user channel's URL (userWsUrl(cfg)). */
  userWsUrl: string;
  /**
   * false: no dead-man switch (a one-shot CLI command: once it exits no one would beat, and the
   * venue would cancel every order of the key ten seconds later).
   */
  heartbeats?: boolean;
  /**
   * Where the fills given up on are kept for the next process (absent: for this process only, as a
   * one-shot CLI command needs).
   */
  givenUpStore?: GivenUpFillsStore;
  /**
   * Where each SELL fill's cost per share is kept for the next process until its answer comes
   * (absent: for this process only). The venue reports no cost for a position a sell emptied.
   */
  sellCostStore?: SellCostsStore;
  /**
   * Where every fill still awaiting its answer is named for the next process (absent: for this
   * process only): one whose trade is older than `trades_lookback_s` by then, its order no longer
   * open, is read by id.
   */
  awaitingStore?: AwaitingFillsStore;
}

/** Counters for metrics and tests. */
export interface RealAdapterStats {
  posts: number;
  retries: number;
  in_flight_resolved: number;
  balance_refreshes: number;
  resigned: number;
  fail_closed: number;
  resyncs: number;
  /** Orders the venue accepted (or holds in flight), and orders refused, locally or by the venue. */
  placed: number;
  rejected: number;
  heartbeat_misses: number;
  /** Venue orders helios did not place, found at start-up or on a re-check (reconciliation breaks). */
  unknown_orders: number;
}


/**
 * What the venue needs of a market, from the spec the trading runtime trades it by: helios knows
 * tick, minimum size, neg-risk and fee from discovery and the market channel (never a /tick-size
 * read). A Polymarket market id is its condition id.
 */
export function realMarketOf(spec: MarketSpec): RealMarket {
  return {
    market_id: spec.market_id,
    condition_id: spec.market_id,
    tokens: [spec.yes_token, spec.no_token],
    tick_size: spec.tick_size,
    min_order_size: spec.min_order_size,
    neg_risk: spec.event?.neg_risk ?? false,
    fee: spec.fee,
  };
}
