import type { BusHealth } from './event-bus.ts';
import type { RedisClient } from './redis-client.ts';
import type { BusConfig } from './topic-policies.ts';

/** A Redis URL fit for a log line or an error message: the password is masked. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Whether the Redis server answers: down while the client is not connected (refused, wrong
 * password, unreachable: the last error says which) and also when a connected server does not
 * answer a PING within probe_timeout_ms (frozen, e.g. SIGSTOP), which no socket error would show.
 * A new connection counts as up only once a PING on it succeeds: a server that needs a password
 * the URL does not give accepts the connection and refuses every command (NOAUTH), as does one
 * still loading its data (LOADING); node-redis calls such a connection ready all the same.
 */
export class HealthProbe {
  private everConnected = false;
  private connected = false;
  private answering = true;
  private reason: string | null = 'connecting';
  private sinceMs = Date.now();
  private readonly timer: NodeJS.Timeout;
  private upWaiters: Array<() => void> = [];
  /** Set while a ready connection awaits its first successful PING: what to run once it comes. */
  private confirming: { onUp: (reconnect: boolean) => void; onRefused: (err: Error) => void } | null = null;
  private confirmInFlight = false;

  constructor(
    private readonly client: RedisClient,
    private readonly config: BusConfig,
  ) {
    this.timer = setInterval(() => this.ping(), config.probe_interval_ms);
    this.timer.unref();
  }

  /**
   * The client (re)connected: `onUp(reconnect)` runs once a PING on this connection succeeds;
   * until then the server is down, `onRefused` hears each refusal and the probe asks again every
   * probe_interval_ms.
   */
  connectionReady(onUp: (reconnect: boolean) => void, onRefused: (err: Error) => void): void {
    this.connected = false;
    this.update();
    this.confirming = { onUp, onRefused };
    this.confirm();
  }

  private confirm(): void {
    const pending = this.confirming;
    if (!pending || this.confirmInFlight || !this.client.isReady) return;
    this.confirmInFlight = true;
    this.client.sendCommand(['PING']).then(
      () => {
        this.confirmInFlight = false;
        if (this.confirming !== pending) return;
        this.confirming = null;
        pending.onUp(this.markConnected());
      },
      (err: unknown) => {
        this.confirmInFlight = false;
        if (this.confirming !== pending) return;
        const error = err instanceof Error ? err : new Error(String(err));
        this.failed(error);
        pending.onRefused(error);
      },
    );
  }

  /** The client is ready; true when this is a reconnect rather than the first connection. */
  private markConnected(): boolean {
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.connected = true;
    this.answering = true;
    this.update();
    const waiters = this.upWaiters;
    this.upWaiters = [];
    for (const w of waiters) w();
    return reconnect;
  }

  failed(err: Error): void {
    this.connected = this.client.isReady;
    this.reason = err.message || String(err);
    this.update();
  }

  health(): BusHealth {
    return { up: this.isUp(), reason: this.isUp() ? null : this.reason, since_ms: this.sinceMs };
  }

  whenUp(timeoutMs: number, url: string): Promise<void> {
    if (this.everConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.upWaiters = this.upWaiters.filter((w) => w !== done);
        reject(new Error(`Redis at ${redactRedisUrl(url)} did not answer within ${timeoutMs} ms (bus.startup_timeout_ms): ${this.reason ?? 'no answer'}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.upWaiters.push(done);
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private isUp(): boolean {
    return this.confirming === null && this.connected && this.answering && this.client.isReady;
  }

  private wasUp = false;
  private update(): void {
    const up = this.isUp();
    if (up !== this.wasUp) {
      this.wasUp = up;
      this.sinceMs = Date.now();
    }
  }

  private outstandingSince: number | null = null;

  /** One PING at a time: one left unanswered past the timeout marks the server down until it answers. */
  private ping(): void {
    if (!this.client.isReady) {
      this.connected = false;
      this.update();
      return;
    }
    if (this.confirming) return this.confirm();
    if (this.outstandingSince !== null) return;
    const sentAt = Date.now();
    this.outstandingSince = sentAt;
    const timer = setTimeout(() => {
      if (this.outstandingSince !== sentAt) return;
      this.answering = false;
      this.reason = `no answer to PING within ${this.config.probe_timeout_ms} ms (server frozen or overloaded)`;
      this.update();
    }, this.config.probe_timeout_ms);
    timer.unref();
    const answered = (): void => {
      clearTimeout(timer);
      this.outstandingSince = null;
      // A rejected PING is an answer too; a broken socket shows through 'error' and isReady.
      this.answering = true;
      this.connected = this.client.isReady;
      this.update();
    };
    this.client.sendCommand(['PING']).then(answered, answered);
  }
}
