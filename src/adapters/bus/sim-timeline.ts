import { createClient } from 'redis';
import { backoffDelayMs } from '../../domain/retry/backoff.ts';
import { redactRedisUrl } from './health-probe.ts';

/** A simulated timeline: virtual time = origin + (wall time − origin) × speed. */
export interface SimTimeline {
  origin_ms: number;
  speed: number;
}

export class SimTimelineMismatch extends Error {}

/** How long a closing timeline waits for the server's answer to QUIT. */
const QUIT_WAIT_MS = 1_000;

/**
 * The one simulated timeline of a scale-out. Every process paces its own virtual clock, and at
 * `--speed` > 1 clocks started seconds apart would disagree by minutes: a trading shard would
 * find every event from the feeds process stale (or from the future). So the processes agree on
 * an origin through Redis: the first one to arrive sets it, the others join it, and each keeps it
 * alive while it runs (it expires `ttlMs` after the last one stopped, so a later run starts anew).
 */
export class SharedSimTimeline {
  private refresher: NodeJS.Timeout | null = null;

  private constructor(
    private readonly client: ReturnType<typeof createClient>,
    private readonly key: string,
    private readonly ttlMs: number,
    readonly timeline: SimTimeline,
  ) {}

  static async join(url: string, key: string, proposal: SimTimeline, ttlMs: number): Promise<SharedSimTimeline> {
    let connected = false;
    let lastError = 'no answer';
    // Unreachable at start: fail (the daemon exits non-zero) instead of retrying forever. The
    // daemon joins once its bus has reached the same server, so this is a server lost just then.
    const reconnectStrategy = (n: number) =>
      connected || n < 5 ? backoffDelayMs(n + 1, { initialMs: 100, maxMs: 5_000, multiplier: 2, jitter: 0 }, 0) : new Error(`Redis at ${redactRedisUrl(url)} unreachable: ${lastError}`);
    const client = createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy } });
    // Reconnects on its own; a lost refresh only shortens the key's life.
    client.on('error', (err: Error) => void (lastError = err.message || String(err)));
    await client.connect();
    connected = true;
    try {
      await client.set(key, JSON.stringify(proposal), { NX: true, PX: ttlMs });
      const raw = await client.get(key);
      const timeline = raw ? (JSON.parse(raw) as SimTimeline) : proposal;
      if (timeline.speed !== proposal.speed) {
        throw new SimTimelineMismatch(`this scale-out simulates at --speed ${timeline.speed} (Redis key ${key}); start every process with that speed`);
      }
      const shared = new SharedSimTimeline(client, key, ttlMs, timeline);
      await shared.refresh();
      shared.refresher = setInterval(() => void shared.refresh(), Math.max(1_000, Math.floor(ttlMs / 3)));
      shared.refresher.unref();
      return shared;
    } catch (err) {
      await client.quit().catch(() => undefined);
      throw err;
    }
  }

  /** Virtual time on this timeline at wall time `wallMs`. */
  virtualAt(wallMs: number): number {
    return Math.floor(this.timeline.origin_ms + (wallMs - this.timeline.origin_ms) * this.timeline.speed);
  }

  /**
   * QUIT only on a connection that is up, and not waited for long: node-redis's QUIT on a client
   * between reconnects never settles (a process stopping during or just after a Redis outage hung
   * on it until its shutdown timeout, then exited 3). The key's TTL does the rest.
   */
  async close(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    this.refresher = null;
    if (this.client.isReady) await Promise.race([this.client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, QUIT_WAIT_MS).unref())]);
    if (this.client.isOpen) this.client.destroy();
  }

  private async refresh(): Promise<void> {
    await this.client.pExpire(this.key, this.ttlMs).catch(() => undefined);
  }
}
