import { VenueSimulator } from '../../../sim/venue/venue-simulator.ts';
import type { Component } from '../component.ts';
import type { DaemonContext } from '../context.ts';

/** The embedded venue simulator: the market feed connects to the URLs it publishes in the context. */
export function venueSimComponent(ctx: DaemonContext): Component {
  let venue: VenueSimulator | null = null;
  return {
    name: 'venue-sim',
    start: async () => {
      // Frames carry the daemon's time, so event_lag_ms{source="market"} measures the wire and the decoder.
      venue = new VenueSimulator({ seed: ctx.config.app.seed, markets: ctx.simVenue, now: () => ctx.clock.now() });
      const { wsUrl, restUrl } = await venue.start();
      ctx.venueUrls = { ws: wsUrl, rest: restUrl };
      venue.run(ctx.config.daemon.sim.venue_events_per_s);
    },
    stop: async () => {
      await venue?.stop();
      venue = null;
    },
  };
}
