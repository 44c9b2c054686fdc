import type { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
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

/** A daemon on the harness: its venue simulator's market data, real execution on its stand-in CLOB. */
export function realDaemonOverrides(h: Awaited<ReturnType<typeof venueHarness>>): Record<string, unknown> {
  return {
    'daemon.sim.venue': 'external',
    'market_tape.ws_url': h.endpoints.wsUrl,
    'market_tape.rest_url': h.endpoints.restUrl,
    'execution.adapter': 'real',
    'execution.real.clob_url': h.clob.http,
    'execution.real.user_ws_url': h.clob.ws,
    'execution.real.data_api_url': h.clob.http,
  };
}

/** An in-process sim daemon with real execution confirmed, started, and stopped by `closers`. */
export async function startedDaemon(
  closers: Closer[],
  config: ReturnType<typeof loadConfig>['config'],
  dataDir: string,
  secrets: Record<string, string>,
  logger: ReturnType<typeof createLogger>,
): Promise<Daemon> {
  const daemon = new Daemon({ config, secrets: loadSecrets(secrets), env: { HELIOS_CONFIRM_REAL_ORDERS: 'yes' }, logger, mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0 });
  await daemon.start();
  closers.push(async () => void (await daemon.stop()));
  return daemon;
}
