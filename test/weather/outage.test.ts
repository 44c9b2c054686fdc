import { createActor } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { InlineNowcastEngine } from '../../src/actors/nowcast-engine.ts';
import { WorldFeed } from '../../src/runtime/world/world-feed.ts';
import { simulatorOptions, weatherOutagesBegun } from '../../src/sim/world/simulated-world.ts';
import { createSimulatedWorldLogic } from '../../src/actors/world-sources.actor.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { fitSimulatedModel } from '../../src/sim/world/sim-model.ts';
import { inOutage, outagesBegunBetween, WorldSimulator, type OutageSchedule } from '../../src/sim/world/world-sim.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { WeatherConfig } from '../../src/config/sections/weather.ts';
import { CollectingSink, EventFactory, ulidGenerator, type EventOf } from '../../src/domain/events/index.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { seededRng } from '../../src/domain/util/random.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BASE = Date.UTC(2025, 6, 4, 6, 0);

function weatherWith(overrides: Record<string, unknown>): WeatherConfig {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(overrides)) o[`weather.${k}`] = v;
  return loadConfig({ env: {}, overrides: o }).config.weather;
}

/** Start of the first outage window at or after `from` (found through `inOutage` alone). */
function firstOutageStart(o: OutageSchedule, from: number): number {
  let t = from;
  while (inOutage(o, t)) t += MIN;
  while (!inOutage(o, t)) t += MIN;
  let lo = t - MIN; // not in an outage
  let hi = t; // in one
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (inOutage(o, mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('outage schedule (pure)', () => {
  const every = 6 * HOUR;
  const length = 40 * MIN;
  const o: OutageSchedule = { seed: 1234, station: 'KLGA', outageEveryMs: every, outageMs: length };

  it('windows of outage_ms every outage_every_ms at a seeded phase, counted by their start', () => {
    const s = firstOutageStart(o, BASE);
    expect(inOutage(o, s - 1)).toBe(false);
    expect(inOutage(o, s)).toBe(true);
    expect(inOutage(o, s + length - 1)).toBe(true);
    expect(inOutage(o, s + length)).toBe(false);
    expect(firstOutageStart(o, s + 1)).toBe(s + every);
    expect(outagesBegunBetween(o, s, s + 1)).toBe(1);
    expect(outagesBegunBetween(o, s + 1, s + every)).toBe(0);
    expect(outagesBegunBetween(o, s - 1, s)).toBe(0);
    expect(outagesBegunBetween(o, s, s + 10 * every)).toBe(10);
    expect(outagesBegunBetween(o, s + 1, s + 10 * every + 1)).toBe(10);
    // Additive over any split; nothing in an empty range.
    const a = BASE + 12_345;
    const b = a + 3 * DAY + 777;
    expect(outagesBegunBetween(o, a, b)).toBe(outagesBegunBetween(o, a, a + DAY) + outagesBegunBetween(o, a + DAY, b));
    expect(outagesBegunBetween(o, b, a)).toBe(0);
    // Another station or seed has another phase; off when either length is 0.
    expect(firstOutageStart({ ...o, station: 'KJFK' }, BASE)).not.toBe(s);
    expect(outagesBegunBetween({ ...o, outageEveryMs: 0 }, a, b)).toBe(0);
    expect(outagesBegunBetween({ ...o, outageMs: 0 }, a, b)).toBe(0);
    expect(inOutage({ ...o, outageMs: 0 }, s)).toBe(false);
  });

  it('withholds METAR and PWS observed in a window, and nothing else', () => {
    const weather = weatherWith({ 'simulator.outage_every_ms': every, 'simulator.outage_ms': length });
    const station = weather.stations[0]!.id;
    const withOutage = new WorldSimulator(simulatorOptions(weather, 42, station));
    const without = new WorldSimulator({ ...simulatorOptions(weather, 42, station), outageEveryMs: 0 });
    const from = BASE;
    const to = BASE + 2 * DAY;
    const opts = simulatorOptions(weather, 42, station);
    const metars = without.metarsBetween(from, to);
    const pws = without.pwsBetween(from, to);
    expect(withOutage.metarsBetween(from, to)).toEqual(metars.filter((m) => !inOutage(opts, m.obsMs)));
    expect(withOutage.pwsBetween(from, to)).toEqual(pws.filter((p) => !inOutage(opts, p.obsMs)));
    // Something was withheld (2 days hold 8 windows of 40 minutes).
    expect(pws.some((p) => inOutage(opts, p.obsMs))).toBe(true);
    expect(weatherOutagesBegun(weather, 42, from, to)).toBe(8);
    expect(weatherOutagesBegun({ ...weather, metar: { ...weather.metar, source: 'awc' } }, 42, from, to)).toBe(0);
  });

  it('refuses an outage as long as its period', () => {
    expect(() => weatherWith({ 'simulator.outage_every_ms': 60_000, 'simulator.outage_ms': 60_000 })).toThrow(/outage_ms/);
  });
});

describe('a station outage on the virtual clock', () => {
  let model: NowcastModel;
  beforeAll(() => {
    const weather = loadConfig({ env: {} }).config.weather;
    model = fitSimulatedModel({ sim: simulatorOptions(weather, 42, weather.stations[0]!.id), fromMs: BASE - 60 * DAY, toMs: BASE - 2 * DAY, judgeDay: 'local' });
  }, 120_000);

  /** The world feed, inline nowcast and the simulated source, started two hours before the first outage. */
  function world(weather: WeatherConfig) {
    const station = weather.stations[0]!;
    const opts = simulatorOptions(weather, 42, station.id);
    const outageStart = firstOutageStart(opts, BASE);
    const clock = new VirtualClock(outageStart - 2 * HOUR);
    const sink = new CollectingSink();
    const events = new EventFactory(clock, ulidGenerator(seededRng(9)));
    const nowcast = new InlineNowcastEngine([{ id: station.id, tz: station.tz, judgeDay: 'local', model }], weather.nowcast.max_input_age_ms, () => clock.monotonicNow());
    const feed = new WorldFeed({ clock, sink, events, config: weather, nowcast });
    feed.start();
    const source = createActor(createSimulatedWorldLogic({ sims: [new WorldSimulator(opts)], feed, clock, stepMs: 60_000, metarDelayMs: 180_000, backfillMs: 36 * HOUR, withPws: true })).start();
    const nowcasts = () => sink.events.filter((e) => e.type === 'NOWCAST' && e.station_id === station.id) as unknown as EventOf<'NOWCAST'>[];
    const gateAt = (t: number) => nowcasts().filter((n) => n.ts_ingest <= t).at(-1)?.payload.qc_gate;
    const stop = () => {
      source.stop();
      feed.stop();
    };
    return { clock, feed, station, outageStart, nowcasts, gateAt, stop };
  }

  it('past metar_stale_after_ms the station QC goes stale and the gate closes; both recover after the outage', () => {
    // Default thresholds; a three-hour outage is longer than every one of them.
    const weather = weatherWith({ 'simulator.outage_every_ms': 12 * HOUR, 'simulator.outage_ms': 3 * HOUR });
    const w = world(weather);
    const s = w.outageStart;
    const end = s + 3 * HOUR;
    w.clock.advanceTo(s);
    expect(w.gateAt(s)).toBe('open');
    expect(w.feed.qc.state(w.station.id)).toBe('ok');

    // The last report before the outage is at most an hour old at its start: stale 90 min after it arrived.
    w.clock.advanceTo(s + 100 * MIN);
    expect(w.feed.qc.state(w.station.id)).toBe('stale');
    for (const p of w.station.pws) expect(w.feed.qc.state(p), p).toBe('stale');
    w.clock.advanceTo(end);
    const during = w.nowcasts().filter((n) => n.ts_ingest >= s + 100 * MIN && n.ts_ingest < end);
    expect(during.length).toBeGreaterThan(0);
    for (const n of during) expect(n.payload.qc_gate).toBe('closed');
    expect(during.at(-1)!.payload.qc_reason).toBe('station QC stale');

    // The first routine report after the outage arrives within about an hour; everything reopens.
    w.clock.advanceTo(end + 2 * HOUR);
    expect(w.feed.qc.state(w.station.id)).toBe('ok');
    expect(w.gateAt(end + 2 * HOUR)).toBe('open');
    w.stop();
  });

  it('with max_input_age_ms just above the METAR cadence, a one-hour outage closes the gate on input age', () => {
    // The recipe for a short soak at high speed: no SPECI, so the cadence is exactly hourly.
    const weather = weatherWith({
      'simulator.outage_every_ms': 6 * HOUR,
      'simulator.outage_ms': HOUR,
      'simulator.speci_per_hour': 0,
      'nowcast.max_input_age_ms': 70 * MIN,
    });
    const w = world(weather);
    const s = w.outageStart;
    w.clock.advanceTo(s);
    const before = w.nowcasts().filter((n) => n.ts_ingest >= s - HOUR && n.ts_ingest < s);
    expect(before.length).toBeGreaterThan(0);
    for (const n of before) expect(n.payload.qc_gate).toBe('open');

    w.clock.advanceTo(s + 2 * HOUR + 5 * MIN);
    const closed = w.nowcasts().filter((n) => n.ts_ingest >= s && n.payload.qc_gate === 'closed');
    expect(closed.length).toBeGreaterThan(0);
    expect(closed[0]!.payload.qc_reason).toMatch(/latest temperature \d+ min old/);
    // It closes while the outage lasts (the withheld report would have been due), and reopens with the next one.
    expect(closed[0]!.ts_ingest).toBeLessThan(s + HOUR + 15 * MIN);
    expect(w.gateAt(s + 2 * HOUR + 5 * MIN)).toBe('open');
    w.stop();
  });
});
