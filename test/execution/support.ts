import { afterEach, expect } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { realExecutionSection, type RealExecutionConfig } from '../../src/config/sections/execution-real.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Clock } from '../../src/domain/time/clock.ts';
import { deriveCreds } from '../../src/sim/clob/clob-auth.ts';
import type { ClobMarketInfo } from '../../src/sim/clob/clob-order-check.ts';
import { ClobStandIn } from '../../src/sim/clob/clob-server.ts';
import { DEV_ADDRESS, DEV_KEY } from '../../src/sim/clob/dev-key.ts';
import { PRICE_UNITS_PER_ONE, TrueBook } from '../../src/sim/venue/true-book.ts';
import { PassThrough } from 'node:stream';
import { ClobExecutionAdapter, type RealAdapterDeps, type RealAlert, type RealPlaceRequest } from '../../src/adapters/execution/real-clob-adapter.ts';
import { ClobSession } from '../../src/adapters/execution/real-clob-session.ts';
import type { OrderToSign } from '../../src/adapters/execution/real-signing.ts';
import { HttpError } from '../../src/adapters/http/request-json.ts';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections, spec } from '../trading/support.ts';

/** The stand-in's development key (hardhat account 0): never funded anywhere that matters. */
export const TEST_KEY = DEV_KEY;
export const TEST_ADDRESS = DEV_ADDRESS;
/** Another key the stand-in does not know. */
export const OTHER_KEY = '0x59c6995e998f97a5a0044966f0a3e4ab9dfb4a0b4f0e0d7d3c1b8a0e1f1c2d3e';

export const YES = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
export const FINE = '1000000000000000000000000000000000000000000000000000000000000000000000000001';
export const NEG = '2000000000000000000000000000000000000000000000000000000000000000000000000002';

export const MARKETS = new Map<string, ClobMarketInfo>([
  [YES, { market: '0xcond1', tick_size: 0.01, min_order_size: 5, neg_risk: false }],
  [NO, { market: '0xcond1', tick_size: 0.01, min_order_size: 5, neg_risk: false }],
  [FINE, { market: '0xcond2', tick_size: 0.0025, min_order_size: 5, neg_risk: false }],
  [NEG, { market: '0xcond3', tick_size: 0.005, min_order_size: 5, neg_risk: true }],
]);

export function realConfig(clobUrl: string, over: Partial<RealExecutionConfig> = {}): RealExecutionConfig {
  const base = loadConfig({ env: {} }).config.execution.real;
  return realExecutionSection.parse({ ...base, clob_url: clobUrl, user_ws_url: '', data_api_url: '', ...over });
}

/** A book with asks from `ask` upwards and bids from `bid` downwards, `size` shares a level. */
export function book(bid: number, ask: number, size: number, levels = 3, tick = 0.01): TrueBook {
  const b = new TrueBook();
  const t = Math.round(tick * PRICE_UNITS_PER_ONE);
  for (let i = 0; i < levels; i++) {
    b.set('BUY', Math.round(bid * PRICE_UNITS_PER_ONE) - i * t, size * 100);
    b.set('SELL', Math.round(ask * PRICE_UNITS_PER_ONE) + i * t, size * 100);
  }
  return b;
}

/** A venue book with these asks ([price, shares], any number of levels) and a deep bid at `bid`. */
export function bookWithAsks(bid: number, asks: ReadonlyArray<readonly [number, number]>): TrueBook {
  const b = new TrueBook();
  for (const [price, shares] of asks) b.set('SELL', Math.round(price * PRICE_UNITS_PER_ONE), Math.round(shares * 100));
  b.set('BUY', Math.round(bid * PRICE_UNITS_PER_ONE), 100_000);
  return b;
}

export interface StandInRig {
  standIn: ClobStandIn;
  url: string;
  ws: string;
  clock: Clock;
  books: Map<string, TrueBook>;
  close(): Promise<void>;
}

/**
 * The test key's proxy (signature_type 1) and Gnosis Safe (2) on Polygon as Polymarket derives them:
 * the vectors of Polymarket/rs-clob-client-v2 (polymarket-wallet.test.ts), checksummed.
 */
