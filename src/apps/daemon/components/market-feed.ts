import { SystemClock } from '../../../adapters/clock/system-clock.ts';
import { openCapturedSocket } from '../../../adapters/capture/socket.ts';
import { captureTap } from '../../../adapters/capture/tap.ts';
import { createDesiredSet } from '../../../adapters/subscriptions/create-desired-set.ts';
import { MarketFeed } from '../../../runtime/market-tape/market-feed.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/** The market tape: venue WebSocket and REST into the bus, subscribed to the universe's tokens. */
export function marketFeedComponent(ctx: DaemonContext, embeddedVenue: boolean): Component {
  let probe: NodeJS.Timeout | null = null;
  // Live mode: discovered markets are subscribed as they enter, settled ones dropped.
  const follow = (change: UniverseChange) => {
    const feed = ctx.feed;
    if (!feed) return;
    const add = change.added.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
    const drop = change.retired.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
    if (add.length > 0) feed.subscribe(add).catch((err) => ctx.reportError('market-feed', err));
    if (drop.length > 0) feed.unsubscribe(drop).catch((err) => ctx.reportError('market-feed', err));
  };
  return {
    name: 'market-feed',
    after: embeddedVenue ? ['venue-sim'] : [],
    start: async () => {
      const { config } = ctx;
      const tape = embeddedVenue ? { ...config.market_tape, ws_url: ctx.venueUrls!.ws, rest_url: ctx.venueUrls!.rest } : config.market_tape;
      const feed = new MarketFeed({
        config: tape,
        clock: ctx.clock,
        transportClock: new SystemClock(),
        seed: config.app.seed,
        sink: ctx.sink,
        events: ctx.events('market-feed'),
        desired: createDesiredSet({ ...tape.desired_set, kind: 'in_memory' }, null),
        logger: ctx.log,
        // `helios capture`: the market frames go to the capture too, as they arrive.
        openSocket: captureTap() ? openCapturedSocket : undefined,
        onVenueNotice: () => ctx.venueNotice?.(),
        stages: ctx.observer.stages,
        // The trading node in this process, idle, on the in-memory bus (which delivers at once): a
        // read's BEST_PRICEs go out at once. Not through Redis (a node waiting on a read is idle
        // too), nor in a feeds process.
        decidedAtOnce: config.bus.kind === 'in_memory' ? () => ctx.trading?.node.decidesAtOnce === true : undefined,
      });
      ctx.feed = feed;
      if (ctx.opts.mode === 'live') probe = probeVenue(ctx, tape.rest_url);
      await feed.start();
      ctx.universeListeners.add(follow);
      // A feeds process knows its shards' retired markets before this (read at daemon start) and
      // carries them no more; the all-in-one daemon's trading side retires without unsubscribing,
      // and a market it retired has left the universe (not taken up again by a restart).
      const carried = ctx.role === 'feeds' ? ctx.liveMarkets() : ctx.universe.markets;
      const tokens = carried.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
      if (tokens.length) await feed.subscribe(tokens);
    },
    stop: async () => {
      ctx.universeListeners.delete(follow);
      if (probe) clearInterval(probe);
      probe = null;
      await ctx.feed?.stop();
      ctx.feed = null;
    },
  };
}

/**
 * Live mode: whether the venue answers at all, asked at start and again every health interval
 * until it does (an unreachable venue is a source error: log, /health, run summary). Any HTTP
 * answer counts as reachable.
 */
function probeVenue(ctx: DaemonContext, restUrl: string): NodeJS.Timeout {
  const get = ctx.sourceErrors.fetchFor('market');
  let reached = false;
  const once = () => {
    if (reached) return;
    get(restUrl, { signal: AbortSignal.timeout(ctx.config.healthcheck.venue_timeout_ms) }).then(
      () => {
        reached = true;
        clearInterval(timer);
      },
      () => undefined,
    );
  };
  const timer = setInterval(once, ctx.config.daemon.health_interval_ms);
  timer.unref();
  once();
  return timer;
}
