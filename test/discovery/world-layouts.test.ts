import { createActor } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { InlineNowcastEngine, type NowcastEngine, type NowcastResult, type RecomputeRequest } from '../../src/actors/nowcast-engine.ts';
import { createSimulatedWorldLogic } from '../../src/actors/world-sources.actor.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { WeatherConfig } from '../../src/config/sections/weather.ts';
import { CollectingSink, EventFactory, ulidGenerator, type EventOf } from '../../src/domain/events/index.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { JudgeCalendar, nextDay } from '../../src/domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { defaultBuckets } from '../../src/domain/weather/nowcast/buckets.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { WorldFeed } from '../../src/runtime/world/world-feed.ts';
import { simulatorOptions } from '../../src/sim/world/simulated-world.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';
import { fittedWorld } from '../weather/support.ts';

/**
 * Live mode's nowcast per station AND judge day: each open judge day of a discovered event gets its
 * own NOWCAST over its own buckets (a later day's is the start-of-day forecast), and a station
 * whose layouts come from discovery never publishes over self-centred buckets.
 */
const START = Date.UTC(2025, 6, 4, 13, 0);
let weather: WeatherConfig;
let model: NowcastModel;

beforeAll(() => {
  ({ weather, model } = fittedWorld(START));
}, 120_000);

/** Holds recomputes until released: a worker thread's answer that arrives after the layout changed. */
class HeldEngine implements NowcastEngine {
  readonly held: Array<{ stationId: string; req: RecomputeRequest }> = [];
  constructor(private readonly inner: InlineNowcastEngine) {}
  addReport(stationId: string, report: MetarReport): void {
    this.inner.addReport(stationId, report);
  }
  recompute(stationId: string, req: RecomputeRequest): void {
    this.held.push({ stationId, req });
  }
  release(): void {
    for (const h of this.held.splice(0)) this.inner.recompute(h.stationId, h.req);
  }
  onResult(listener: (r: NowcastResult) => void): void {
    this.inner.onResult(listener);
  }
  async stop(): Promise<void> {}
}

function world(held = false) {
  const clock = new VirtualClock(START);
  const sink = new CollectingSink();
  const events = new EventFactory(clock, ulidGenerator(seededRng(9)));
  const station = weather.stations[0]!;
  const inline = new InlineNowcastEngine([{ id: station.id, tz: station.tz, judgeDay: 'local', model }], weather.nowcast.max_input_age_ms, () => clock.monotonicNow());
  const engine = held ? new HeldEngine(inline) : inline;
  const feed = new WorldFeed({ clock, sink, events, config: weather, nowcast: engine, awaitLayouts: [station.id] });
  feed.start();
  const source = createActor(createSimulatedWorldLogic({ sims: [new WorldSimulator(simulatorOptions(weather, 42, station.id))], feed, clock, stepMs: 60_000, metarDelayMs: 180_000, backfillMs: 36 * 3_600_000, withPws: false })).start();
  const nowcasts = () => sink.events.filter((e) => e.type === 'NOWCAST') as unknown as Array<EventOf<'NOWCAST'>>;
  const today = new JudgeCalendar(station.tz, 'local').dayOf(START);
  const stop = () => {
    source.stop();
    feed.stop();
  };
  return { clock, feed, engine, nowcasts, station: station.id, today, tomorrow: nextDay(today), stop };
}

const labels = (n: EventOf<'NOWCAST'>) => n.payload.buckets.map((b) => b.label);

describe('the nowcast per station and judge day', () => {
  it('publishes nothing self-centred for a station awaiting its layout, then one NOWCAST per open judge day over its own buckets', () => {
    const w = world();
    w.clock.advanceBy(30 * 60_000);
    expect(w.nowcasts()).toEqual([]);
    const todays = defaultBuckets(80);
    const tomorrows = defaultBuckets(70);
    w.feed.setBuckets(w.station, todays, w.today);
    w.feed.setBuckets(w.station, tomorrows, w.tomorrow);
    w.clock.advanceBy(30 * 60_000);
    const published = w.nowcasts();
    const byDay = new Map<string, Array<EventOf<'NOWCAST'>>>();
    for (const n of published) byDay.set(n.payload.judge_day, [...(byDay.get(n.payload.judge_day) ?? []), n]);
    expect([...byDay.keys()].sort()).toEqual([w.today, w.tomorrow]);
    for (const n of byDay.get(w.today)!) expect(labels(n)).toEqual(todays.map((b) => b.label));
    for (const n of byDay.get(w.tomorrow)!) expect(labels(n)).toEqual(tomorrows.map((b) => b.label));
    // Every round covers both days: as many of one as of the other.
    expect(byDay.get(w.today)!.length).toBe(byDay.get(w.tomorrow)!.length);
    // Tomorrow's is a forecast from its start: nothing observed of it yet.
    for (const n of byDay.get(w.tomorrow)!) expect(n.payload.max_so_far_f).toBeNull();

    // Today's event resolved: only tomorrow's is published from now on.
    w.feed.setBuckets(w.station, null, w.today);
    const before = published.length;
    w.clock.advanceBy(10 * 60_000);
    const after = w.nowcasts().slice(before);
    expect(after.length).toBeGreaterThan(0);
    for (const n of after) expect(n.payload.judge_day).toBe(w.tomorrow);
    w.stop();
  });

  it('drops an answer asked over a layout since replaced, and asks again over the new one', () => {
    const w = world(true);
    const todays = defaultBuckets(80);
    w.feed.setBuckets(w.station, defaultBuckets(60), w.today);
    w.clock.advanceBy(5 * 60_000);
    expect((w.engine as HeldEngine).held.length).toBeGreaterThan(0);
    // Discovery moves on while the old request is out.
    w.feed.setBuckets(w.station, todays, w.today);
    (w.engine as HeldEngine).release();
    expect(w.nowcasts()).toEqual([]);
    (w.engine as HeldEngine).release();
    const published = w.nowcasts();
    expect(published.length).toBeGreaterThan(0);
    for (const n of published) expect(labels(n)).toEqual(todays.map((b) => b.label));
    w.stop();
  });
});