export const TEST_WALLETS: Readonly<Record<1 | 2, string>> = { 1: '0x365f0CA36Ae1f641E02fE3B7743673da42A13A70', 2: '0xd93B25cb943D14d0d34FBaF01Fc93a0f8b5F6E47' };

/**
 * A stand-in CLOB on loopback with the test key registered and funded (or, given `signatureType`,
 * the proxy/safe wallet it owns; given `depositWallet`, that POLY_1271 wallet registered to the key).
 * `secondsDelay`: the YES/NO market (0xcond1) delays matching that long, as a sports market.
 */
export async function startStandIn(opts: { clock?: Clock; autoSettleMs?: number | null; usdc?: number; version?: number; signatureType?: 1 | 2; depositWallet?: string; secondsDelay?: number } = {}): Promise<StandInRig> {
  const clock = opts.clock ?? new SystemClock();
  const books = new Map<string, TrueBook>([
    [YES, book(0.4, 0.42, 100)],
    [NO, book(0.57, 0.59, 100)],
    [FINE, book(0.4, 0.4025, 100, 3, 0.0025)],
    [NEG, book(0.3, 0.305, 100, 3, 0.005)],
  ]);
  const standIn = new ClobStandIn({
    clock,
    authClock: new SystemClock(),
    markets: opts.secondsDelay === undefined ? MARKETS : new Map([...MARKETS].map(([t, m]) => [t, m.market === '0xcond1' ? { ...m, seconds_delay: opts.secondsDelay } : m])),
    bookFor: (t) => books.get(t),
    heartbeatTimeoutMs: 10_000,
    autoSettleMs: opts.autoSettleMs === undefined ? null : opts.autoSettleMs,
    chainId: 137,
    version: opts.version ?? 2,
    maxSkewSeconds: 30,
    expirationBufferSeconds: 60,
  });
  standIn.addKey(TEST_ADDRESS, deriveCreds(TEST_ADDRESS, 0n));
  if (opts.depositWallet !== undefined) standIn.registerDepositWallet(TEST_ADDRESS, opts.depositWallet);
  const funded = opts.depositWallet ?? (opts.signatureType === undefined ? TEST_ADDRESS : standIn.walletOf(TEST_ADDRESS, opts.signatureType));
  standIn.venue.fund(funded, opts.usdc ?? 1000);
  const { http, ws } = await standIn.listen();
  return { standIn, url: http, ws, clock, books, close: () => standIn.close() };
}

export { VirtualClock };


export const FEE = { rate: 0.05, exponent: 1, taker_only: true };

export interface AdapterRig {
  adapter: ClobExecutionAdapter;
  session: ClobSession;
  events: ExecutionEvent[];
  alerts: RealAlert[];
  cfg: RealExecutionConfig;
}

/** Test-sized waits: backoffs of a few ms, so retries finish quickly on the system clock. */
export const FAST: Partial<RealExecutionConfig> = {
  request_timeout_ms: 2000,
  backoff: { initial_ms: 1, max_ms: 5, max_attempts: 4 },
  user_channel: { ping_interval_ms: 10_000, reconnect_initial_ms: 5, reconnect_max_ms: 20 },
};

export async function openAdapter(
  rig: StandInRig,
  over: Partial<RealExecutionConfig> = {},
  clock: Clock = new SystemClock(),
  userWsUrl = rig.ws,
  logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }),
  extra: Pick<RealAdapterDeps, 'givenUpStore' | 'sellCostStore' | 'awaitingStore'> = {},
): Promise<AdapterRig> {
  const cfg = realConfig(rig.url, { ...FAST, ...over });
  const session = await ClobSession.open(cfg, { privateKey: TEST_KEY }, clock);
  const alerts: RealAlert[] = [];
  const adapter = new ClobExecutionAdapter({ clock, cfg, session, logger, onAlert: (a) => alerts.push(a), userWsUrl, ...extra });
  adapter.registerMarket({ market_id: 'm1', condition_id: '0xcond1', tokens: [YES, NO], tick_size: 0.01, min_order_size: 5, neg_risk: false, fee: FEE });
  adapter.registerMarket({ market_id: 'm2', condition_id: '0xcond2', tokens: [FINE], tick_size: 0.0025, min_order_size: 5, neg_risk: false, fee: FEE });
  adapter.registerMarket({ market_id: 'm3', condition_id: '0xcond3', tokens: [NEG], tick_size: 0.005, min_order_size: 5, neg_risk: true, fee: FEE });
  const events: ExecutionEvent[] = [];
  adapter.subscribe((e) => events.push(e));
  return { adapter, session, events, alerts, cfg };
}

