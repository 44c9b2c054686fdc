import { createActor, type AnyActorRef } from 'xstate';
import { createWorldRuntime, type WorldRuntime } from '../../../runtime/world/world-runtime.ts';
import { simulatedWorld } from '../../../sim/world/simulated-world.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/** Weather: METAR and PWS sources (simulated in sim mode) into the world feed and the nowcast. */
export function worldComponent(ctx: DaemonContext): Component {
  let world: WorldRuntime | null = null;
  let actors: AnyActorRef[] = [];
  // Live mode: the nowcast is published over each discovered event's layout, one per station and judge day.
  const follow = (change: UniverseChange) => {
    for (const l of change.layouts) world?.feed.setBuckets(l.station_id, l.buckets, l.judge_day);
  };
  return {
    name: 'world',
    start: async () => {
      const weather = ctx.config.weather;
      // A live process never starts a simulator: its METARs come from AWC whatever the file says.
      const live = ctx.opts.mode === 'live' && weather.metar.source === 'simulator';
      if (live) ctx.log.info('live mode: METAR from aviationweather.gov (weather.metar.source simulator applies to sim mode)');
      world = await createWorldRuntime({
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
      });
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
      ctx.universeListeners.delete(follow);
      for (const a of actors) a.stop();
      actors = [];
      await world?.stop();
      world = null;
    },
  };
}
