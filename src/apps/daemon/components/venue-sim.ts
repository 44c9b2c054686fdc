import type { TimerHandle } from '../../../domain/time/clock.ts';
import type { SimMatchPlan } from '../../../sim/esports/simulator-plan.ts';
import { simMatchResolutions } from '../../../sim/sim-universe.ts';
import { VenueSimulator } from '../../../sim/venue/venue-simulator.ts';
import { CROWD_STEP_MS, CrowdBeliefs } from '../../../sim/venue/crowd-beliefs.ts';
import type { EventSink } from '../../../domain/events/sink.ts';
import { hash32, seededRng } from '../../../domain/util/random.ts';
import { settledToken, simJudgeCalendar, simSettledHighF } from '../../../sim/weather-days.ts';
import type { BucketLayout, UniverseMarket } from '../../../domain/trading/universe.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/**
 * The embedded venue simulator: the market feed connects to the URLs it publishes in the context.
 * It resolves each esports market `daemon.sim.resolve_after_match_ms` after its match's planned end,
 * on the daemon's clock, from the plans the truth component runs (a truth restart plans the start's
 * matches afresh) and those of the later match rounds (components/sim-match-rounds.ts), and
 * each dated judge day's bucket markets `daemon.sim.resolve_after_day_ms` after the day ends, to
 * whether each bucket holds the day's settled high. It lists the days' markets as they come
 * (components/sim-weather-days.ts). Its crowd (`daemon.sim.crowd_follows_model`) hears the model
 * the daemon publishes and moves the venue's prices toward it, late and with a bias.
 */
