import type { Clock } from '../../domain/time/clock.ts';

/** The slice of `fetch` the weather clients use; injectable so tests point them at loopback servers. */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal; headers?: Record<string, string> },
) => Promise<{ ok: boolean; status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly target: string,
  ) {
    super(`HTTP ${status} from ${target}`);
    this.name = 'HttpStatusError';
  }
}

export interface ThrottledJsonOptions {
  fetch: FetchLike;
  clock: Clock;
  /** Minimum spacing between two requests. */
  minIntervalMs: number;
  /** Most requests in any rolling 60 s (0 = unlimited). */
  maxPerMinute: number;
  /** Responses younger than this are served from the cache. */
  cacheTtlMs: number;
  timeoutMs: number;
  userAgent: string;
}

/** How a weather API client paces, caches and labels its requests (each client's own options extend this). */
export interface ThrottledClientOptions {
  fetch: FetchLike;
  clock: Clock;
  cacheTtlMs: number;
  minRequestIntervalMs: number;
  timeoutMs: number;
  userAgent?: string;
}

/** The ThrottledJson behind one API client; `maxPerMinute` is that API's quota (0 = unlimited). */
export function throttledJsonFor(o: ThrottledClientOptions, maxPerMinute: number): ThrottledJson {
  return new ThrottledJson({
    fetch: o.fetch,
    clock: o.clock,
    minIntervalMs: o.minRequestIntervalMs,
    maxPerMinute,
    cacheTtlMs: o.cacheTtlMs,
    timeoutMs: o.timeoutMs,
    userAgent: o.userAgent ?? 'helios-weather/0.1',
  });
}

interface CacheEntry {
  atMs: number;
  value: unknown;
}

/**
 * GET-JSON with a TTL cache, in-flight de-duplication and a rate limiter (minimum interval plus a
 * rolling per-minute budget). Waiting happens on the injected clock. `cacheKey` lets callers keep
 * credentials out of keys and errors.
 */
export class ThrottledJson {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly sent: number[] = [];
  private nextSlotMs = 0;
  private queue: Promise<void> = Promise.resolve();
  requests = 0;
  cacheHits = 0;

  constructor(private readonly o: ThrottledJsonOptions) {}

  async get(url: string, cacheKey = url, headers: Record<string, string> = {}): Promise<unknown> {
    const now = this.o.clock.now();
    const hit = this.cache.get(cacheKey);
    if (hit && now - hit.atMs < this.o.cacheTtlMs) {
      this.cacheHits++;
      return hit.value;
    }
    const pending = this.inFlight.get(cacheKey);
    if (pending) return pending;
    const p = this.fetchJson(url, cacheKey, headers).finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, p);
    return p;
  }

  private async fetchJson(url: string, cacheKey: string, headers: Record<string, string>): Promise<unknown> {
    await this.acquireSlot();
    this.requests++;
    const controller = new AbortController();
    const timer = this.o.clock.setTimeout(() => controller.abort(), this.o.timeoutMs);
    try {
      const res = await this.o.fetch(url, { signal: controller.signal, headers: { 'user-agent': this.o.userAgent, accept: 'application/json', ...headers } });
      if (res.status === 204) {
        this.cache.set(cacheKey, { atMs: this.o.clock.now(), value: null });
        return null;
      }
      if (!res.ok) throw new HttpStatusError(res.status, cacheKey);
      const text = await res.text();
      const value: unknown = text.trim() === '' ? null : JSON.parse(text);
      this.cache.set(cacheKey, { atMs: this.o.clock.now(), value });
      return value;
    } finally {
      this.o.clock.clearTimeout(timer);
    }
  }

  /** Requests take slots in order; each waits for the interval and the per-minute budget. */
  private acquireSlot(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.o.clock.now();
      while (this.sent.length && now - this.sent[0]! >= 60_000) this.sent.shift();
      let waitMs = Math.max(0, this.nextSlotMs - now);
      if (this.o.maxPerMinute > 0 && this.sent.length >= this.o.maxPerMinute) waitMs = Math.max(waitMs, this.sent[0]! + 60_000 - now);
      if (waitMs <= 0) {
        this.sent.push(now);
        this.nextSlotMs = now + this.o.minIntervalMs;
        return;
      }
      await new Promise<void>((resolve) => this.o.clock.setTimeout(() => resolve(), waitMs));
    }
  }
}
