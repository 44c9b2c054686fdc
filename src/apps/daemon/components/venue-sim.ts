import { VenueSimulator } from '../../../sim/venue/venue-simulator.ts';
import type { Component } from '../component.ts';
import type { DaemonContext } from '../context.ts';

/** The embedded venue simulator: the market feed connects to the URLs it publishes in the context. */
export function venueSimComponent(ctx: DaemonContext): Component {
  let venue: VenueSimulator | null = null;
  // The venue's server is bound only once its listen returns: a stop meanwhile (the daemon stopping
  // during start-up) waits for it, or the server would be left listening and the order flow running.
  let listening: Promise<unknown> | null = null;
  return {
    name: 'venue-sim',
    start: async () => {
      // Frames carry the daemon's time, so event_lag_ms{source="market"} measures the wire and the decoder.
      const mine = new VenueSimulator({ seed: ctx.config.app.seed, markets: ctx.simVenue, now: () => ctx.clock.now() });
      venue = mine;
      const starting = mine.start();
      listening = starting;
      const { wsUrl, restUrl } = await starting;
      if (venue !== mine) return; // stopped while it started
      ctx.venueUrls = { ws: wsUrl, rest: restUrl };
      mine.run(ctx.config.daemon.sim.venue_events_per_s);
    },
    stop: async () => {
      const stopping = venue;
      const started = listening;
      venue = null;
      listening = null;
      await started?.catch(() => undefined);
      await stopping?.stop();
    },
  };
}
