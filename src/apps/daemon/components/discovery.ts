import { Counter } from 'prom-client';
import { fetchPandascoreListings } from '../../../adapters/esports/pandascore-listings.ts';
import { GammaClient, gammaClientOptions } from '../../../adapters/polymarket/gamma-client.ts';
import type { OperatingSetDiff } from '../../../domain/discovery/operating-set-diff.ts';
import type { SelectedMarket } from '../../../domain/discovery/operating-set.ts';
import { DiscoveredMarkets } from '../../../runtime/discovery/discovered-markets.ts';
import { layoutChanges, matchSpecOf, tradedMarketOf } from '../../../runtime/discovery/live-universe.ts';
import { DiscoveryScanner, scannerPolicy } from '../../../runtime/discovery/scanner.ts';
import type { UniverseMarket } from '../../../domain/trading/universe.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/**
 * Live mode's discovery: scans Gamma on the interval, and soon after the market channel reports a
 * market appearing or resolving, and turns what changed into the universe the other components follow (subscriptions,
 * market actors, station layouts, matches). A held market that resolves is settled with a
 * MARKET_RESOLVED on the bus (its actor goes FINALIZING → RESOLVED) and its tokens are dropped.
 * Refusals are logged with their reason and counted in `discovery_refused_total{reason}`; Gamma
 * failures are source errors (log, /health, the run summary). The daemon keeps running either way.
 */
export function discoveryComponent(ctx: DaemonContext): Component {
  let scanner: DiscoveryScanner | null = null;
  let gamma: GammaClient | null = null;
  const refusedTotal = refusedCounter(ctx);
  const log = ctx.log.child({ component: 'discovery' });
  // Outlives the component's restarts: a later scanner adopts the markets still held.
  const discovered = new DiscoveredMarkets();
  const onChange = discoveryChanges(ctx, discovered, (id) => scanner?.pandascoreId(id) ?? null);

  return {
    name: 'discovery',
    start: async () => {
      const { config } = ctx;
      gamma = new GammaClient(gammaClientOptions(config.discovery, ctx.clock));
      const pandascoreToken = ctx.opts.secrets.pandascore_token?.reveal();
      const ps = config.truth_engine.sources.pandascore;
      const s = new DiscoveryScanner({
        gamma,
        config: config.discovery,
        policy: scannerPolicy(config),
        clock: ctx.clock,
        logger: log,
        onChange: (diff) => onChange(diff),
        onRefused: (r) => {
          refusedTotal.inc({ reason: r.code });
          log.warn({ reason: r.code, event_slug: r.event_slug, market_id: r.condition_id, detail: r.message }, `discovery refused ${r.condition_id ?? r.event_slug ?? 'an answer'}: ${r.code}`);
        },
        onError: (what, err) => ctx.sourceErrors.record('discovery', what, err),
        ...(pandascoreToken ? { pandascoreListings: () => fetchPandascoreListings({ restUrl: ps.rest_url, token: pandascoreToken, clock: ctx.clock, timeoutMs: ps.timeout_ms, perPage: Math.min(100, config.discovery.page_limit) }) } : {}),
      });
      // Markets held by an earlier life of this component stay held (their actors and subscriptions live on).
      s.adopt(discovered.unresolved());
      scanner = s;
      // The market channel's new_market / market_resolved: Gamma is asked again soon (a resolution
      // of a held market settles from the tape at once; the rescan drops its tokens).
      ctx.venueNotice = () => scanner?.requestScan();
      // Start does not wait for Gamma: an unreachable Gamma is a source error, not a failed start.
      void s.start().then((first) => log.info({ ...first }, 'discovery: first scan'), (err) => ctx.sourceErrors.record('discovery', 'scan', err));
    },
    stop: async () => {
      ctx.venueNotice = null;
      scanner?.stop();
      scanner = null;
      gamma?.close();
      gamma = null;
    },
  };
}

/**
 * Turns what a scan changed into the universe's change (and the bus events that go with it):
 * added markets enter it (a market already retired here stays out: nothing would resolve it
 * again), a resolved one is settled with a MARKET_RESOLVED and its tokens dropped, a closed one is
 * halted, a changed spec is told to its actor. The layouts follow the judge days with an open
 * market; markets whose group has left entirely (resolved and retired) are forgotten.
 */
