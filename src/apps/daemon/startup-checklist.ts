import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { HeliosConfig } from '../../config/schema.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import { MarketFeed } from '../../runtime/market-tape/market-feed.ts';
import { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import { simulatedTruth } from '../../sim/esports/simulated-truth.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import { InMemoryDesiredSet } from '../../domain/subscriptions/desired-set.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { buildSimUniverse } from '../../sim/sim-universe.ts';
import type { UniverseMarket } from '../../domain/trading/universe.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface ChecklistOptions {
  config: HeliosConfig;
  /** sim: the venue simulator on loopback; live: Polymarket's endpoints from market_tape. */
  mode: 'sim' | 'live';
  logger: Logger;
}

/** The names of the checklist's items, in the order they run. */
export const CHECK_NAMES = ['configuration', 'clock: monotonic vs wall', 'clock: venue Date header', 'feeds connect', 'books arrive', 'caches warm', 'paper mode', 'wallet allowance'] as const;

/**
 * The start-up checklist (seed 003, "Startup checklist"): configuration, clock sanity (monotonic
 * against wall time, and against the venue's `Date` header), the market feed connecting and its
 * books arriving, caches warm (market ↔ token mappings, tick sizes), paper trading unless live
 * was asked for explicitly. In sim mode the venue is a `VenueSimulator` on loopback, started and
 * stopped here. The configuration itself was validated by the caller (it had to load).
 */
export async function runStartupChecklist(opts: ChecklistOptions): Promise<CheckResult[]> {
  const { config, mode } = opts;
  const hc = config.healthcheck;
  const results: CheckResult[] = [
    { name: 'configuration', status: 'pass', detail: `valid (${Object.keys(config).length} sections); ${mode} mode` },
    await checkMonotonicVsWall(hc.clock_probe_ms, hc.max_clock_drift_ms),
  ];

  const clock = new SystemClock();
  const universe = mode === 'sim' ? buildSimUniverse(config, simulatedTruth(config.app.seed, config.truth_engine, clock).matches, clock.now()).markets : [];
  let venue: VenueSimulator | null = null;
  let feed: MarketFeed | null = null;
  try {
    let restUrl = config.market_tape.rest_url;
    let wsUrl = config.market_tape.ws_url;
    // An external venue (daemon.sim.venue) is checked where the daemon would read it: market_tape's URLs.
    if (mode === 'sim' && config.daemon.sim.venue === 'embedded') {
      venue = new VenueSimulator({ seed: config.app.seed, markets: universe.map((m) => m.venue) });
      const endpoints = await venue.start();
      venue.run(config.daemon.sim.venue_events_per_s);
      ({ restUrl, wsUrl } = endpoints);
    }
    results.push(await checkVenueDate(restUrl, hc.venue_timeout_ms, hc.max_venue_skew_ms, mode));

    if (mode === 'live') {
      // No markets are selected before discovery runs: connecting is all that can be checked.
      results.push(await checkSocketOpens(wsUrl, hc.feed_timeout_ms));
      results.push({ name: 'books arrive', status: 'skip', detail: 'live mode: no markets are selected until discovery runs' });
      results.push({ name: 'caches warm', status: 'skip', detail: 'live mode: market mappings are filled by discovery' });
    } else {
      const tape = { ...config.market_tape, ws_url: wsUrl, rest_url: restUrl };
      feed = new MarketFeed({
        config: tape,
        clock,
        seed: config.app.seed,
        sink: { emit: () => {} },
        events: new EventFactory(clock, ulidGenerator(seededRng(config.app.seed ^ hash32('healthcheck')))),
        desired: new InMemoryDesiredSet([]),
        logger: opts.logger,
      });
      await feed.start();
      const tokens = universe.flatMap((m) => [m.spec.yes_token, m.spec.no_token]).sort();
      await feed.subscribe(tokens);
      const started = performance.now();
      const deadline = started + hc.feed_timeout_ms;
      while (performance.now() < deadline && !feed.isSettled()) await sleep(25);
      results.push(connectResult(feed, tokens, performance.now() - started));
      results.push(booksResult(feed, tokens, hc.feed_timeout_ms));
      results.push(cachesResult(feed, universe));
    }
  } catch (err) {
    const done = new Set(results.map((r) => r.name));
    for (const name of ['clock: venue Date header', 'feeds connect', 'books arrive', 'caches warm']) {
      if (!done.has(name)) results.push({ name, status: 'fail', detail: `could not run: ${(err as Error).message}` });
    }
  } finally {
    await feed?.stop();
    await venue?.stop();
  }
  results.push(paperModeResult(config, mode));
  results.push(
    config.execution.adapter === 'paper'
      ? { name: 'wallet allowance', status: 'skip', detail: 'paper execution needs no USDC allowance' }
      : { name: 'wallet allowance', status: 'fail', detail: 'real execution: collateral and allowance are read from the CLOB by `helios healthcheck --live`' },
  );
  return results;
}

/** Both clocks over the same interval: a stepping or slewing wall clock shows as their disagreement. */
export async function checkMonotonicVsWall(probeMs: number, maxDriftMs: number): Promise<CheckResult> {
  const m0 = performance.now();
  const w0 = Date.now();
  await sleep(probeMs);
  const dm = performance.now() - m0;
  const dw = Date.now() - w0;
  const drift = Math.abs(dw - dm);
  const detail = `wall ${dw} ms vs monotonic ${dm.toFixed(1)} ms over the probe: drift ${drift.toFixed(1)} ms (max ${maxDriftMs})`;
  return { name: 'clock: monotonic vs wall', status: drift <= maxDriftMs && dw >= 0 ? 'pass' : 'fail', detail };
}

