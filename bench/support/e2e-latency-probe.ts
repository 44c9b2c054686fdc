import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import type { EventSink } from '../../src/domain/events/sink.ts';
import type { MarketTradingContext } from '../../src/machines/market-trading/context.ts';
import { SinkTimes } from './live-pipeline.ts';

/** One frame that moved a top of book while measuring. */
export interface FrameRec {
  /** Index among the frames of its socket (the venue counts the same way). */
  index: number;
  recvAt: number;
  /** Sink time (bus publish + recorder) accumulated when the frame arrived. */
  sink0: number;
  /** Book signals (tokens) it produced that no market actor has evaluated yet. */
  left: number;
  decidedAt: number;
  /** The end of the synchronous handling of the socket chunk it came in (every frame of that read). */
  chunkEndAt: number;
  /** Its last signal: BEST_PRICE emitted, and seen by the trading router. */
  emitAt: number;
  routedAt: number;
}

interface Routed {
  frames: FrameRec[];
  emitAt: number;
  token: string;
  ts: number;
  routedAt: number;
}

/** Frames kept to time the decoder alone on this run's own frames, after the pass. */
const DECODE_SAMPLE = 5_000;

/**
 * Timestamps along the path. "Received": the socket's `message` event, in a listener the socket
 * gets before the feed's own. Top-of-book changes are attributed to the frame being handled via
 * the feed's `onBestChanged` probe; each BEST_PRICE takes the frames coalesced into it (probe sink
 * beside the bus); the router's `observe` hook says which BEST_PRICE is being routed; the market
 * actor's snapshot observer fires once it has evaluated the signal: the decision.
 */
export class LatencyProbe {
  measuring = false;
  messages = 0;
  readonly frames: FrameRec[] = [];
  /** Frames received while measuring (those that moved no top of book produce no signal). */
  measured = 0;
  readonly coalesceWaitMs: number[] = [];
  readonly pipelineMs: number[] = [];
  /** The feed's whole synchronous handling of a frame (decode, book, publish of its deltas). */
  readonly handleMs: number[] = [];
  /** Of which in the bus publish and the recorder. */
  readonly handleSinkMs: number[] = [];
  /** BEST_PRICE emitted → the trading router sees it: bus delivery, then the dispatch pump's queue (one loop turn per input). */
  readonly deliveryMs: number[] = [];
  /** Router sees it → the market actor has decided (routing, actor evaluation). */
  readonly decideMs: number[] = [];
  readonly rawFrames: string[] = [];
  readonly times = new SinkTimes();
  orders = 0;
  private current: FrameRec | null = null;
  private readonly pending = new Map<string, FrameRec[]>();
  private readonly byEvent = new Map<HeliosEvent, Routed>();
  /**
   * Routed BEST_PRICEs not yet decided on, by token, oldest first (a market's first of a pair waits
   * for its partner's; one the router passed on without waking the actor, or ignored, waits for the
   * next decision on its token).
   */
  private readonly routing = new Map<string, Routed[]>();
  private routingCount = 0;
  private readonly clear = () => {
    this.current = null;
  };
  private chunk: FrameRec[] = [];
  private readonly endChunk = () => {
    const t = performance.now();
    for (const f of this.chunk) f.chunkEndAt = t;
    this.chunk = [];
  };