export function discoveryChanges(ctx: DaemonContext, discovered: DiscoveredMarkets, pandascoreId: (conditionId: string) => string | null): (diff: OperatingSetDiff) => void {
  const events = ctx.events('discovery');
  const log = ctx.log.child({ component: 'discovery' });
  // The scanner holds a retired market it selected again (it follows it to its end like any other);
  // discovery, having refused it, knows nothing of it: its closing or resolving again is not news.
  const refusedAgain = (id: string) => discovered.get(id) === undefined && ctx.retiredMarkets.has(id);
  return (diff) => {
    const added: UniverseMarket[] = [];
    const selected: SelectedMarket[] = [];
    for (const m of diff.added) {
      if (ctx.retiredMarkets.has(m.condition_id)) {
        log.warn({ market_id: m.condition_id, event_slug: m.event_slug }, 'discovery: market already retired here, not selected again');
        continue;
      }
      discovered.record(m);
      selected.push(m);
      added.push(tradedMarketOf(m));
      log.info({ market_id: m.condition_id, event_slug: m.event_slug, kind: m.kind, station_id: m.temperature?.station, judge_date: m.temperature?.judge_date, match_id: m.esports?.match_id }, 'discovery: market selected');
    }
    const retired: UniverseMarket[] = [];
    for (const c of diff.closed) {
      const id = c.market.condition_id;
      if (refusedAgain(id)) continue;
      discovered.record(c.market);
      if (c.winning_token === null) {
        // The venue takes no more orders: the actor stops placing them until the resolution settles it.
        log.info({ market_id: id }, 'discovery: market closed, awaiting resolution');
        ctx.sink.emit(events.make('HALT', { scope: 'market', reason: 'market closed on the venue, awaiting resolution' }, { market_id: id, correlation_id: `discovery:${id}` }));
        continue;
      }
      log.info({ market_id: id, winning_token_id: c.winning_token }, 'discovery: market resolved');
      // Settlement through the same event the market channel sends: the actor cannot tell them apart.
      ctx.sink.emit(events.make('MARKET_RESOLVED', { winning_token_id: c.winning_token, winning_outcome: null }, { market_id: id, correlation_id: `discovery:${id}` }));
      const held = ctx.universe.markets.find((u) => u.spec.market_id === id);
      if (held) retired.push(held);
    }
    for (const c of diff.changed) {
      const id = c.market.condition_id;
      if (refusedAgain(id)) continue;
      discovered.record(c.market);
      log.warn({ market_id: id, tick_size: [c.tick_size_from, c.market.tick_size], min_size: [c.min_size_from, c.market.min_size] }, 'discovery: tick or minimum size changed');
      const held = ctx.universe.markets.find((u) => u.spec.market_id === id);
      if (held) held.spec = { ...held.spec, tick_size: c.market.tick_size, min_order_size: c.market.min_size };
      // Through the bus: the actor's next orders use the new values, at the same point in a replay.
      ctx.sink.emit(events.make('MARKET_SPEC_CHANGED', { tick_size: c.market.tick_size, min_order_size: c.market.min_size }, { market_id: id, correlation_id: `discovery:${id}` }));
    }
    const inUniverse = new Set(ctx.universe.markets.map((m) => m.spec.market_id));
    discovered.forgetLeft((id) => inUniverse.has(id));
    const layouts = layoutChanges(ctx.universe.layouts, discovered.layouts());
    const matches = selected.map((m) => matchSpecOf(m, pandascoreId(m.condition_id))).filter((m) => m !== null);
    ctx.enterUniverse({ added, matches, layouts, retired }, events, 'discovery', (id) => discovered.get(id)?.event_slug ?? null);
  };
}

/** One counter per registry (the component restarts; the registry lives as long as the daemon). */
function refusedCounter(ctx: DaemonContext): Counter<'reason'> {
  const existing = ctx.metrics.registry.getSingleMetric('discovery_refused_total');
  if (existing) return existing as Counter<'reason'>;
  return new Counter({ name: 'discovery_refused_total', help: 'Gamma answers, events and markets discovery refused, by reason', labelNames: ['reason'], registers: [ctx.metrics.registry] });
}
