import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ReplayEngine } from '../../src/runtime/replay/engine.ts';
import { JournalReplaySource } from '../../src/adapters/storage/replay/journal-source.ts';
import { ParquetReplaySource } from '../../src/adapters/storage/replay/parquet-source.ts';
import { ArrayReplaySource, type ReplaySource } from '../../src/domain/replay/source.ts';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { CollectingSink, type EventSink } from '../../src/domain/events/sink.ts';
import { mergeReplayStreams, sortReplayRecords, type ReplayRecord } from '../../src/domain/replay/order.ts';
import type { Clock } from '../../src/domain/time/clock.ts';
import { serializeEnvelope } from '../../src/domain/util/stable-json.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { FakePacer } from './support/fake-pacer.ts';
import { syntheticEvents, T0 } from './support/synthetic.ts';

const DUCK = { threads: 1, memory_limit: '512MB' };
const FROM = T0 - 60_000;
const TO = T0 + 120_000;

let dir: string;
let cleanup: () => void;
let emitted: HeliosEvent[];

/** Two journal hours with a METAR window, a shock window and deltas; compacted to Parquet too. */
beforeAll(async () => {
  ({ dir, cleanup } = tempDataDir('helios-replay-'));
  emitted = syntheticEvents({ start: FROM, durationMs: 150_000, metarAtMs: [40_000], shockAtMs: 100_000, deltaEveryMs: 2000 });
  const { recorder } = makeRecorder(dir);
  for (const e of emitted) recorder.emit(e);
  await recorder.close();
  await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: DUCK });
});
afterAll(() => cleanup());

async function replayAll(source: ReplaySource, opts: { from?: number; to?: number; sink?: EventSink } = {}) {
  const sink = opts.sink ?? new CollectingSink();
  const engine = new ReplayEngine({ source, sink, from: opts.from ?? FROM, to: opts.to ?? TO + 60_000, speed: Infinity });
  const summary = await engine.play();
  return { sink: sink as CollectingSink, summary, engine };
}

describe('replay order', () => {
  it('merges channels by (timestamp, sequence): live emission order comes back exactly, window events in place', async () => {
    const { sink, summary } = await replayAll(new JournalReplaySource(dir));
    const nonWindow = sink.events.filter((e) => e.ch !== 'window');
    const recordedDeltas = new Set(sink.events.filter((e) => e.ch === 'l2_delta').map((e) => e.event_id));
    // Deltas outside windows were never recorded; everything else comes back in live order, unchanged.
    expect(nonWindow).toEqual(emitted.filter((e) => e.ch !== 'l2_delta' || recordedDeltas.has(e.event_id)));
    const types = sink.events.map((e) => e.type);
    const opens = sink.events.filter((e): e is Extract<HeliosEvent, { type: 'WINDOW_OPEN' }> => e.type === 'WINDOW_OPEN');
    expect(opens.map((e) => e.payload.trigger)).toEqual(['metar', 'mid_shock']);
    // A window opens right after its cause.
    const metarAt = types.indexOf('METAR_OBS');
    expect(types[metarAt + 1]).toBe('WINDOW_OPEN');
    const ts = sink.events.map((e) => e.ts_ingest);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(summary.emitted).toBe(sink.events.length);
  });

  it('Parquet and NDJSON sources replay the same events, byte for byte', async () => {
    const a = await replayAll(new JournalReplaySource(dir));
    const b = await replayAll(new ParquetReplaySource(dir, DUCK, 30_000));
    expect(b.sink.events.map(serializeEnvelope)).toEqual(a.sink.events.map(serializeEnvelope));
  });

  it('a time range and a channel filter select exactly their records', async () => {
    const [from, to] = [T0 - 30_000, T0 + 30_000];
    const engine = new ReplayEngine({ source: new ParquetReplaySource(dir, DUCK), sink: new CollectingSink(), from, to, channels: ['l2', 'world'], speed: Infinity });
    const sink = new CollectingSink();
    const e2 = new ReplayEngine({ source: new JournalReplaySource(dir), sink, from, to, channels: ['l2', 'world'], speed: Infinity });
    await e2.play();
    expect(sink.events.length).toBe(emitted.filter((e) => (e.ch === 'l2' || e.ch === 'world') && e.ts_ingest >= from && e.ts_ingest < to).length);
    expect(new Set(sink.events.map((e) => e.ch))).toEqual(new Set(['l2', 'world']));
    expect((await engine.play()).emitted).toBe(sink.events.length);
  });

  it('k-way merge equals a full sort, for interleaved channels with equal timestamps', () => {
    const mk = (ts: number, seq: number, id: string): ReplayRecord => ({ ts, seq, event: { event_id: id } as HeliosEvent });
    const a = [mk(1, 1, 'A'), mk(2, 4, 'B'), mk(2, 5, 'C'), mk(9, 9, 'D')];
    const b = [mk(1, 2, 'E'), mk(2, 3, 'F'), mk(3, 6, 'G')];
    const c = [mk(2, 3, 'AA'), mk(10, 1, 'H')];
    const merged = mergeReplayStreams([a, b, c]).map((r) => r.event.event_id);
    expect(merged).toEqual(sortReplayRecords([...c, ...b, ...a]).map((r) => r.event.event_id));
    expect(merged).toEqual(['A', 'E', 'AA', 'F', 'B', 'C', 'G', 'D', 'H']);
  });
});

