import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { deriveCreds } from '../../src/sim/clob/clob-auth.ts';
import type { ClobMarketInfo } from '../../src/sim/clob/clob-order-check.ts';
import { ClobStandIn } from '../../src/sim/clob/clob-server.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { PRICE_UNITS_PER_ONE, TrueBook } from '../../src/sim/venue/true-book.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { TEST_ADDRESS } from './support.ts';

/** The crowd's book at the stand-in: the venue simulator's true book as it is now. */
export function crowdBook(venue: VenueSimulator, token: string): TrueBook | undefined {
  if (!venue.tokens().includes(token)) return undefined;
  const depth = venue.trueBook(token);
  const b = new TrueBook();
  for (const [p, s] of depth.bids) b.set('BUY', Math.round(p * PRICE_UNITS_PER_ONE), Math.round(s * 100));
  for (const [p, s] of depth.asks) b.set('SELL', Math.round(p * PRICE_UNITS_PER_ONE), Math.round(s * 100));
  return b;
}

export type Closer = () => Promise<void>;

/**
 * A venue simulator with order flow (the market data) and the stand-in CLOB matching against its
 * books, the test key registered and funded; both closed by `closers`.
 */
export async function venueHarness(closers: Closer[]) {
  const base = loadConfig({ env: {} }).config;
  const universe = buildSimUniverse(base, simulatedTruth(base.app.seed, base.truth_engine, new SystemClock()).matches);
  const venue = new VenueSimulator({ seed: base.app.seed, markets: universe.markets.map((m) => m.venue) });
  const endpoints = await venue.start();
  venue.run(base.daemon.sim.venue_events_per_s);
  closers.push(() => venue.stop());
  const markets = new Map<string, ClobMarketInfo>();
  for (const m of universe.markets) {
    for (const t of [m.spec.yes_token, m.spec.no_token]) markets.set(t, { market: m.spec.market_id, tick_size: m.spec.tick_size, min_order_size: m.spec.min_order_size, neg_risk: m.spec.event?.neg_risk ?? false });
  }
  const standIn = new ClobStandIn({
    clock: new SystemClock(),
    authClock: new SystemClock(),
    markets,
    bookFor: (t) => crowdBook(venue, t),
    heartbeatTimeoutMs: 10_000,
    autoSettleMs: 50,
    chainId: 137,
    version: 2,
    maxSkewSeconds: 30,
    expirationBufferSeconds: 60,
  });
  standIn.addKey(TEST_ADDRESS, deriveCreds(TEST_ADDRESS, 0n));
  standIn.venue.fund(TEST_ADDRESS, 100_000);
  const clob = await standIn.listen();
  closers.push(() => standIn.close());
  const tokens = [...markets.keys()].sort();
  return { venue, endpoints, standIn, clob, tokens };
}