/**
 * Our wall clock against the venue's `Date` header. The header has whole seconds, so the venue's
 * time at the response lies in [Date, Date + 1 s); the skew is how far our request interval is from it.
 */
export async function checkVenueDate(restUrl: string, timeoutMs: number, maxSkewMs: number, mode: 'sim' | 'live'): Promise<CheckResult> {
  const name = 'clock: venue Date header';
  const t0 = Date.now();
  let header: string | null;
  try {
    const res = await fetch(restUrl, { signal: AbortSignal.timeout(timeoutMs) });
    header = res.headers.get('date');
    await res.body?.cancel();
  } catch (err) {
    // Live: the venue may simply be unreachable from here; that is not a clock problem.
    return { name, status: mode === 'live' ? 'skip' : 'fail', detail: `venue ${restUrl} unreachable: ${(err as Error).message}` };
  }
  const t1 = Date.now();
  const venueMs = header ? Date.parse(header) : Number.NaN;
  if (!Number.isFinite(venueMs)) return { name, status: 'fail', detail: `venue ${restUrl} sent no usable Date header (${JSON.stringify(header)})` };
  const skew = t1 < venueMs ? venueMs - t1 : t0 >= venueMs + 1000 ? t0 - (venueMs + 999) : 0;
  return { name, status: skew <= maxSkewMs ? 'pass' : 'fail', detail: `venue says ${header}; our clock is ${skew} ms outside its second (max ${maxSkewMs})` };
}

async function checkSocketOpens(wsUrl: string, timeoutMs: number): Promise<CheckResult> {
  const name = 'feeds connect';
  const ok = await new Promise<string | null>((resolve) => {
    const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs });
    ws.once('open', () => {
      ws.close();
      resolve(null);
    });
    ws.once('error', (err) => resolve(err.message));
  });
  return ok === null ? { name, status: 'pass', detail: `market channel ${wsUrl} accepted a connection` } : { name, status: 'fail', detail: `market channel ${wsUrl}: ${ok}` };
}

function connectResult(feed: MarketFeed, tokens: string[], elapsedMs: number): CheckResult {
  const conns = feed.connections();
  const live = conns.filter((c) => c.status === 'healthy' || c.status === 'stale' || c.status === 'resyncing');
  const subscribed = new Set(feed.subscribed());
  const missing = tokens.filter((t) => !subscribed.has(t));
  const ok = conns.length > 0 && live.length === conns.length && missing.length === 0;
  const detail = ok
    ? `${conns.length} market connection(s) live, ${tokens.length} tokens subscribed in ${Math.round(elapsedMs)} ms`
    : `${live.length}/${conns.length} connections live (${conns.map((c) => `${c.id}: ${c.status}`).join(', ') || 'none opened'}); ${missing.length} tokens not subscribed`;
  return { name: 'feeds connect', status: ok ? 'pass' : 'fail', detail };
}

function booksResult(feed: MarketFeed, tokens: string[], timeoutMs: number): CheckResult {
  const unsynced = tokens.filter((t) => !feed.book(t)?.synced);
  if (tokens.length === 0) return { name: 'books arrive', status: 'fail', detail: 'no tokens to subscribe (daemon.sim.markets?)' };
  return unsynced.length === 0
    ? { name: 'books arrive', status: 'pass', detail: `${tokens.length}/${tokens.length} books synced` }
    : { name: 'books arrive', status: 'fail', detail: `${tokens.length - unsynced.length}/${tokens.length} books synced within ${timeoutMs} ms; missing ${unsynced.slice(0, 3).join(', ')}${unsynced.length > 3 ? ', …' : ''}` };
}

/** Market ↔ token mappings are one-to-one and every book's tick size is the one the market was given. */
function cachesResult(feed: MarketFeed, universe: readonly UniverseMarket[]): CheckResult {
  const marketOf = new Map<string, string>();
  const problems: string[] = [];
  for (const m of universe) {
    const { market_id, yes_token, no_token, tick_size } = m.spec;
    if (yes_token === no_token) problems.push(`${market_id}: YES and NO are the same token`);
    for (const t of [yes_token, no_token]) {
      const other = marketOf.get(t);
      if (other !== undefined && other !== market_id) problems.push(`token ${t} mapped to ${other} and ${market_id}`);
      marketOf.set(t, market_id);
      const book = feed.book(t);
      if (book && book.book.tickSize !== tick_size) problems.push(`token ${t}: tick ${book.book.tickSize} on the venue, ${tick_size} in the mapping`);
    }
  }
  return problems.length === 0
    ? { name: 'caches warm', status: 'pass', detail: `${universe.length} markets, ${marketOf.size} token ids mapped, tick sizes agree` }
    : { name: 'caches warm', status: 'fail', detail: problems.slice(0, 3).join('; ') };
}

function paperModeResult(config: HeliosConfig, mode: 'sim' | 'live'): CheckResult {
  const name = 'paper mode';
  if (config.execution.adapter === 'real') {
    // This checklist runs against simulators: it cannot vouch for real orders (the wallet item of `healthcheck --live` does).
    return { name, status: 'fail', detail: 'execution.adapter is real: real orders (helios run also needs HELIOS_CONFIRM_REAL_ORDERS=yes, credentials and a passing `helios healthcheck --live`)' };
  }
  if (config.app.mode === 'live') {
    return { name, status: 'pass', detail: `live was asked for explicitly (app.mode live) but execution.adapter is paper: orders stay on paper` };
  }
  return { name, status: 'pass', detail: `paper trading (${mode === 'live' ? 'live data' : 'simulated data'}, execution.adapter paper)` };
}
