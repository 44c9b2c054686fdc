import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { startCrowdStandIn } from '../../src/sim/clob/crowd-stand-in.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';

export type Closer = () => Promise<void>;

/**
 * A venue simulator with order flow (the market data) and the stand-in CLOB matching against its
 * books, the test key registered and funded; both closed by `closers`.
 */
export async function venueHarness(closers: Closer[]) {
  const base = loadConfig({ env: {} }).config;
  const universe = buildSimUniverse(base, simulatedTruth(base.app.seed, base.truth_engine, new SystemClock()).matches, Date.now());
  const venue = new VenueSimulator({ seed: base.app.seed, markets: universe.markets.map((m) => m.venue) });
  const endpoints = await venue.start();
  venue.run(base.daemon.sim.venue_events_per_s);
  closers.push(() => venue.stop());
  const { standIn, clob, tokens } = await startCrowdStandIn({ venue, universe, usdc: 100_000, heartbeatTimeoutMs: 10_000, autoSettleMs: 50 });
  closers.push(() => standIn.close());
  return { venue, endpoints, standIn, clob, tokens };
}
