import { createDesiredSet } from '../../../adapters/subscriptions/create-desired-set.ts';
import { MarketFeed } from '../../../runtime/market-tape/market-feed.ts';
import type { Component } from '../component.ts';
import type { DaemonContext } from '../context.ts';

/** The market tape: venue WebSocket and REST into the bus, subscribed to the universe's tokens. */
export function marketFeedComponent(ctx: DaemonContext, embeddedVenue: boolean): Component {
  return {
    name: 'market-feed',
    after: embeddedVenue ? ['venue-sim'] : [],
    start: async () => {
      const { config } = ctx;
      const tape = embeddedVenue ? { ...config.market_tape, ws_url: ctx.venueUrls!.ws, rest_url: ctx.venueUrls!.rest } : config.market_tape;
      const feed = new MarketFeed({
        config: tape,
        clock: ctx.clock,
        seed: config.app.seed,
        sink: ctx.sink,
        events: ctx.events('market-feed'),
        desired: createDesiredSet({ ...tape.desired_set, kind: 'in_memory' }, null),
        logger: ctx.log,
      });
      ctx.feed = feed;
      await feed.start();
      const tokens = ctx.universe.markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]);
      if (tokens.length) await feed.subscribe(tokens);
    },
    stop: async () => {
      await ctx.feed?.stop();
      ctx.feed = null;
    },
  };
}
