import { createActor, type AnyActorRef } from 'xstate';
import { createWorldRuntime, type WorldRuntime } from '../../../runtime/world/world-runtime.ts';
import { simulatedWorld } from '../../../sim/world/simulated-world.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/**
 * Live mode's METAR stations: those of the open judge days discovered (each a market's station)
 * and the always-polled ones, of the configured stations (the feed knows no other), sorted.
 */
export function liveMetarStations(ctx: Pick<DaemonContext, 'config' | 'universe'>): string[] {
  const configured = new Set(ctx.config.weather.stations.map((s) => s.id));
  const wanted = new Set([...ctx.config.weather.metar.always_poll, ...ctx.universe.layouts.filter((l) => l.judge_day !== null).map((l) => l.station_id)]);
  return [...wanted].filter((id) => configured.has(id)).sort();
}

/** Weather: METAR and PWS sources (simulated in sim mode) into the world feed and the nowcast. */
export function worldComponent(ctx: DaemonContext): Component {
  let world: WorldRuntime | null = null;
  let actors: AnyActorRef[] = [];
  let polled: readonly string[] = [];
  // A start under way when stop comes (the daemon stopping during start-up) is abandoned.
  let starting: AbortController | null = null;
  // Live mode: the nowcast is published over each discovered event's layout, one per station and
  // judge day, and METAR is polled for the stations of those layouts (plus weather.metar.always_poll).
  const follow = (change: UniverseChange) => {
    for (const l of change.layouts) world?.feed.setBuckets(l.station_id, l.buckets, l.judge_day);
    const next = liveMetarStations(ctx);
    const grew = next.some((id) => !polled.includes(id));
    if (next.join() !== polled.join()) ctx.log.info({ stations: next, before: polled }, 'live mode: METAR stations changed');
    polled = next;
    if (grew) for (const a of actors) a.send({ type: 'METAR_STATIONS_CHANGED' });
  };
  return {
    name: 'world',
    start: async () => {
      const weather = ctx.config.weather;
      // A live process never starts a simulator: its METARs come from AWC whatever the file says.
      const live = ctx.opts.mode === 'live' && weather.metar.source === 'simulator';
      if (live) ctx.log.info('live mode: METAR from aviationweather.gov (weather.metar.source simulator applies to sim mode)');
      starting = new AbortController();
      const signal = starting.signal;
      world = await createWorldRuntime({
        signal,
        config: live ? { ...weather, metar: { ...weather.metar, source: 'awc' } } : weather,
        fetch: ctx.sourceErrors.fetchFor('weather'),
        clock: ctx.clock,
        sink: ctx.sink,
        events: ctx.events('world'),
        secrets: ctx.opts.secrets,
        logger: ctx.log,
        simulated: simulatedWorld(ctx.config.weather, ctx.config.app.seed),
        // The configured cities' stations are priced over their discovered events' buckets only.
        awaitLayouts: ctx.opts.mode === 'live' ? ctx.config.discovery.temperature.cities.map((c) => c.station) : [],
        ...(ctx.opts.mode === 'live' ? { metarStations: () => polled } : {}),
      }).finally(() => {
        if (starting?.signal === signal) starting = null;
      });
      polled = liveMetarStations(ctx);
      for (const l of ctx.universe.layouts) world.feed.setBuckets(l.station_id, l.buckets, l.judge_day);
      ctx.universeListeners.add(follow);
      world.feed.start();
      actors = world.sources.map((s) => {
        const actor = createActor(s.logic, { clock: ctx.clock } as never);
        actor.subscribe({ error: (err) => ctx.reportError('world', err) });
        actor.start();
        return actor;
      });
    },
    stop: async () => {
      starting?.abort();
      starting = null;
      ctx.universeListeners.delete(follow);
      for (const a of actors) a.stop();
      actors = [];
      await world?.stop();
      world = null;
    },
  };
}
