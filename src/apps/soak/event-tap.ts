import WebSocket from 'ws';
import { CHANNELS } from '../../domain/events/channels.ts';
import { FAIL_CLOSED_REASON } from '../../domain/soak/execution-referee.ts';

/** An event as the tap saw it arrive over the daemon's channel API. */
export interface TappedEvent {
  event_id: string;
  ch: string;
  type: string;
  received_ms: number;
}

/**
 * The soak's independent witness: a WebSocket client of the daemon's channel API subscribed to
 * every channel. What it saw published is later looked up in the journal (lost events), and the
 * time of the last event per channel tells whether the daemon is still producing.
 */
export class EventTap {
  readonly events: TappedEvent[] = [];
  readonly lastByChannel = new Map<string, number>();
  failedFills = 0;
  /** The shares of each token as the daemon last published them (POSITION), in arrival order. */
  readonly positions = new Map<string, number>();
  /** Its real adapter failed closed (the global HALT it publishes then): this life trades no more. */
  failedClosed = false;
  private ws: WebSocket | null = null;
  private closed = false;

  constructor(private readonly url: string) {}

  /** Resolves once the subscription is confirmed. */
  async connect(): Promise<void> {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ op: 'subscribe', channels: CHANNELS })));
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"op":')) {
          if (text.startsWith('{"op":"subscribed"')) resolve();
          return;
        }
        this.onFrame(text);
      });
    });
    ws.on('error', () => {});
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
    this.ws = null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onFrame(text: string): void {
    let e: { event_id?: unknown; ch?: unknown; type?: unknown; token_id?: unknown; payload?: { status?: unknown; shares?: unknown; scope?: unknown; reason?: unknown } };
    try {
      e = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof e.event_id !== 'string' || typeof e.ch !== 'string' || typeof e.type !== 'string') return;
    const now = Date.now();
    this.events.push({ event_id: e.event_id, ch: e.ch, type: e.type, received_ms: now });
    this.lastByChannel.set(e.ch, now);
    if (e.type === 'FILL' && e.payload?.status === 'FAILED') this.failedFills++;
    else if (e.type === 'POSITION' && typeof e.token_id === 'string' && typeof e.payload?.shares === 'number') this.positions.set(e.token_id, e.payload.shares);
    else if (e.type === 'HALT' && e.payload?.scope === 'global' && typeof e.payload.reason === 'string' && e.payload.reason.startsWith(FAIL_CLOSED_REASON)) this.failedClosed = true;
  }
}
