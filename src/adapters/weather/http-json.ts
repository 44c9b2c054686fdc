import type { Clock } from '../../domain/time/clock.ts';
import { requestJson, type FetchLike } from '../http/request-json.ts';
import { RateLimiter, type RateLimit } from '../http/rate-limiter.ts';

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
 * GET-JSON with a TTL cache and in-flight de-duplication in front of the shared request and rate
 * limiter (minimum interval plus a rolling per-minute budget). `cacheKey` lets callers keep
 * credentials out of keys and errors.
 */
export class ThrottledJson {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly limiter: RateLimiter;
  requests = 0;
  cacheHits = 0;

  constructor(private readonly o: ThrottledJsonOptions) {
    const limits: RateLimit[] = [];
    if (o.minIntervalMs > 0) limits.push({ max: 1, windowMs: o.minIntervalMs });
    if (o.maxPerMinute > 0) limits.push({ max: o.maxPerMinute, windowMs: 60_000 });
    this.limiter = new RateLimiter(o.clock, limits);
  }

  async get(url: string, cacheKey = url, headers: Record<string, string> = {}): Promise<unknown> {
    const hit = this.cache.get(cacheKey);
    if (hit && this.o.clock.now() - hit.atMs < this.o.cacheTtlMs) {
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
    await this.limiter.acquire();
    this.requests++;
    const answer = await requestJson(
      this.o.fetch,
      url,
      { headers: { 'user-agent': this.o.userAgent, ...headers }, target: cacheKey },
      { clock: this.o.clock, ms: this.o.timeoutMs },
    );
    this.cache.set(cacheKey, { atMs: this.o.clock.now(), value: answer.body });
    return answer.body;
  }
}