/**
 * A book-staleness watcher: fresh on every book event; 1.5 s without one → stale; 2 s later (a
 * timer started by a timer) → dead. Faithful replay must fire both inside a gap in the data.
 */
const watcher = setup({
  types: { events: {} as { type: 'BOOK' } },
  delays: { staleAfter: 1500, deadAfter: 2000 },
}).createMachine({
  id: 'watcher',
  initial: 'fresh',
  on: { BOOK: { target: '.fresh', reenter: true } },
  states: { fresh: { after: { staleAfter: 'stale' } }, stale: { after: { deadAfter: 'dead' } }, dead: {} },
});

function watchedRun(source: ReplaySource, from: number, to: number, pacer?: Clock, speed = Infinity) {
  const log: string[] = [];
  const sink: EventSink = {
    emit(e) {
      if (e.type === 'L2_SNAPSHOT' && e.token_id === 'tok-yes') actor.send({ type: 'BOOK' });
      if (e.type === 'METAR_OBS') log.push(`${e.ts_ingest - from} metar`);
    },
  };
  const engine = new ReplayEngine({ source, sink, from, to, speed, pacer });
  const actor = createActor(watcher, { clock: engine.clock });
  let last = '';
  actor.subscribe((s) => {
    const v = String(s.value);
    if (v !== last) log.push(`${engine.clock.now() - from} ${v}${pacer ? ` @${pacer.monotonicNow()}` : ''}`);
    last = v;
  });
  actor.start();
  return { engine, log, actor };
}

/** Records with a gap: book every second for 5 s, nothing until 12 s, then a METAR. */
function gappy(): ReplayRecord[] {
  const ev = syntheticEvents({ start: T0, durationMs: 15_000, metarAtMs: [12_000] });
  return ev.filter((e) => (e.type === 'L2_SNAPSHOT' && e.ts_ingest < T0 + 5_000) || e.type === 'METAR_OBS').map((e, i) => ({ ts: e.ts_ingest, seq: i, event: e }));
}