type AdapterArgs = Parameters<typeof openAdapter> extends [StandInRig, ...infer R] ? R : never;

/**
 * The stand-in and adapters a test opens, closed after each test (adapters first): call once at the
 * top of a test file and open them through it.
 */
export function rigPerTest() {
  let rig: StandInRig | null = null;
  const adapters: AdapterRig[] = [];
  afterEach(async () => {
    for (const x of adapters.splice(0)) x.adapter.stop();
    await rig?.close();
    rig = null;
  });
  const standIn = async (opts?: Parameters<typeof startStandIn>[0]): Promise<StandInRig> => (rig = await startStandIn(opts));
  const adapter = async (r: StandInRig, ...args: AdapterArgs): Promise<AdapterRig> => {
    const x = await openAdapter(r, ...args);
    adapters.push(x);
    return x;
  };
  /** A default stand-in and an adapter on it. */
  const setup = async (over: Partial<RealExecutionConfig> = {}) => {
    const r = await standIn();
    return { rig: r, a: await adapter(r, over) };
  };
  return { standIn, adapter, setup };
}

let seq = 0;
export function req(over: Partial<RealPlaceRequest> = {}): RealPlaceRequest {
  return { client_order_id: `c${++seq}`, market_id: 'm1', token_id: YES, side: 'BUY', order_type: 'GTC', price: 0.35, size: 10, strategy: 'temporal', expires_at_ms: null, ...over };
}

export const fills = (events: readonly ExecutionEvent[], id?: string) =>
  events.flatMap((e) => (e.kind === 'fill' && (!id || e.fill.client_order_id === id) ? [e.fill] : []));
export const statuses = (events: readonly ExecutionEvent[], id: string) =>
  events.flatMap((e) => (e.kind === 'order' && e.update.client_order_id === id ? [e.update.status] : []));

/** A resting limit buy of the YES token, as a client signs it; `over` changes any field. */
export const limitOrder = (over: Partial<OrderToSign> = {}): OrderToSign => ({ tokenId: YES, side: 'BUY', price: 0.35, size: 10, type: 'GTC', expiration: 0, tick: '0.01', negRisk: false, ...over });

/** The venue's refusal a call must end in. */
export async function rejection(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

/**
 * A pair-arbitrage market m1 (YES / NO, a truth-driven fair value) on a real adapter, traded by a
 * started runtime on a virtual clock: legs of `shares` each, sent as `marketable_type` orders;
 * `tune` changes any other setting first.
 */
export async function pairRuntimeOn(a: AdapterRig, shares: number, marketableType?: 'FOK' | 'FAK', tune?: (cfg: ReturnType<typeof defaultSections>) => void) {
  const cfg = defaultSections();
  Object.assign(cfg.trading.pair_arb, { chunk_shares: shares, target_pair_shares: shares });
  tune?.(cfg);
  if (marketableType) cfg.trading.orders.marketable_type = marketableType;
  a.adapter.registerMarket({ market_id: 'm1', condition_id: '0xcond1', tokens: [YES, NO], tick_size: 0.01, min_order_size: 5, neg_risk: false, fee: spec().fee });
  await a.adapter.start();
  const clock = new VirtualClock(Date.now());
  const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: a.adapter, sink: new CollectingSink(), events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
  runtime.addMarket(spec({ yes_token: YES, no_token: NO, fair_source: { kind: 'truth', outcome_by_token: { [YES]: 'teamA', [NO]: 'teamB' } }, strategies: { pair_arb: true, temporal: false } }));
  expect((await runtime.start()).breaks).toEqual([]);
  return { cfg, clock, runtime };
}
