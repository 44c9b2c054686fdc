import { z } from 'zod';

const ms = z.number().int().nonnegative();
const FUNDER = "an address (0x and 40 hex digits), or '' for the signer's own";
const url = z.string().regex(/^(https?|wss?):\/\/\S+$/, 'an http(s):// or ws(s):// URL');

/**
 * Real execution on Polymarket's CLOB V2 (section `execution.real`). Credentials are secrets
 * (HELIOS_POLY_*), never here; real orders also need HELIOS_CONFIRM_REAL_ORDERS=yes.
 */
export const realExecutionSection = z.strictObject({
  /** CLOB REST base; `--clob-url` overrides it (a loopback stand-in in tests). */
  clob_url: url,
  /** The authenticated user channel; empty derives `ws(s)://<clob host>/ws/user` (the stand-in's layout). */
  user_ws_url: z.union([url, z.literal('')]),
  /** Data API base for positions; empty uses clob_url (the stand-in serves `/positions`). */
  data_api_url: z.union([url, z.literal('')]),
  /** 137 Polygon mainnet, 80002 Amoy. */
  chain_id: z.union([z.literal(137), z.literal(80002)], { message: '137 (Polygon mainnet) or 80002 (Amoy)' }),
  /** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 deposit wallet. */
  signature_type: z.number().int().min(0).max(3),
  /** The proxy/safe/deposit wallet holding the funds; empty = the signer's own address (EOA). */
  funder_address: z.union([z.string().regex(/^0x[0-9a-fA-F]{40}$/, FUNDER), z.literal('')], { message: FUNDER }),
  /** A request with no answer after this long stays in flight (never resent) until the venue settles it. */
  request_timeout_ms: z.number().int().min(1),
  /** 425/429/5xx: wait and retry the same request (never re-signed, so never a second order). */
  backoff: z.strictObject({
    initial_ms: ms,
    max_ms: ms,
    max_attempts: z.number().int().min(1),
  }),
  /** Orders per POST /orders (the venue takes at most 15). */
  max_batch: z.number().int().min(1).max(15),
  /** Polymarket takes GTD expirations one minute early: this much is added to the intended expiry. */
  expiration_buffer_s: z.number().int().nonnegative(),
  heartbeat: z.strictObject({
    /** Chained heartbeats this often while any order rests (the venue cancels all after ~10 s without). */
    interval_ms: z.number().int().min(1),
    /** Consecutive failed beats before failing closed: no new orders, cancel-all, global HALT. */
    max_misses: z.number().int().min(1),
  }),
  user_channel: z.strictObject({
    /** Text PING keep-alive interval. */
    ping_interval_ms: z.number().int().min(1),
    reconnect_initial_ms: ms,
    reconnect_max_ms: ms,
  }),
  /** The live healthcheck real orders need. */
  healthcheck: z.strictObject({
    max_clock_skew_ms: ms,
    min_collateral_usdc: z.number().nonnegative(),
  }),
  reconcile: z.strictObject({
    /** Venue orders helios did not place (found at start-up or on a re-check): adopt them, or cancel them. */
    unknown_orders: z.enum(['adopt', 'cancel']),
    /** Trades this recent are read after every reconnect and at start-up. */
    trades_lookback_s: z.number().int().min(1),
    /**
     * A trade an open order or a recorded fill names that the venue does not return is read this
     * many times in all (the backoff between rounds) before it is given up: TRADE_NOT_FOUND
     * (critical) and, when an open order names it, that order's market halted.
     */
    missing_trade_reads: z.number().int().min(1),
  }),
})
  // A proxy, safe or deposit wallet signs for funds held elsewhere: without that address every
  // order would name the signer as maker and the venue would refuse each one, after start-up.
  .refine((r) => r.signature_type === 0 || r.funder_address !== '', {
    message: 'the proxy/safe/deposit wallet holding the funds: signature_type 1, 2 or 3 needs funder_address (0 signs for the key\'s own address)',
    path: ['funder_address'],
  });

export type RealExecutionConfig = z.infer<typeof realExecutionSection>;
