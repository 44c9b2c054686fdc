import { loadConfig } from '../../src/config/load.ts';
import { startStandInVenue } from '../../src/sim/clob/stand-in-venue.ts';

export type Closer = () => Promise<void>;

/**
 * A venue simulator with order flow (the market data) and the stand-in CLOB matching against its
 * books, the test key registered and funded; both closed by `closers`.
 */
export async function venueHarness(closers: Closer[]) {
  const config = loadConfig({ env: {} }).config;
  const h = await startStandInVenue({ config, startMs: Date.now(), usdc: 100_000, heartbeatTimeoutMs: 10_000, autoSettleMs: 50 });
  closers.push(() => h.close());
  return h;
}
