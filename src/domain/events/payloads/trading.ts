import { z } from 'zod';

const side = z.enum(['BUY', 'SELL']);

/** Trading payloads (channels policy, order, fill, position, risk). */
export const tradingPayloads = {
  POLICY: {
    ch: 'policy',
    payload: z.strictObject({
      fair_value: z.record(z.string(), z.number()),
      edge_threshold: z.number(),
      max_position_usdc: z.number().nonnegative(),
      max_order_usdc: z.number().nonnegative(),
      source: z.enum(['truth', 'nowcast', 'manual']),
      valid_until_ms: z.number(),
    }),
  },
  ORDER_UPDATE: {
    ch: 'order',
    payload: z.strictObject({
      client_order_id: z.string(),
      venue_order_id: z.string().nullable(),
      status: z.enum(['pending', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired']),
      side,
      order_type: z.enum(['FOK', 'FAK', 'GTC', 'GTD']),
      price: z.number(),
      size: z.number(),
      filled_size: z.number(),
      strategy: z.string(),
      reason: z.string().nullable(),
    }),
  },
  FILL: {
    ch: 'fill',
    payload: z.strictObject({
      client_order_id: z.string(),
      fill_id: z.string(),
      status: z.enum(['MATCHED', 'CONFIRMED', 'FAILED']),
      side,
      price: z.number(),
      size: z.number(),
      fee_usdc: z.number(),
      liquidity: z.enum(['maker', 'taker']),
      strategy: z.string(),
    }),
  },
  POSITION: {
    ch: 'position',
    payload: z.strictObject({
      shares: z.number(),
      avg_cost: z.number(),
      realized_pnl: z.number(),
      unrealized_pnl: z.number(),
      fees_paid: z.number(),
      /** Net PnL (realized − fees + unrealized) attributed to each strategy. */
      by_strategy: z.record(z.string(), z.number()),
    }),
  },
  RISK_STATE: {
    ch: 'risk',
    payload: z.strictObject({
      state: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
      reason: z.string().nullable(),
      size_scale: z.number(),
    }),
  },
  MARKET_STATE: {
    ch: 'risk',
    payload: z.strictObject({ state: z.string(), previous: z.string().nullable(), reason: z.string().nullable() }),
  },
} as const;