export function venueSimComponent(ctx: DaemonContext): Component {
  let venue: VenueSimulator | null = null;
  // The venue's server is bound only once its listen returns: a stop meanwhile (the daemon stopping
  // during start-up) waits for it, or the server would be left listening and the order flow running.
  let listening: Promise<unknown> | null = null;
  let resolutionTimers: TimerHandle[] = [];
  /**
   * Resolves a market at the running venue and records it in the context, so a venue started again
   * keeps it resolved (its book closed, no order flow) instead of serving it open. False when it had
   * resolved already.
   */
  const resolveAtVenue = (marketId: string, winningToken: string): boolean => {
    if (!venue?.resolveMarket(marketId, winningToken)) return false;
    ctx.simVenueResolutions.set(marketId, winningToken);
    return true;
  };
  const cancelResolutions = () => {
    for (const t of resolutionTimers) ctx.clock.clearTimeout(t);
    resolutionTimers = [];
  };
  /** The start's matches as the running truth component planned them; the later rounds' are the context's. */
  let startPlans: readonly SimMatchPlan[] = [];
  const scheduleResolutions = () => {
    cancelResolutions();
    const now = ctx.clock.now();
    const plans = [...startPlans, ...ctx.simRoundPlans.values()];
    for (const r of simMatchResolutions(ctx.universe.markets, plans, ctx.config.daemon.sim.resolve_after_match_ms)) {
      const resolve = () => {
        if (resolveAtVenue(r.market_id, r.winning_token)) ctx.log.info({ market_id: r.market_id, match_id: r.match_id, winning_token_id: r.winning_token }, 'simulated venue: market resolved');
      };
      resolutionTimers.push(ctx.clock.setTimeout(resolve, Math.max(0, r.at_ms - now)));
    }
  };
  let dayTimers = new Map<string, TimerHandle>();
  const cancelDays = () => {
    for (const t of dayTimers.values()) ctx.clock.clearTimeout(t);
    dayTimers = new Map();
  };
  const scheduleDays = (layouts: readonly BucketLayout[]) => {
    const listing = ctx.simWeather;
    for (const layout of layouts) {
      const day = layout.judge_day;
      if (!listing || layout.station_id !== listing.station_id || day === null || dayTimers.has(day)) continue;
      const endMs = simJudgeCalendar(ctx.config, listing.station_id).dayEndMs(day);
      const resolveDay = () => {
        dayTimers.delete(day);
        const highF = simSettledHighF(ctx.config, listing.station_id, day);
        if (highF === null) {
          ctx.log.error({ station_id: listing.station_id, judge_day: day }, 'simulated venue: the judge day has no METAR temperature, its buckets are not resolved');
          return;
        }
        for (const m of ctx.universe.markets) {
          const fs = m.spec.fair_source;
          const bucket = fs.kind === 'nowcast' && fs.judge_day === day && m.station_id === listing.station_id ? layout.buckets.find((b) => b.label === fs.bucket_label) : undefined;
          if (!bucket) continue;
          const winning = settledToken(bucket, m.spec, highF);
          if (resolveAtVenue(m.spec.market_id, winning)) ctx.log.info({ market_id: m.spec.market_id, judge_day: day, bucket: bucket.label, settled_high_f: highF, winning_token_id: winning }, 'simulated venue: bucket market resolved');
        }
      };
      dayTimers.set(day, ctx.clock.setTimeout(resolveDay, Math.max(0, endMs + ctx.config.daemon.sim.resolve_after_day_ms - ctx.clock.now())));
    }
  };
  let crowd: CrowdBeliefs | null = null;
  let crowdTimer: TimerHandle | null = null;
  const hearModel: EventSink = { emit: (event) => crowd?.observe(event) };
  const trackCrowd = (markets: readonly UniverseMarket[]) => {
    for (const m of markets) if (m.spec.fair_source.kind !== 'none' && venue) crowd?.track(m, venue.fairValue(m.spec.yes_token));
  };
  const stepCrowd = () => {
    crowdTimer = ctx.clock.setTimeout(stepCrowd, CROWD_STEP_MS);
    const v = venue;
    if (!crowd || !v) return;
    for (const b of crowd.step()) {
      // A resolved market's book is closed: its crowd has nothing left to price.
      if (v.isResolved(b.yes_token)) crowd.untrack(b.market_id);
      else v.setFairValue(b.yes_token, b.belief);
    }
  };
  const followTruthPlans = (plans: readonly SimMatchPlan[]) => {
    startPlans = plans;
    scheduleResolutions();
  };
  // The layout of a day leaves the universe when the day resolves: what the timer holds is enough.
  const followUniverse = (change: UniverseChange) => {
    scheduleDays(change.layouts.filter((l) => l.buckets !== null) as BucketLayout[]);
    if (change.matches.length > 0) scheduleResolutions();
    trackCrowd(change.added);
    for (const m of change.retired) crowd?.untrack(m.spec.market_id);
  };
  return {
    name: 'venue-sim',
    start: async () => {
      // Frames carry the daemon's time, so event_lag_ms{source="market"} measures the wire and the decoder.
      // A market retired on the trading side is settled for good: a restarted venue no longer serves it.
      const served = ctx.simVenue.filter((v) => !ctx.retiredMarkets.has(v.market));
      const mine = new VenueSimulator({ seed: ctx.config.app.seed, markets: served, now: () => ctx.clock.now() });
      // What an earlier life resolved stays resolved; a retired market's record is needed no more.
      for (const [marketId, winningToken] of [...ctx.simVenueResolutions]) {
        if (ctx.retiredMarkets.has(marketId)) ctx.simVenueResolutions.delete(marketId);
        else mine.resolveMarket(marketId, winningToken);
      }
      venue = mine;
      const starting = mine.start();
      listening = starting;
      const { wsUrl, restUrl } = await starting;
      if (venue !== mine) return; // stopped while it started
      ctx.venueUrls = { ws: wsUrl, rest: restUrl };
      mine.run(ctx.config.daemon.sim.venue_events_per_s);
      ctx.simVenueLists = (specs) => mine.listMarkets(specs);
      if (ctx.config.daemon.sim.crowd_follows_model) {
        crowd = new CrowdBeliefs(seededRng(ctx.config.app.seed ^ hash32('venue-sim:crowd')));
        trackCrowd(ctx.universe.markets.filter((m) => !ctx.retiredMarkets.has(m.spec.market_id)));
        ctx.sink.add(hearModel);
        crowdTimer = ctx.clock.setTimeout(stepCrowd, CROWD_STEP_MS);
      }
      ctx.universeListeners.add(followUniverse);
      scheduleDays(ctx.universe.layouts);
      // The truth component starts after this one; a venue restarted under a running one takes its plans.
      ctx.truthPlansListeners.add(followTruthPlans);
      const life = ctx.truthPlans.at(-1);
      startPlans = life && life.to === null ? life.plans : [];
      scheduleResolutions();
    },
    stop: async () => {
      ctx.truthPlansListeners.delete(followTruthPlans);
      ctx.universeListeners.delete(followUniverse);
      ctx.simVenueLists = null;
      ctx.sink?.remove(hearModel);
      if (crowdTimer) ctx.clock.clearTimeout(crowdTimer);
      crowdTimer = null;
      crowd = null;
      cancelResolutions();
      cancelDays();
      const stopping = venue;
      const started = listening;
      venue = null;
      listening = null;
      await started?.catch(() => undefined);
      await stopping?.stop();
    },
  };
}
