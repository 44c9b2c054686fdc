import { createActor } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { InlineNowcastEngine } from '../../src/actors/nowcast-engine.ts';
import { WorldFeed } from '../../src/runtime/world/world-feed.ts';
import { simulatorOptions } from '../../src/sim/world/simulated-world.ts';
import { createSimulatedWorldLogic } from '../../src/actors/world-sources.actor.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';
import type { WeatherConfig } from '../../src/config/sections/weather.ts';
import { CollectingSink, EventFactory, heliosEventSchema, ulidGenerator, type EventOf, type HeliosEvent } from '../../src/domain/events/index.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { partitionProblem } from '../../src/domain/weather/nowcast/buckets.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { fittedWorld } from './support.ts';

const START = Date.UTC(2025, 6, 4, 13, 0);
let weather: WeatherConfig;
let model: NowcastModel;

beforeAll(() => {
  ({ weather, model } = fittedWorld(START));
}, 120_000);

function world(opts: { withSource?: boolean; startMs?: number } = {}) {
  const clock = new VirtualClock(opts.startMs ?? START);
  const sink = new CollectingSink();
  const events = new EventFactory(clock, ulidGenerator(seededRng(9)));
  const station = weather.stations[0]!;
  const nowcast = new InlineNowcastEngine([{ id: station.id, tz: station.tz, judgeDay: 'local', model }], weather.nowcast.max_input_age_ms, () => clock.monotonicNow());
  const feed = new WorldFeed({ clock, sink, events, config: weather, nowcast });
  const sim = new WorldSimulator(simulatorOptions(weather, 42, station.id));
  feed.start();
  const source = opts.withSource === false ? null : createActor(createSimulatedWorldLogic({ sims: [sim], feed, clock, stepMs: 60_000, metarDelayMs: 180_000, backfillMs: 36 * 3_600_000, withPws: true })).start();
  const of = <T extends HeliosEvent['type']>(type: T) => sink.events.filter((e) => e.type === type) as unknown as EventOf<T>[];
  return { clock, sink, feed, sim, source, of, station: station.id };
}

