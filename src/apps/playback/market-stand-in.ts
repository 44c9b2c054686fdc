import { WebSocket, type RawData } from 'ws';
import { parseMarketChannelRequest } from '../../domain/market/channel-request.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { eventType, type MarketFrame } from './market-frames.ts';
import type { PlaybackTimeline } from './timeline.ts';

interface Subscriber {
  ws: WebSocket;
  subs: Set<string>;
}

export interface MarketStandInStats {
  connections: number;
  subscribe_messages: number;
  frames_sent: number;
}

/**
 * Polymarket's market channel played from a capture: a client subscribes (`assets_ids`, initial or
 * `operation: subscribe|unsubscribe`) and receives, in captured order and at captured times
 * scaled by the timeline, the frames about its assets. On subscribe it first gets each asset's
 * book as of now: the last captured `book` before now, followed at once by that asset's frames
 * between it and now, so its mirror equals the capturing client's at the same capture time.
 * `PING` is answered `PONG`, as the venue does.
 */
export class MarketStandIn {
  private readonly subscribers = new Set<Subscriber>();
  private cursor = 0;
  private timer: TimerHandle | null = null;
  private stopped = false;
  readonly stats: MarketStandInStats = { connections: 0, subscribe_messages: 0, frames_sent: 0 };

  constructor(
    private readonly frames: readonly MarketFrame[],
    private readonly timeline: PlaybackTimeline,
    private readonly clock: Clock,
  ) {}

  /** Starts the schedule (the timeline must have started). */
  start(): void {
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const s of this.subscribers) s.ws.terminate();
    this.subscribers.clear();
  }

  /** Frames not yet due. */
  get pending(): number {
    return this.frames.length - this.cursor;
  }

  accept(ws: WebSocket): void {
    const s: Subscriber = { ws, subs: new Set() };
    this.subscribers.add(s);
    this.stats.connections++;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.onClientMessage(s, Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    });
    const drop = () => this.subscribers.delete(s);
    ws.on('close', drop);
    ws.on('error', drop);
  }

  private onClientMessage(s: Subscriber, text: string): void {
    if (text === 'PING') return this.send(s, 'PONG');
    const req = parseMarketChannelRequest(text);
    if (req === null) return;
    if (req.op === 'unsubscribe') {
      for (const id of req.ids) s.subs.delete(id);
      return;
    }
    this.stats.subscribe_messages++;
    const fresh = [...new Set(req.ids)].filter((id) => !s.subs.has(id)).sort();
    for (const id of fresh) s.subs.add(id);
    if (!req.initialDump || fresh.length === 0) {
      if (req.customFeatureEnabled) this.send(s, 'NO NEW ASSETS');
      return;
    }
    this.catchUp(s, new Set(fresh));
  }

  /** The fresh assets' books as of now, then their frames since those books. */
  private catchUp(s: Subscriber, fresh: Set<string>): void {
    const lastBook = new Map<string, number>();
    for (let i = 0; i < this.cursor; i++) {
      const f = this.frames[i]!;
      f.elements.forEach((e, j) => {
        if (eventType(e) !== 'book') return;
        for (const a of f.assets[j]!) if (fresh.has(a)) lastBook.set(a, i);
      });
    }
    const dump: unknown[] = [];
    for (const a of [...lastBook.keys()].sort()) {
      const f = this.frames[lastBook.get(a)!]!;
      f.elements.forEach((e, j) => {
        if (eventType(e) === 'book' && f.assets[j]!.includes(a)) dump.push(e);
      });
    }
    if (dump.length > 0) this.send(s, JSON.stringify(dump));
    const from = Math.min(...[...lastBook.values()].map((i) => i + 1), this.cursor);
    for (let i = from; i < this.cursor; i++) {
      const f = this.frames[i]!;
      const keep = f.elements.filter((_, j) => f.assets[j]!.some((a) => fresh.has(a) && lastBook.get(a)! < i) && eventType(f.elements[j]) !== 'book');
      if (keep.length > 0) this.send(s, keep.length === f.elements.length ? f.text : JSON.stringify(f.isArray ? keep : keep[0]));
    }
  }

  private pump(): void {
    this.timer = null;
    if (this.stopped) return;
    const now = this.timeline.captureNow();
    while (this.cursor < this.frames.length && this.frames[this.cursor]!.at <= now) this.deliver(this.frames[this.cursor++]!);
    if (this.cursor < this.frames.length) this.timer = this.clock.setTimeout(() => this.pump(), Math.max(1, this.timeline.delayUntil(this.frames[this.cursor]!.at)));
  }

  private deliver(f: MarketFrame): void {
    for (const s of this.subscribers) {
      if (f.broadcast) {
        this.send(s, f.text);
        continue;
      }
      const keep = f.elements.filter((_, j) => f.assets[j]!.some((a) => s.subs.has(a)));
      if (keep.length === 0) continue;
      this.send(s, keep.length === f.elements.length ? f.text : JSON.stringify(f.isArray ? keep : keep[0]));
    }
  }

  private send(s: Subscriber, text: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    s.ws.send(text);
    if (text !== 'PONG' && text !== 'NO NEW ASSETS') this.stats.frames_sent++;
  }
}
