import { SystemClock } from '../../adapters/clock/system-clock.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import { simulatedTruth } from '../esports/simulated-truth.ts';
import { buildSimUniverse, type SimUniverse, type SimUniverseOptions } from '../sim-universe.ts';
import { VenueSimulator, type VenueEndpoints } from '../venue/venue-simulator.ts';
import { startCrowdStandIn, type StandInFunder, type StandInWallet } from './crowd-stand-in.ts';
import type { ClobStandIn } from './clob-server.ts';

/**
 * The market universe `helios run --sim` builds from `config` when started at `startMs`: the same
 * markets, tokens, ticks and neg-risk events, so a venue hosted outside the daemon lists exactly
 * what the daemon trades (its buckets undated: that venue lists no new judge days). `datedWeather`:
 * what a daemon hosting its own venue builds instead (`daemon.sim.venue: embedded`).
 */
export function daemonSimUniverse(config: HeliosConfig, startMs: number, opts: SimUniverseOptions = {}): SimUniverse {
  return buildSimUniverse(config, simulatedTruth(config.app.seed, config.truth_engine, new SystemClock()).matches, startMs, opts);
}

/** `execution.real`'s three venue URLs for a stand-in: REST, the user channel, and the Data API (same host). */
export function standInExecutionUrls(clob: { http: string; ws: string }): { clob_url: string; user_ws_url: string; data_api_url: string } {
  return { clob_url: clob.http, user_ws_url: clob.ws, data_api_url: clob.http };
}

/**
 * What a sim-mode daemon needs to trade real orders against a stand-in venue: market data from
 * the external venue simulator (not the embedded one, whose books the stand-in never sees) and the
 * real adapter pointed at the stand-in CLOB matching against that simulator's books.
 */
export function standInDaemonOverlay(venue: VenueEndpoints, clob: { http: string; ws: string }, funder?: StandInFunder): Record<string, unknown> {
  // The wallet the stand-in funded, always: an operator's --config naming another one would sign orders the stand-in refuses.
  const wallet = funder ? { signature_type: funder.signatureType, funder_address: funder.address } : { signature_type: 0, funder_address: '' };
  return {
    daemon: { sim: { venue: 'external' } },
    market_tape: { ws_url: venue.wsUrl, rest_url: venue.restUrl },
    execution: { adapter: 'real', real: { ...standInExecutionUrls(clob), ...wallet } },
  };
}

export interface StandInVenueOptions {
  config: HeliosConfig;
  /** When the daemon's universe is dated (its temperature buckets follow the local day). */
  startMs: number;
  /** Collateral (USDC) of the funded key. */
  usdc: number;
  heartbeatTimeoutMs: number;
  autoSettleMs: number;
  /** The esports (sports) markets' matching delay, seconds (default 0: none). */
  sportsSecondsDelay?: number;
  /** The signing key's address (default the development key's). */
  address?: string;
  /** The wallet the key trades through (its proxy or safe, derived; a deposit wallet, registered), funded in its place; absent: the key is an EOA and is funded. */
  wallet?: StandInWallet;
  /** Loopback ports (default 0: any free port). */
  venuePort?: number;
  clobPort?: number;
  /** Time stamped on the venue's frames (default the simulator's synthetic timeline). */
  now?: () => number;
}

export interface StandInVenue {
  universe: SimUniverse;
  venue: VenueSimulator;
  endpoints: VenueEndpoints;
  standIn: ClobStandIn;
  clob: { http: string; ws: string };
  /** Every token the stand-in trades, sorted. */
  tokens: string[];
  /** The key's wallet that was funded, when it trades through one. */
  funder?: StandInFunder;
  /** Stops the stand-in, then the venue. */
  close(): Promise<void>;
}

/**
 * The venue simulator with the daemon's sim universe and its order flow running, and the stand-in
 * CLOB matching against its books with one key funded, both on loopback: what `helios clob-standin`
 * serves and the real-execution daemon tests trade against. The venue is stopped again when the
 * stand-in cannot listen.
 */
export async function startStandInVenue(o: StandInVenueOptions): Promise<StandInVenue> {
  const universe = daemonSimUniverse(o.config, o.startMs);
  const venue = new VenueSimulator({ seed: o.config.app.seed, markets: universe.markets.map((m) => m.venue), port: o.venuePort ?? 0, now: o.now });
  const endpoints = await venue.start();
  try {
    venue.run(o.config.daemon.sim.venue_events_per_s);
    const { standIn, clob, tokens, funder } = await startCrowdStandIn({ venue, universe, usdc: o.usdc, heartbeatTimeoutMs: o.heartbeatTimeoutMs, autoSettleMs: o.autoSettleMs, sportsSecondsDelay: o.sportsSecondsDelay, address: o.address, wallet: o.wallet, port: o.clobPort });
    return {
      universe,
      venue,
      endpoints,
      standIn,
      clob,
      tokens,
      ...(funder ? { funder } : {}),
      close: async () => {
        await standIn.close();
        await venue.stop();
      },
    };
  } catch (err) {
    await venue.stop();
    throw err;
  }
}
