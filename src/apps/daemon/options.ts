import type { HeliosConfig } from '../../config/schema.ts';
import type { Secrets } from '../../config/secrets.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { Shard } from '../../domain/scale-out/shard.ts';

export interface DaemonOptions {
  config: HeliosConfig;
  secrets: Secrets;
  logger: Logger;
  mode: 'sim' | 'live';
  /** Virtual-clock acceleration in sim mode. */
  speed: number;
  dataDir: string;
  /** Attach the Stately inspector server on loopback. */
  inspect: boolean;
  /** Overrides api.port (0 = any free port). */
  apiPort?: number;
  /**
   * Scale-out on Redis Streams: `feeds` runs the venue simulator, market feed, world and truth and
   * publishes to the bus; `trading` trades the markets of its `shard` from the bus alone; `all`
   * (default) runs everything in one process.
   */
  role?: DaemonRole;
  /** The trading process's markets: those whose id hashes to `index` of `count` (default all). */
  shard?: Shard;
  /** NDJSON file of the trading node's decisions, in the format `helios replay --decisions-out` writes. */
  decisionsOut?: string;
  /** `--clob-url`: the CLOB (a loopback stand-in in tests) instead of execution.real.clob_url. */
  clobUrl?: string;
  /** Where HELIOS_CONFIRM_REAL_ORDERS is read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export type DaemonRole = 'all' | 'feeds' | 'trading';

export interface RunSummary {
  kind: 'run_summary';
  markets: number;
  tokens_synced: number;
  orders: number;
  fills: number;
  realized_pnl: number;
  reconnects: number;
  resyncs: number;
  errors: number;
  /** Paper: fills carried into the next session as matched while still awaiting their CONFIRMED/FAILED (see the log's warning naming them). */
  unconfirmed_fills_carried: number;
}

export class RealOrdersRefused extends Error {}

/** Real execution is misconfigured (an unusable key): a usage error, exit 2. */
export class ExecutionConfigError extends Error {}
