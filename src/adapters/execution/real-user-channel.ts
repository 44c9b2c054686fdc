import { WebSocket } from 'ws';
import type { ApiKeyCreds } from '@polymarket/clob-client-v2';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import type { Rng } from '../../domain/util/random.ts';

/**
 * The authenticated user channel: order and trade events for the key. The venue replays nothing
 * after a drop, so every (re)connection is reported and the adapter reads open orders and recent
 * trades by REST. Credentials go in the first message only, never into a log line or an error.
 */
export interface UserChannelDeps {
  url: string;
  creds: ApiKeyCreds;
  clock: Clock;
  rng: Rng;
  pingIntervalMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  onEvent: (msg: Record<string, unknown>) => void;
  /** After the subscribe message went out; `reconnect` is false the first time. */
  onConnected: (reconnect: boolean) => void;
  onDisconnected: (why: string) => void;
}

export class UserChannel {
  private ws: WebSocket | null = null;
  private ping: TimerHandle | null = null;
  private retry: TimerHandle | null = null;
  private attempts = 0;
  private connectedOnce = false;
  private stopped = false;
  connects = 0;

  constructor(private readonly deps: UserChannelDeps) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.ping !== null) this.deps.clock.clearTimeout(this.ping);
    if (this.retry !== null) this.deps.clock.clearTimeout(this.retry);
    this.ws?.terminate();
    this.ws = null;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  private open(): void {
    const ws = new WebSocket(this.deps.url);
    this.ws = ws;
    ws.on('open', () => {
      const { key, secret, passphrase } = this.deps.creds;
      ws.send(JSON.stringify({ auth: { apiKey: key, secret, passphrase }, type: 'user', markets: [] }));
      this.attempts = 0;
      this.connects++;
      const reconnect = this.connectedOnce;
      this.connectedOnce = true;
      this.schedulePing(ws);
      this.deps.onConnected(reconnect);
    });
    ws.on('message', (raw) => {
      const text = String(raw);
      if (text === 'PONG') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return;
      }
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) if (m && typeof m === 'object') this.deps.onEvent(m as Record<string, unknown>);
    });
    ws.on('error', () => {
      // 'close' follows and decides.
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.ping !== null) this.deps.clock.clearTimeout(this.ping);
      if (this.stopped) return;
      this.deps.onDisconnected(`user channel closed (${code})`);
      const delay = backoffDelayMs(++this.attempts, { initialMs: this.deps.reconnectInitialMs, maxMs: this.deps.reconnectMaxMs, multiplier: 2, jitter: 0.5 }, this.deps.rng());
      this.retry = this.deps.clock.setTimeout(() => {
        this.retry = null;
        if (!this.stopped) this.open();
      }, delay);
    });
  }

  private schedulePing(ws: WebSocket): void {
    this.ping = this.deps.clock.setTimeout(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send('PING');
      this.schedulePing(ws);
    }, this.deps.pingIntervalMs);
  }
}