describe('replay time', () => {
  it('drives the virtual clock deadline by deadline: timers, and timers set by timers, fire at their virtual instants', async () => {
    const { engine, log } = watchedRun(new ArrayReplaySource(gappy()), T0, T0 + 15_000);
    await engine.play();
    expect(log).toEqual(['0 fresh', '5500 stale', '7500 dead', '12000 metar']);
    expect(engine.clock.now()).toBe(T0 + 15_000);
  });

  it('paces finite speeds against real time: 10× waits a tenth, and timer deadlines are stops of their own', async () => {
    const pacer = new FakePacer();
    const { engine, log } = watchedRun(new ArrayReplaySource(gappy()), T0, T0 + 15_000, pacer, 10);
    await engine.play();
    expect(log).toEqual(['0 fresh @0', '5500 stale @550', '7500 dead @750', '12000 metar']);
    expect(pacer.now()).toBe(1_500);
  });

  it('pause holds events and virtual time until play resumes from where paced time had flowed', async () => {
    const pacer = new FakePacer();
    const records = gappy();
    const sink = new CollectingSink();
    const engine = new ReplayEngine({ source: new ArrayReplaySource(records), sink, from: T0, to: T0 + 15_000, speed: 1, pacer });
    const done = engine.play();
    while (sink.events.length < 3) await new Promise((r) => setImmediate(r));
    engine.pause();
    const held = sink.events.length;
    const clockAt = engine.clock.now();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(engine.status()).toMatchObject({ state: 'paused', emitted: held });
    expect(engine.clock.now()).toBe(clockAt);
    void engine.play();
    const summary = await done;
    expect(summary.emitted).toBe(records.length);
    expect(engine.status().state).toBe('ended');
  });

  it('changing speed while playing re-anchors pacing (no jump, no drift)', async () => {
    const pacer = new FakePacer();
    const records = gappy();
    const sink = new CollectingSink();
    const engine = new ReplayEngine({ source: new ArrayReplaySource(records), sink, from: T0, to: T0 + 15_000, speed: 1, pacer });
    pacer.onWait = () => {
      if (pacer.now() === 2_000) engine.setSpeed(5);
    };
    await engine.play();
    // 2 s of virtual time at 1×, then 13 s at 5×.
    expect(pacer.now()).toBe(2_000 + 13_000 / 5);
    expect(sink.events).toHaveLength(records.length);
  });

  it('pause, step to the next METAR / window / shock, seek forward and back, then play to the end', async () => {
    const sink = new CollectingSink();
    const resets: VirtualClock[] = [];
    const engine = new ReplayEngine({ source: new JournalReplaySource(dir), sink, from: FROM, to: TO, speed: 1, onReset: (c) => resets.push(c) });
    const metar = await engine.step('metar');
    expect(metar?.type).toBe('METAR_OBS');
    expect(engine.status()).toMatchObject({ state: 'paused', now: metar!.ts_ingest, emitted: sink.events.length });
    const win = await engine.step('window');
    expect(win).toMatchObject({ type: 'WINDOW_OPEN', payload: { trigger: 'metar' } });
    const shock = await engine.step('shock');
    expect(shock).toMatchObject({ type: 'WINDOW_OPEN', payload: { trigger: 'mid_shock' }, token_id: 'tok-yes' });
    expect(shock!.ts_ingest).toBe(FROM + 100_000);

    await engine.seek(T0 + 80_000);
    expect(engine.status()).toMatchObject({ state: 'paused', now: T0 + 80_000 });
    expect(sink.events.at(-1)!.ts_ingest).toBeLessThan(T0 + 80_000);
    const forward = sink.events.length;

    const before = engine.clock;
    await engine.seek(T0 + 10_000);
    expect(resets).toHaveLength(1);
    expect(engine.clock).toBe(resets[0]);
    expect(engine.clock).not.toBe(before);
    expect(engine.status()).toMatchObject({ state: 'paused', now: T0 + 10_000 });
    const afterRewind = engine.status().emitted;
    expect(afterRewind).toBeLessThan(forward);

    engine.setSpeed(Infinity);
    const summary = await engine.play();
    expect(summary.last_event_ts).toBeLessThan(TO);
    expect(engine.status()).toMatchObject({ state: 'ended', now: TO });
    expect(await engine.step('metar')).toBeNull();
  });

  it('a simulated live run and the replay of its journal take the same decisions at the same virtual times', async () => {
    const t = tempDataDir('helios-equiv-');
    try {
      const events = gappy().map((r) => r.event);
      // Live: the actor's clock follows the events as they arrive; the recorder journals them.
      const liveClock = new VirtualClock(T0);
      const live: string[] = [];
      const actor = createActor(watcher, { clock: liveClock });
      actor.subscribe((s) => live.push(`${liveClock.now() - T0} ${String(s.value)}`));
      actor.start();
      const { recorder } = makeRecorder(t.dir);
      for (const e of events) {
        liveClock.advanceTo(e.ts_ingest);
        if (e.type === 'L2_SNAPSHOT' && e.token_id === 'tok-yes') actor.send({ type: 'BOOK' });
        recorder.emit(e);
      }
      liveClock.advanceTo(T0 + 15_000);
      await recorder.close();

      const { engine, log } = watchedRun(new JournalReplaySource(t.dir), T0, T0 + 15_000);
      await engine.play();
      const dedup = (l: string[]) => l.filter((x, i) => i === 0 || x.split(' ')[1] !== l[i - 1]!.split(' ')[1]);
      expect(log.filter((l) => !l.endsWith('metar'))).toEqual(dedup(live));
    } finally {
      t.cleanup();
    }
  });

  it('is deterministic: two replays through an actor write byte-identical decision logs', async () => {
    const run = async () => {
      const { engine, log } = watchedRun(new JournalReplaySource(dir), FROM, TO);
      const sink = new CollectingSink();
      const tee = new ReplayEngine({ source: new JournalReplaySource(dir), sink, from: FROM, to: TO, speed: Infinity });
      await Promise.all([engine.play(), tee.play()]);
      return log.join('\n') + '\n' + sink.events.map(serializeEnvelope).join('\n');
    };
    const a = await run();
    const b = await run();
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toBe(a);
  });
});

