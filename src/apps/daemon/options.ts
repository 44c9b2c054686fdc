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
}

export class RealOrdersRefused extends Error {}

/** Real execution is misconfigured (an unusable key): a usage error, exit 2. */
export class ExecutionConfigError extends Error {}

/** Listen errors that another start would meet again: the port is held by another process, or privileged. */
const UNAVAILABLE_PORT_CODES: ReadonlySet<string> = new Set(['EADDRINUSE', 'EACCES']);

/**
 * The API's port cannot be had: another process listens on it (Node listens with SO_REUSEADDR, so
 * never a socket left in TIME_WAIT) or it needs privileges. Like a data directory another daemon
 * holds, restarting fails again until an operator changes the port or stops the holder: exit 2.
 */
export class ApiPortUnavailable extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(`the API cannot listen on ${host}:${port}: ${code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : 'address already in use (another process listens there)'}`);
    this.name = 'ApiPortUnavailable';
  }

  /** What the operator does about it. */
  get remedy(): string {
    return this.code === 'EACCES' ? 'choose a port from 1024 up (0: any free port)' : 'stop the process that holds it or choose another port (0: any free port)';
  }

  /** The error a failed API listen becomes: this when the port is unavailable, else unchanged. */
  static from(err: unknown, host: string, port: number): unknown {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    return code !== undefined && UNAVAILABLE_PORT_CODES.has(code) ? new ApiPortUnavailable(host, port, code) : err;
  }
}
