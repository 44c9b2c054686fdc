import type { TimerHandle } from '../../../domain/time/clock.ts';
import type { SimMatchPlan } from '../../../sim/esports/simulator-plan.ts';
import { simMatchResolutions } from '../../../sim/sim-universe.ts';
import { VenueSimulator } from '../../../sim/venue/venue-simulator.ts';
import type { Component } from '../component.ts';
import type { DaemonContext } from '../context.ts';

/**
 * The embedded venue simulator: the market feed connects to the URLs it publishes in the context.
 * It resolves each esports market `daemon.sim.resolve_after_match_ms` after its match's planned end,
 * on the daemon's clock, from the plans the truth component runs (a truth restart plans afresh).
 */
export function venueSimComponent(ctx: DaemonContext): Component {
  let venue: VenueSimulator | null = null;
  // The venue's server is bound only once its listen returns: a stop meanwhile (the daemon stopping
  // during start-up) waits for it, or the server would be left listening and the order flow running.
  let listening: Promise<unknown> | null = null;
  let resolutionTimers: TimerHandle[] = [];
  const cancelResolutions = () => {
    for (const t of resolutionTimers) ctx.clock.clearTimeout(t);
    resolutionTimers = [];
  };
  const scheduleResolutions = (plans: readonly SimMatchPlan[]) => {
    cancelResolutions();
    const now = ctx.clock.now();
    for (const r of simMatchResolutions(ctx.universe.markets, plans, ctx.config.daemon.sim.resolve_after_match_ms)) {
      const resolve = () => {
        if (venue?.resolveMarket(r.market_id, r.winning_token)) ctx.log.info({ market_id: r.market_id, match_id: r.match_id, winning_token_id: r.winning_token }, 'simulated venue: market resolved');
      };
      resolutionTimers.push(ctx.clock.setTimeout(resolve, Math.max(0, r.at_ms - now)));
    }
  };
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
      // The truth component starts after this one; a venue restarted under a running one takes its plans.
      ctx.truthPlansListeners.add(scheduleResolutions);
      const life = ctx.truthPlans.at(-1);
      if (life && life.to === null) scheduleResolutions(life.plans);
    },
    stop: async () => {
      ctx.truthPlansListeners.delete(scheduleResolutions);
      cancelResolutions();
      const stopping = venue;
      const started = listening;
      venue = null;
      listening = null;
      await started?.catch(() => undefined);
      await stopping?.stop();
    },
  };
}
