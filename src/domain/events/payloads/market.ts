import { z } from 'zod';

/** Market tape payloads (channels l2, l2_delta, tape). Prices and sizes are plain numbers. */
const level = z.tuple([z.number(), z.number()]); // [price, size]

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
    }),
  },
  /** Coalesced best-price change for market actors: never one per delta. */
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
  MARKET_RESOLVED: {
    ch: 'l2',
    payload: z.strictObject({ winning_token_id: z.string().nullable(), winning_outcome: z.string().nullable() }),
  },
} as const;
