import { z } from 'zod';

/** Market tape payloads (channels l2, l2_delta, tape). Prices and sizes are plain numbers. */
const level = z.tuple([z.number(), z.number()]); // [price, size]

const unit = z.number().min(0).max(1);
/** A market's static description (MarketSpec), as the market catalog and MARKET_DISCOVERED carry it. */
export const marketSpecSchema = z.strictObject({
  market_id: z.string().min(1),
  yes_token: z.string().min(1),
  no_token: z.string().min(1),
  tick_size: z.number().positive(),
  min_order_size: z.number().nonnegative(),
  fee: z.strictObject({ rate: unit, exponent: z.number(), taker_only: z.boolean() }),
  fair_source: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('truth'), outcome_by_token: z.record(z.string(), z.string()) }),
    z.strictObject({ kind: z.literal('nowcast'), bucket_label: z.string(), yes_token: z.string(), no_token: z.string(), judge_day: z.iso.date().optional() }),
    z.strictObject({ kind: z.literal('none') }),
  ]),
  strategies: z.strictObject({ pair_arb: z.boolean(), temporal: z.boolean() }),
  admitted: z.boolean(),
  admission_reason: z.string().nullable(),
  event: z.strictObject({ event_id: z.string().min(1), neg_risk: z.boolean(), outcomes: z.number().int().min(2) }).nullable().optional(),
});

export const marketPayloads = {
  /** 1 s snapshot of one token's book: top-N levels plus derived figures. */
  L2_SNAPSHOT: {
    ch: 'l2',
    payload: z.strictObject({
      resync_epoch_id: z.number().int(),
      synced: z.boolean(),
      tick_size: z.number().positive(),
      bids: z.array(level),
      asks: z.array(level),
      best_bid: z.number().nullable(),
      best_ask: z.number().nullable(),
      mid: z.number().nullable(),
      spread: z.number().nullable(),
      microprice: z.number().nullable(),
      imbalance: z.number().nullable(),
      hash: z.string().nullable(),
      /**
       * This lineage's BEST_PRICEs carry the best N levels of each side (`bids` / `asks`): a book
       * mirror takes its top from them and no L2_DELTA (the trading node reads none). Absent in
       * journals recorded before BEST_PRICE carried levels: there the deltas refresh the book.
       */
      best_price_levels: z.number().int().positive().optional(),
    }),
  },
  /** Coalesced change of the book's top levels for market actors: never one per delta. */
  BEST_PRICE: {
    ch: 'l2',
    payload: z.strictObject({
      resync_epoch_id: z.number().int(),
      synced: z.boolean(),
      best_bid: z.number().nullable(),
      best_bid_size: z.number().nullable(),
      best_ask: z.number().nullable(),
      best_ask_size: z.number().nullable(),
      updates_coalesced: z.number().int().nonnegative(),
      /**
       * The best N levels of each side, best first, as [price, size] (N: the lineage's L2_SNAPSHOT
       * `best_price_levels`; fewer when the side has fewer). Absent in journals recorded before.
       */
      bids: z.array(level).optional(),
      asks: z.array(level).optional(),
      /**
       * The other token of this market changed in the same flush and its BEST_PRICE is the next
       * one published: a consumer may decide once on both (a price_change moves a market's two books
       * together; deciding on the first alone sees a half-updated pair). Absent: nothing follows.
       */
      partner_follows: z.literal(true).optional(),
    }),
  },
  /** One applied level change, recorded only inside event windows. */
  L2_DELTA: {
    ch: 'l2_delta',
    payload: z.strictObject({
      resync_epoch_id: z.number().int(),
      side: z.enum(['BUY', 'SELL']),
      price: z.number(),
      size: z.number().nonnegative(),
      best_bid: z.number().nullable(),
      best_ask: z.number().nullable(),
    }),
  },
  TRADE: {
    ch: 'tape',
    payload: z.strictObject({
      price: z.number(),
      size: z.number().nonnegative(),
      side: z.enum(['BUY', 'SELL']).nullable(),
      fee_rate_bps: z.number().nullable(),
    }),
  },
  BOOK_RESYNC_START: {
    ch: 'l2',
    payload: z.strictObject({ resync_epoch_id: z.number().int(), reason: z.string() }),
  },
  BOOK_RESYNC_DONE: {
    ch: 'l2',
    payload: z.strictObject({ resync_epoch_id: z.number().int(), duration_ms: z.number().nonnegative() }),
  },
  GAP_DETECTED: {
    ch: 'l2',
    payload: z.strictObject({ resync_epoch_id: z.number().int(), reason: z.string() }),
  },
  TICK_SIZE_CHANGE: {
    ch: 'l2',
    payload: z.strictObject({ old_tick_size: z.number(), new_tick_size: z.number() }),
  },
  /**
   * Live mode: discovery selected a market. On the market's control topic, so the trading node
   * adds its actor in dispatch order (journaled: a replay of the run adds it at the same point).
   */
  MARKET_DISCOVERED: {
    ch: 'control',
    payload: z.strictObject({ spec: marketSpecSchema, station_id: z.string().nullable(), match_id: z.string().nullable(), event_slug: z.string().nullable() }),
  },
  /**
   * Live mode: Gamma reports a held market's new tick size or minimum order size. On the market's
   * control topic like MARKET_DISCOVERED, so a replay changes the actor's spec at the same point.
   */
  MARKET_SPEC_CHANGED: {
    ch: 'control',
    payload: z.strictObject({ tick_size: z.number().positive(), min_order_size: z.number().nonnegative() }),
  },
  MARKET_RESOLVED: {
    ch: 'l2',
    payload: z.strictObject({ winning_token_id: z.string().nullable(), winning_outcome: z.string().nullable() }),
  },
} as const;
