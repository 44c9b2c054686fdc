import { createActor } from 'xstate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { liveMetarStations } from '../../src/apps/daemon/components/world.ts';
import { loadConfig } from '../../src/config/load.ts';
import { CollectingSink, EventFactory, ulidGenerator } from '../../src/domain/events/index.ts';
import type { Universe } from '../../src/domain/trading/universe.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { defaultBuckets } from '../../src/domain/weather/nowcast/buckets.ts';
import { createWorldRuntime, type WorldRuntime } from '../../src/runtime/world/world-runtime.ts';
import { json, startLoopback, type Loopback } from '../truth/loopback.ts';

/**
 * Live mode polls METAR only for the stations discovered markets need (their open judge days'
 * layouts) plus `weather.metar.always_poll`, and follows the operating set as it changes.
 */
const T = Date.UTC(2026, 7, 20, 14);
let lb: Loopback | undefined;
let world: WorldRuntime | undefined;
afterEach(async () => {
  await world?.stop();
  await lb?.close();
  world = lb = undefined;
});

function twoStations() {
  const { config } = loadConfig({ env: {} });
  const klga = config.weather.stations[0]!;
  return { ...config, weather: { ...config.weather, stations: [klga, { ...klga, id: 'KORD', tz: 'America/Chicago', pws: [] }] } };
}

describe('live METAR stations follow the operating set', () => {
  it('are the stations of the open judge days discovered, plus the always-polled ones, of the configured stations', () => {
    const config = twoStations();
    const universe: Universe = { markets: [], layouts: [] };
    expect(liveMetarStations({ config, universe })).toEqual([]);
    universe.layouts.push({ station_id: 'KORD', judge_day: '2026-08-20', buckets: defaultBuckets(80) }, { station_id: 'KORD', judge_day: '2026-08-21', buckets: defaultBuckets(80) });
    expect(liveMetarStations({ config, universe })).toEqual(['KORD']);
    // A station no configuration names has no time zone, hence no feed: never polled.
    universe.layouts.push({ station_id: 'KXYZ', judge_day: '2026-08-20', buckets: defaultBuckets(80) });
    const always = { ...config, weather: { ...config.weather, metar: { ...config.weather.metar, always_poll: ['KLGA'] } } };
    expect(liveMetarStations({ config: always, universe })).toEqual(['KLGA', 'KORD']);
  });

  it('refuses an always-polled station that is not configured', () => {
    expect(() => loadConfig({ env: {}, overrides: { 'weather.metar.always_poll': ['KXYZ'] } })).toThrow(/always_poll/);
  });

  it('asks aviationweather.gov for the stations needed at each poll, and nothing while none is', async () => {
    lb = await startLoopback((_req, _b, res) => json(res, []));
    const config = twoStations();
    const weather = { ...config.weather, metar: { ...config.weather.metar, source: 'awc' as const, awc_base_url: lb.http, cache_ttl_ms: 0, min_request_interval_ms: 0, request_timeout_ms: 10 * config.weather.metar.poll_interval_ms }, nowcast: { ...config.weather.nowcast, enabled: false }, pws: { ...config.weather.pws, source: 'wu' as const } };
    const clock = new VirtualClock(T);
    let needed: string[] = [];
    world = await createWorldRuntime({ config: weather, clock, sink: new CollectingSink(), events: new EventFactory(clock, ulidGenerator(seededRng(1))), secrets: {}, nowcastMode: 'inline', metarStations: () => needed });
    const awc = world.sources.find((s) => s.id === 'world:awc')!;
    const actor = createActor(awc.logic, { clock } as never).start();
    const asked = () => lb!.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('ids'));
    // The request timeout runs on the virtual clock: one shorter than the test's advances could time
    // out a request whose answer is still on its way (the server has it, the client not yet), and the
    // client's back-off would then skip the next poll.
    await clock.advanceSettling(T + weather.metar.poll_interval_ms);
    expect(asked()).toEqual([]);
    // A station just needed is asked for at once, not at the next interval.
    needed = ['KORD'];
    actor.send({ type: 'METAR_STATIONS_CHANGED' });
    await vi.waitFor(() => expect(asked()).toEqual(['KORD']));
    needed = ['KLGA', 'KORD'];
    await clock.advanceSettling(T + 2 * weather.metar.poll_interval_ms);
    await vi.waitFor(() => expect(asked()).toEqual(['KORD', 'KLGA,KORD']));
    needed = [];
    await clock.advanceSettling(T + 4 * weather.metar.poll_interval_ms);
    expect(asked()).toHaveLength(2);
    actor.stop();
  });
});