  openSocket = (url: string): WebSocket => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (data: RawData) => {
      const index = this.messages++;
      if (!this.measuring) return;
      this.measured++;
      if (this.rawFrames.length < DECODE_SAMPLE) this.rawFrames.push(data.toString());
      const f: FrameRec = { index, recvAt: performance.now(), sink0: this.times.total(), left: 0, decidedAt: NaN, chunkEndAt: NaN, emitAt: NaN, routedAt: NaN };
      this.current = f;
      // The feed handles the frame synchronously right after this listener.
      queueMicrotask(this.clear);
      // ws emits every frame of a socket read synchronously: the first microtask after them ends the chunk.
      if (this.chunk.length === 0) queueMicrotask(this.endChunk);
      this.chunk.push(f);
    });
    // A listener after the feed's own: the end of the feed's synchronous handling of the frame.
    const done = () => {
      const f = this.current;
      if (!f || !this.measuring) return;
      this.handleMs.push(performance.now() - f.recvAt);
      this.handleSinkMs.push(this.times.total() - f.sink0);
    };
    ws.on('newListener', (event: string | symbol, fn: unknown) => {
      if (event === 'message' && fn !== done) process.nextTick(() => ws.on('message', done));
    });
    return ws;
  };

  onBestChanged = (token: string): void => {
    const f = this.current;
    if (!f) return;
    let list = this.pending.get(token);
    if (!list) this.pending.set(token, (list = []));
    if (list[list.length - 1] === f) return;
    if (f.left === 0) this.frames.push(f);
    f.left++;
    list.push(f);
  };

  /** Beside the bus in the fan-out: a BEST_PRICE takes the frames coalesced into it. */
  readonly emitted: EventSink = {
    emit: (event) => {
      if (event.type === 'ORDER_UPDATE') this.orders++;
      if (event.type !== 'BEST_PRICE' || !event.token_id) return;
      const list = this.pending.get(event.token_id);
      if (!list || list.length === 0) return;
      this.pending.set(event.token_id, []);
      this.byEvent.set(event, { frames: list, emitAt: performance.now(), token: event.token_id, ts: event.ts_ingest, routedAt: NaN });
    },
  };

  /**
   * The feed on another thread (`e2e-feed-worker.ts`), its side: what a BEST_PRICE about to cross
   * took, as `[frame index, received at]` pairs shifted by `shift` ms onto the receiving thread's clock, and when it was emitted.
   */
  release(event: HeliosEvent, shift: number): { frames: number[]; emitAt: number } | undefined {
    const r = this.byEvent.get(event);
    if (!r) return undefined;
    this.byEvent.delete(event);
    const frames: number[] = [];
    for (const f of r.frames) frames.push(f.index, f.recvAt + shift);
    return { frames, emitAt: r.emitAt + shift };
  }

  /** Frames received on another thread, by index, until decided on. */
  private readonly remote = new Map<number, FrameRec>();

  /** The trading side of a feed on another thread: `event` (its copy here) took these frames (`release`). */
  adopt(event: HeliosEvent, crossed: { frames: number[]; emitAt: number }): void {
    const list: FrameRec[] = [];
    for (let i = 0; i < crossed.frames.length; i += 2) {
      const index = crossed.frames[i]!;
      let f = this.remote.get(index);
      if (!f) {
        f = { index, recvAt: crossed.frames[i + 1]!, sink0: 0, left: 0, decidedAt: NaN, chunkEndAt: NaN, emitAt: NaN, routedAt: NaN };
        this.remote.set(index, f);
        this.frames.push(f);
      }
      f.left++;
      list.push(f);
    }
    this.byEvent.set(event, { frames: list, emitAt: crossed.emitAt, token: event.token_id!, ts: event.ts_ingest, routedAt: NaN });
  }

  /** The trading router's observe hook: the event about to be routed. */
  readonly consumed: EventSink = {
    emit: (event) => {
      const r = this.byEvent.get(event);
      if (!r) return;
      this.byEvent.delete(event);
      r.routedAt = performance.now();
      let list = this.routing.get(r.token);
      if (!list) this.routing.set(r.token, (list = []));
      list.push(r);
      this.routingCount++;
    },
  };

  /**
   * A market actor's snapshot after an event: the routed book signals of its tokens that are no
   * newer than the book it now holds have been decided on (the actor read their information: in the
   * signal itself, or in a later one of its token).
   */
  decided(context: MarketTradingContext): void {
    if (this.routingCount === 0) return;
    const t = performance.now();
    const books = context.signals.books;
    for (const token in books) this.decideToken(token, books[token]!.ts_ms, t);
  }

  private decideToken(token: string, ts: number, t: number): void {
    const list = this.routing.get(token);
    if (list === undefined || list.length === 0) return;
    let n = 0;
    while (n < list.length && list[n]!.ts <= ts) this.decide(list[n++]!, t);
    if (n === 0) return;
    list.splice(0, n);
    this.routingCount -= n;
  }

  private decide(r: Routed, t: number): void {
    this.pipelineMs.push(t - r.emitAt);
    this.deliveryMs.push(r.routedAt - r.emitAt);
    this.decideMs.push(t - r.routedAt);
    for (const f of r.frames) {
      this.coalesceWaitMs.push(r.emitAt - f.recvAt);
      if (--f.left === 0) {
        this.remote.delete(f.index);
        f.decidedAt = t;
        f.emitAt = r.emitAt;
        f.routedAt = r.routedAt;
      }
    }
  }
}
