import type { TimerHandle } from '../../../domain/time/clock.ts';
import { nextDay } from '../../../domain/weather/judge-calendar.ts';
import { simJudgeCalendar, simListedAtMs, simWeatherDay } from '../../../sim/weather-days.ts';
import type { Component } from '../component.ts';
import type { DaemonContext } from '../context.ts';

/**
 * Sim mode with the embedded venue: the first station's judge days come and go as a venue lists
 * them. Each next day's buckets are listed `daemon.sim.weather_list_ahead_ms` before the day starts
 * on the station's judge clock, as new dated markets: the venue serves them, then they enter the
 * universe and their MARKET_DISCOVERED goes on the bus, as live discovery's do. A day's layout
 * leaves the universe (no more nowcast over it) `daemon.sim.resolve_after_day_ms` after the day
 * ends, when the venue resolves its buckets (components/venue-sim.ts). Every role runs it: a
 * trading shard follows the same days off the shared timeline, the venue being in the feeds process.
 */
export function simWeatherDaysComponent(ctx: DaemonContext): Component {
  let timers: TimerHandle[] = [];
  const events = ctx.events('sim-weather-days');
  const log = ctx.log.child({ component: 'sim-weather-days' });
  return {
    name: 'sim-weather-days',
    start: async () => {
      const listing = ctx.simWeather;
      if (!listing) return;
      const afterMs = ctx.config.daemon.sim.resolve_after_day_ms;
      const calendar = simJudgeCalendar(ctx.config, listing.station_id);
      const datedDays = () => ctx.universe.layouts.filter((l) => l.station_id === listing.station_id && l.judge_day !== null).map((l) => l.judge_day!);
      // The latest day listed; once every listed day has left, the current one counts as listed.
      let last = datedDays().sort().at(-1) ?? calendar.dayOf(ctx.clock.now());
      const at = (ms: number, run: () => void) => {
        const timer: TimerHandle = ctx.clock.setTimeout(() => {
          timers = timers.filter((t) => t !== timer);
          run();
        }, Math.max(0, ms - ctx.clock.now()));
        timers.push(timer);
      };
      const unlistAfterItEnds = (day: string) =>
        at(calendar.dayEndMs(day) + afterMs, () => ctx.changeUniverse({ added: [], matches: [], layouts: [{ station_id: listing.station_id, judge_day: day, buckets: null }], retired: [] }));
      const listNext = (): void => {
        const day = nextDay(last);
        const listAt = simListedAtMs(ctx.config, listing.station_id, day);
        if (listAt > ctx.clock.now()) {
          at(listAt, listNext);
          return;
        }
        const { layout, markets } = simWeatherDay(ctx.config, listing, day);
        const venue = markets.map((m) => m.venue);
        // The venue first, so the feed's subscribe finds the books; a venue started later serves them too.
        ctx.simVenue.push(...venue);
        ctx.simVenueLists?.(venue);
        last = day;
        ctx.enterUniverse({ added: markets.map(({ venue: _venue, ...m }) => m), matches: [], layouts: [{ station_id: layout.station_id, judge_day: day, buckets: layout.buckets }], retired: [] }, events, 'sim-weather-days');
        log.info({ station_id: listing.station_id, judge_day: day, markets: markets.map((m) => m.spec.market_id), buckets: markets.map((m) => (m.spec.fair_source.kind === 'nowcast' ? m.spec.fair_source.bucket_label : null)) }, 'simulated venue: judge day listed');
        unlistAfterItEnds(day);
        listNext();
      };
      for (const day of datedDays()) unlistAfterItEnds(day);
      listNext();
    },
    stop: async () => {
      for (const t of timers) ctx.clock.clearTimeout(t);
      timers = [];
    },
  };
}
