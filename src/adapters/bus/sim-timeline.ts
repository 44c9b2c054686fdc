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

/** What a process on the timeline hears about the key that shares it. */
export interface SimTimelineWatch {
  /** The key was gone (a Redis restart that lost its data) and this process wrote its timeline back. */
  onWrittenBack?: (timeline: SimTimeline) => void;
  /** The key holds another timeline (a process started one of its own while the key was gone); once per timeline found. */
  onDiverged?: (found: SimTimeline, ours: SimTimeline) => void;
}

/**
 * The one simulated timeline of a scale-out. Every process paces its own virtual clock, and at
 * `--speed` > 1 clocks started seconds apart would disagree by minutes: a trading shard would
 * find every event from the feeds process stale (or from the future). So the processes agree on
 * an origin through Redis: the first one to arrive sets it, the others join it, and each keeps it
 * alive while it runs (it expires `ttlMs` after the last one stopped, so a later run starts anew).
 * A Redis that comes back without its data has lost the key while processes still run on it: each
 * of them writes it back (unless there already) as soon as it reconnects and at every refresh, so a
 * process started afterwards joins their timeline instead of starting one minutes apart.
 */
export class SharedSimTimeline {
  private refresher: NodeJS.Timeout | null = null;
  private readonly value: string;
  private lastDiverged: string | null = null;

  private constructor(
    private readonly client: ReturnType<typeof createClient>,
    private readonly key: string,
    private readonly ttlMs: number,
    readonly timeline: SimTimeline,
    private readonly watch: SimTimelineWatch,
  ) {
    this.value = JSON.stringify({ origin_ms: timeline.origin_ms, speed: timeline.speed });
  }

  static async join(url: string, key: string, proposal: SimTimeline, ttlMs: number, watch: SimTimelineWatch = {}): Promise<SharedSimTimeline> {
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
      const shared = new SharedSimTimeline(client, key, ttlMs, timeline, watch);
      await shared.refresh();
      // A reconnect may follow a restart that lost the key: put it back before anyone else arrives.
      client.on('ready', () => void shared.refresh());
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

  /** Keeps the key alive, writes it back when gone, and reports another timeline found in it. */
  private async refresh(): Promise<void> {
    try {
      if ((await this.client.set(this.key, this.value, { NX: true, PX: this.ttlMs })) !== null) {
        this.watch.onWrittenBack?.(this.timeline);
        return;
      }
      await this.client.pExpire(this.key, this.ttlMs);
      const raw = await this.client.get(this.key);
      if (raw === null || raw === this.lastDiverged) return;
      const found = JSON.parse(raw) as SimTimeline;
      if (found.origin_ms === this.timeline.origin_ms && found.speed === this.timeline.speed) return;
      this.lastDiverged = raw;
      this.watch.onDiverged?.(found, this.timeline);
    } catch {
      // Down or closing: the next reconnect or refresh tries again.
    }
  }
}
