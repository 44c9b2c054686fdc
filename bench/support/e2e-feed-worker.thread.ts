/**
 * The feed side of `e2e-feed-worker.ts` on a worker thread: the daemon's market feed (sockets,
 * decode, books, tape publisher) and journal recorder, as `LivePipeline` wires them, posting to the
 * main thread once per event-loop turn only the events whose channels the trading node reads. The
 * main thread's own events come back by message, for the journal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { HeliosConfig } from '../../src/config/schema.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { DaemonObserver } from '../../src/apps/daemon/observer.ts';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { FanOutSink, type EventSink } from '../../src/domain/events/sink.ts';
import { LatencyProbe } from './e2e-latency-probe.ts';
import { threadCpuMs } from './thread-cpu.ts';
import type { StorageSinks } from '../../src/adapters/storage/storage-sinks.ts';
import type { MarketFeed } from '../../src/runtime/market-tape/market-feed.ts';
import { recorderSinks, startMarketFeed, syncedBooks, waitSynced } from './live-pipeline.ts';

export interface FeedWorkerData {
  config: HeliosConfig;
  /** The main thread's `performance.timeOrigin`: probe times cross on its clock. */
  mainTimeOrigin: number;
}

/** One pass: a fresh feed and recorder (the thread lives on across passes, its code as warm as the main thread's). */
export interface FeedPass {
  venue: { wsUrl: string; restUrl: string };
  tokens: string[];
  dataDir: string;
  /** Channels of the trading node's topics: only their events cross to the main thread. */
  channels: string[];
}

export type ToFeedWorker =
  | ({ type: 'start' } & FeedPass)
  | { type: 'measure'; on: boolean }
  | { type: 'events'; events: HeliosEvent[] }
  | { type: 'stop-feed' }
  | { type: 'stop' }
  | { type: 'exit' };

export interface FeedCounts {
  /** Frames received since the socket opened, and of them while measuring. */
  messages: number;
  measured: number;
  recorded: number;
  recordedBytes: number;
  /** This thread's CPU time so far (`threadCpuMs`). */
  cpuMs: number;
}

export type FromFeedWorker =
  | { type: 'synced' }
  | { type: 'batch'; events: HeliosEvent[]; signals: Array<{ at: number; frames: number[]; emitAt: number }> }
  | ({ type: 'counts' } & FeedCounts)
  | { type: 'feed-stopped' }
  | ({ type: 'stopped' } & FeedCounts)
  | { type: 'error'; message: string };

restoreFastStringPrototype();

/**
 * `afterTurn` callbacks (the tape publisher's per-turn BEST_PRICE flush) run in one `setImmediate`
 * with the end of the turn after them: the batch posted then holds the turn's BEST_PRICEs, whatever
 * was emitted first.
 */
class TurnClock extends SystemClock {
  private readonly due: Array<() => void> = [];
  private armed = false;

  constructor(private readonly endOfTurn: () => void) {
    super();
  }

  override afterTurn(fn: () => void): void {
    this.due.push(fn);
    this.arm();
  }

  arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    for (let i = 0; i < this.due.length; i++) this.due[i]!();
    this.due.length = 0;
    this.armed = false;
    this.endOfTurn();
  };
}

const data = workerData as FeedWorkerData;
const port = parentPort!;
const post = (m: FromFeedWorker) => port.postMessage(m);
const shift = performance.timeOrigin - data.mainTimeOrigin;

let events: HeliosEvent[] = [];
let signals: Array<{ at: number; frames: number[]; emitAt: number }> = [];
const clock: TurnClock = new TurnClock(() => {
  if (events.length === 0) return;
  post({ type: 'batch', events, signals });
  events = [];
  signals = [];
});

interface Running {
  probe: LatencyProbe;
  storage: StorageSinks;
  feed: MarketFeed | null;
}
let pass: Running | null = null;

function counts(): FeedCounts {
  const s = pass?.storage.recorder?.stats();
  return { messages: pass?.probe.messages ?? 0, measured: pass?.probe.measured ?? 0, recorded: s?.written ?? 0, recordedBytes: s?.bytes_written ?? 0, cpuMs: threadCpuMs() };
}

async function start(p: FeedPass): Promise<void> {
  const channels = new Set(p.channels);
  const probe = new LatencyProbe();
  /** The main thread's bus, one batch per turn; a BEST_PRICE takes the probe's record of its frames. */
  const toMain: EventSink = {
    emit(event) {
      probe.emitted.emit(event);
      if (!channels.has(event.ch)) return;
      const crossed = event.type === 'BEST_PRICE' ? probe.release(event, shift) : undefined;
      if (crossed) signals.push({ at: events.length, ...crossed });
      events.push(event);
      clock.arm();
    },
  };
  const storage = recorderSinks(data.config, p.dataDir, clock, toMain);
  const sink = new FanOutSink(toMain, new DaemonObserver(data.config.daemon.staleness_ms, createMetrics()), storage);
  const running: Running = { probe, storage, feed: null };
  pass = running;
  const feed = (running.feed = await startMarketFeed(data.config, p.venue, clock, sink, probe, p.tokens));
  if (!(await waitSynced(() => syncedBooks(feed), p.tokens.length, 20_000))) throw new Error(`only ${syncedBooks(feed)} books synced`);
  post({ type: 'synced' });
}

const fail = (err: unknown) => post({ type: 'error', message: (err as Error).stack ?? String(err) });

port.on('message', (m: ToFeedWorker) => {
  switch (m.type) {
    case 'start':
      start(m).catch(fail);
      return;
    case 'measure':
      if (pass) pass.probe.measuring = m.on;
      post({ type: 'counts', ...counts() });
      return;
    case 'events':
      if (pass) for (const e of m.events) pass.storage.emit(e);
      return;
    case 'stop-feed':
      void (pass?.feed?.stop() ?? Promise.resolve()).then(() => {
        clock.arm();
        setImmediate(() => post({ type: 'feed-stopped' }));
      }, fail);
      return;
    case 'stop': {
      const storage = pass?.storage;
      void (async () => {
        await storage?.flush();
        await storage?.close();
        post({ type: 'stopped', ...counts() });
        pass = null;
      })().catch(fail);
      return;
    }
    case 'exit':
      port.close();
      return;
  }
});
