import { describe, expect, it } from 'vitest';
import { ReplayEngine } from '../../src/runtime/replay/engine.ts';
import { ArrayReplaySource } from '../../src/domain/replay/source.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import type { ReplayRecord } from '../../src/domain/replay/order.ts';
import { syntheticEvents, T0 } from '../storage/support/synthetic.ts';
import { FakePacer as StepPacer } from '../storage/support/fake-pacer.ts';


/** A book every second for 15 s (both tokens), a METAR at 12 s. */
function records(): ReplayRecord[] {
  return syntheticEvents({ start: T0, durationMs: 15_000, metarAtMs: [12_000] }).map((e, i) => ({ ts: e.ts_ingest, seq: i, event: e }));
}

async function settled(engine: ReplayEngine, state: string): Promise<void> {
  for (let i = 0; i < 10_000 && engine.status().state !== state; i++) await new Promise((r) => setImmediate(r));
  expect(engine.status().state).toBe(state);
}

describe('replay pause-at (the end of a range chosen inside the replay)', () => {
  for (const speed of [10, Infinity]) {
    it(`playing at ${speed}× stops exactly at the pause point: events before it, none at or after, clock on it; play goes on past it`, async () => {
      const all = records();
      const sink = new CollectingSink();
      const pacer = new StepPacer();
      const engine = new ReplayEngine({ source: new ArrayReplaySource(all), sink, from: T0, to: T0 + 15_000, speed, pacer });
      // 4 s exactly is an event's instant: the range's end is exclusive, like `to`.
      const end = T0 + 4_000;
      expect(all.some((r) => r.ts === end)).toBe(true);
      engine.pauseAt(end);
      const done = engine.play();
      await settled(engine, 'paused');
      expect(engine.status()).toMatchObject({ state: 'paused', now: end, pause_at: end });
      expect(engine.clock.now()).toBe(end);
      const before = all.filter((r) => r.ts < end).length;
      expect(sink.events).toHaveLength(before);
      expect(sink.events.every((e) => e.ts_ingest < end)).toBe(true);
      if (Number.isFinite(speed)) expect(pacer.now()).toBe((end - T0) / speed);
      // Held there: nothing more comes while paused.
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      expect(sink.events).toHaveLength(before);
      // Play at the pause point continues to the end of the replay.
      void engine.play();
      const summary = await done;
      expect(summary.emitted).toBe(all.length);
      expect(engine.status()).toMatchObject({ state: 'ended', pause_at: null });
    });
  }

  it('a pause point in a gap between records stops there, not at the next record; after a backward seek it still holds', async () => {
    const all = records().filter((r) => r.ts < T0 + 5_000 || r.ts >= T0 + 12_000);
    const sink = new CollectingSink();
    const engine = new ReplayEngine({ source: new ArrayReplaySource(all), sink, from: T0, to: T0 + 15_000, speed: 10, pacer: new StepPacer() });
    engine.pauseAt(T0 + 8_250);
    void engine.play();
    await settled(engine, 'paused');
    expect(engine.status()).toMatchObject({ now: T0 + 8_250, emitted: all.filter((r) => r.ts < T0 + 5_000).length });
    // Choosing the range again from its start: a backward seek restarts, playing pauses at the same point.
    await engine.seek(T0 + 2_000);
    expect(engine.status()).toMatchObject({ state: 'paused', now: T0 + 2_000 });
    void engine.play();
    await settled(engine, 'paused');
    expect(engine.status().now).toBe(T0 + 8_250);
    engine.pauseAt(null);
    expect(engine.status().pause_at).toBeNull();
    engine.stop();
  });
});