describe('world feed on the simulated world', () => {
  it('publishes METAR_OBS, PWS_CLUSTER, QC_STATE, FEATURES and NOWCAST with valid envelopes', () => {
    const w = world();
    w.clock.advanceBy(3 * 3_600_000);
    for (const type of ['METAR_OBS', 'PWS_CLUSTER', 'QC_STATE', 'FEATURES', 'NOWCAST'] as const) expect(w.of(type).length).toBeGreaterThan(0);
    for (const e of w.sink.events) expect(() => heliosEventSchema.parse(JSON.parse(JSON.stringify(e)))).not.toThrow();
    expect(w.of('FEATURES').filter((e) => e.station_id === w.station)).toHaveLength(180);
    // Every minute, plus every new observation.
    expect(w.of('NOWCAST').length).toBeGreaterThanOrEqual(180);
    w.source!.stop();
    w.feed.stop();
  });

  it('reports the PWS cluster within a step of start, not at the next bin boundary', () => {
    // Started a minute after a bin boundary: the next bin closes nine minutes later.
    const w = world({ startMs: START + 60_000 });
    w.clock.advanceBy(2 * 60_000);
    const clusters = w.of('PWS_CLUSTER').filter((e) => e.station_id === w.station);
    expect(clusters.length).toBe(1);
    expect(clusters[0]!.payload.bin_start_ms).toBe(START - weather.pws.bin_ms);
    expect(clusters[0]!.payload.support).toBeGreaterThan(0);
    w.source!.stop();
    w.feed.stop();
  });

  it('names the events each NOWCAST used, and its distribution respects the max so far', () => {
    const w = world();
    w.clock.advanceBy(2 * 3_600_000);
    const ids = new Set(w.sink.events.map((e) => e.event_id));
    const metars = new Map(w.of('METAR_OBS').map((e) => [e.event_id, e]));
    for (const n of w.of('NOWCAST')) {
      expect(n.payload.inputs.length).toBeGreaterThan(0);
      for (const id of n.payload.inputs) expect(ids.has(id)).toBe(true);
      expect(n.payload.inputs.some((id) => metars.has(id))).toBe(true);
      const total = n.payload.distribution.reduce((a, [, p]) => a + p, 0);
      expect(total).toBeCloseTo(1, 4);
      expect(n.payload.buckets.reduce((a, b) => a + b.p, 0)).toBeCloseTo(1, 4);
      expect(partitionProblem(n.payload.buckets)).toBeNull();
      if (n.payload.max_so_far_f !== null) expect(Math.min(...n.payload.distribution.map(([t]) => t))).toBeGreaterThanOrEqual(n.payload.max_so_far_f);
      expect(n.payload.peak_time_bins).toHaveLength(12);
    }
    // A nowcast triggered by an observation is caused by it and carries its correlation id.
    const caused = w.of('NOWCAST').filter((n) => n.causation_id && metars.has(n.causation_id));
    expect(caused.length).toBeGreaterThan(0);
    for (const n of caused) expect(n.correlation_id).toBe(metars.get(n.causation_id!)!.correlation_id);
    w.source!.stop();
    w.feed.stop();
  });

  it('reports feature staleness and closes the nowcast gate when METARs stop (station QC goes stale)', () => {
    const w = world();
    w.clock.advanceBy(60 * 60_000);
    const f = w.of('FEATURES').at(-1)!;
    expect(f.payload.staleness_ms.temp_f).toBeLessThan(65 * 60_000);
    expect(f.payload.staleness_ms.local_hour).toBe(0);
    w.source!.stop();
    w.clock.advanceBy(weather.qc.metar_stale_after_ms + 5 * 60_000);
    const qc = w.of('QC_STATE').filter((e) => e.station_id === w.station);
    expect(qc.at(-1)!.payload).toMatchObject({ state: 'stale', kind: 'metar', target_station: w.station });
    const last = w.of('NOWCAST').at(-1)!;
    expect(last.payload.qc_gate).toBe('closed');
    expect(last.payload.confidence).toBe(0);
    expect(w.of('FEATURES').at(-1)!.payload.staleness_ms.temp_f).toBeGreaterThan(weather.qc.metar_stale_after_ms);
    w.feed.stop();
  });

  it('replaces a report by its COR, and puts the faulty PWS out of the ok state', () => {
    const w = world();
    w.clock.advanceBy(6 * 3_600_000);
    const last = w.of('METAR_OBS').at(-1)!;
    const raw = last.payload.raw.replace(/^METAR /, 'METAR ').replace(/(\d{6}Z) /, '$1 COR ').replace(/ T0(\d{3})/, (_m, d: string) => ` T0${String(Number(d) + 11).padStart(3, '0')}`);
    const r = w.feed.ingestMetar(raw, w.clock.now());
    expect(r.status).toBe('replaced');
    const cor = w.of('METAR_OBS').at(-1)!;
    expect(cor.payload).toMatchObject({ corrected: true, replaced_earlier: true, obs_time_utc: last.payload.obs_time_utc });
    expect(w.feed.ingestMetar(last.payload.raw, w.clock.now()).status).toBe('ignored');

    const states = new Map<string, string>();
    for (const e of w.of('QC_STATE')) states.set(e.station_id!, e.payload.state);
    const faulty = weather.stations[0]!.pws.filter((id) => w.sim.roleOf(id) !== 'good');
    expect(faulty.length).toBeGreaterThan(0);
    const everNotOk = new Set(w.of('QC_STATE').filter((e) => e.payload.state !== 'ok' && e.payload.previous !== null).map((e) => e.station_id));
    for (const id of faulty) expect(everNotOk.has(id)).toBe(true);
    w.source!.stop();
    w.feed.stop();
  });
});
