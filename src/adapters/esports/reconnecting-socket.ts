import WebSocket from 'ws';
import type { Logger } from '../log/logger.ts';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import type { Rng } from '../../domain/util/random.ts';
import type { ReconnectPolicy } from './source.ts';

/** After a close: reconnect with backoff, reconnect only after the longest backoff, or give up. */
export type CloseDecision = 'reconnect' | 'reconnect_slow' | 'stop';

export interface ReconnectingSocketOptions {
  url: string;
  headers?: Record<string, string>;
  clock: Clock;
  policy: ReconnectPolicy;
  /** Jitter source; seeded in tests and simulations. */
  rng: Rng;
  onOpen?: () => void;
  onMessage: (text: string) => void;
  onClose?: (code: number, reason: string) => CloseDecision;
  /**
   * A connection attempt or an open socket failed (`what` names the URL, its token redacted).
   * Given, it replaces the warning: the caller reports the source as not answering.
   */
  onError?: SocketErrorListener;
  logger?: Logger;
}

export type SocketErrorListener = (what: string, err: Error) => void;

/** A WebSocket client that reconnects with backoff on the injected clock until stopped. */
export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private timer: TimerHandle | null = null;
  private attempt = 0;
  private stopped = true;

  constructor(private readonly opts: ReconnectingSocketOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    if (this.isOpen()) this.socket!.send(text);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (!s || s.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      if (s.readyState === WebSocket.CONNECTING) s.terminate();
      else s.close(1000);
    });
  }

  private connect(): void {
    const s = new WebSocket(this.opts.url, { headers: this.opts.headers });
    this.socket = s;
    s.on('open', () => {
      this.attempt = 0;
      this.opts.onOpen?.();
    });
    s.on('message', (data: WebSocket.RawData) => this.opts.onMessage(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)));
    s.on('error', (err) => {
      if (this.opts.onError) this.opts.onError(`WS ${this.redactedUrl()}`, err);
      else this.opts.logger?.warn({ err, url: this.redactedUrl() }, 'esports socket error');
    });
    s.on('close', (code, reason) => {
      if (this.socket !== s) return;
      this.socket = null;
      if (this.stopped) return;
      const decision = this.opts.onClose?.(code, reason.toString('utf8')) ?? 'reconnect';
      if (decision === 'stop' || this.stopped) return;
      this.attempt += 1;
      const delay =
        decision === 'reconnect_slow'
          ? this.opts.policy.reconnect_max_ms
          : backoffDelayMs(this.attempt, { initialMs: this.opts.policy.reconnect_min_ms, maxMs: this.opts.policy.reconnect_max_ms, multiplier: 2, jitter: 0.2 }, this.opts.rng());
      this.timer = this.opts.clock.setTimeout(() => {
        this.timer = null;
        if (!this.stopped) this.connect();
      }, delay);
    });
  }

  private redactedUrl(): string {
    return this.opts.url.replace(/([?&]token=)[^&]*/i, '$1[REDACTED]');
  }
}
