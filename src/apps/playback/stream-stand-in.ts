import { WebSocket } from 'ws';
import type { FrameRecord } from '../../adapters/capture/records.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import type { PlaybackTimeline } from './timeline.ts';

/**
 * A captured socket other than the market channel (PandaScore live, Polymarket sports): a client
 * that connects on a captured path gets that path's frames from now on, at captured times scaled
 * by the timeline. Nothing it sends is read; a path with no captured frames stays open and silent.
 */
export class StreamStandIn {
  private readonly open = new Set<{ ws: WebSocket; timers: TimerHandle[] }>();

  constructor(
    private readonly frames: readonly FrameRecord[],
    private readonly timeline: PlaybackTimeline,
    private readonly clock: Clock,
  ) {}

  accept(ws: WebSocket, key: string): void {
    const now = this.timeline.captureNow();
    const conn = { ws, timers: [] as TimerHandle[] };
    this.open.add(conn);
    for (const f of this.frames) {
      if (f.key !== key || f.recv_ms < now) continue;
      conn.timers.push(this.clock.setTimeout(() => ws.readyState === WebSocket.OPEN && ws.send(f.text), this.timeline.delayUntil(f.recv_ms)));
    }
    const drop = () => {
      for (const t of conn.timers) this.clock.clearTimeout(t);
      this.open.delete(conn);
    };
    ws.on('close', drop);
    ws.on('error', drop);
  }

  stop(): void {
    for (const c of this.open) {
      for (const t of c.timers) this.clock.clearTimeout(t);
      c.ws.terminate();
    }
    this.open.clear();
  }
}
