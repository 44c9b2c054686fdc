import { parseGammaEvent, parseGammaMarket, type EventInfo, type MarketInfo } from '../../domain/discovery/gamma-market.ts';
import type { DiscoveryConfig } from '../../config/sections/discovery.ts';
import type { DiscoveryResult } from '../../domain/discovery/result.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import { HttpError, requestJson, type FetchLike } from '../http/request-json.ts';

/**
 * Gamma REST (discovery; never the hot path): events and markets by slug or filter, mapped through
 * `src/domain/discovery`. Requests are rate limited on the injected clock and time out; base URL and
 * fetch are injectable (tests serve answers from a loopback server).
 */
export interface GammaClientOptions {
  /** e.g. https://gamma-api.polymarket.com */
  baseUrl: string;
  clock: Clock;
  /** At most `max` requests in any `windowMs` (Gamma allows 500 /events and 300 /markets per 10 s). */
  rateLimit: { max: number; windowMs: number };
  timeoutMs: number;
  fetch?: FetchLike;
}

/** Client options from the `discovery` config section. */
export function gammaClientOptions(config: DiscoveryConfig, clock: Clock): GammaClientOptions {
  return {
    baseUrl: config.gamma_url,
    clock,
    rateLimit: { max: config.rate_limit_max, windowMs: config.rate_limit_window_ms },
    timeoutMs: config.timeout_ms,
  };
}

export type GammaQuery = Record<string, string | number | boolean | ReadonlyArray<string | number>>;

export class GammaClient {
  private readonly limiter: RateLimiter;
  private readonly fetchImpl: FetchLike;
  private readonly base: string;

  constructor(private readonly opts: GammaClientOptions) {
    if (!(opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    this.limiter = new RateLimiter(opts.clock, [opts.rateLimit]);
    this.fetchImpl = opts.fetch ?? fetch;
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  /** The event with this slug, mapped; null when Gamma has none. */
  async eventBySlug(slug: string): Promise<DiscoveryResult<EventInfo> | null> {
    const found = await this.events({ slug });
    return found[0] ?? null;
  }

  async events(query: GammaQuery): Promise<Array<DiscoveryResult<EventInfo>>> {
    return (await this.getList('/events', query)).map(parseGammaEvent);
  }

  /** The market with this slug, mapped; null when Gamma has none. */
  async marketBySlug(slug: string): Promise<DiscoveryResult<MarketInfo> | null> {
    const found = await this.markets({ slug });
    return found[0] ?? null;
  }

  async markets(query: GammaQuery): Promise<Array<DiscoveryResult<MarketInfo>>> {
    return (await this.getList('/markets', query)).map(parseGammaMarket);
  }

  /** One rate-limited GET; the parsed JSON body. Throws HttpError on HTTP errors, bad JSON and timeouts. */
  async getJson(path: string, query: GammaQuery = {}): Promise<unknown> {
    return (await this.get(path, query)).body;
  }

  /**
   * `/events?…` and `/markets?…` answer arrays; a single object (by-id endpoints) counts as one.
   * Any other answer throws HttpError naming the request, as a failed request does.
   */
  private async getList(path: string, query: GammaQuery): Promise<unknown[]> {
    const { body, target } = await this.get(path, query);
    if (Array.isArray(body)) return body;
    if (typeof body === 'object' && body !== null) return [body];
    throw new HttpError(200, target, `${target}: expected a JSON array, got ${body === null ? 'null' : typeof body}`);
  }

  private async get(path: string, query: GammaQuery): Promise<{ body: unknown; target: string }> {
    await this.limiter.acquire();
    const url = this.base + path + queryString(query);
    const answer = await requestJson(this.fetchImpl, url, {}, { clock: this.opts.clock, ms: this.opts.timeoutMs });
    return { body: answer.body, target: `GET ${url}` };
  }

  /** Rejects requests still waiting for the rate limiter. */
  close(): void {
    this.limiter.close();
  }
}

/** Sorted keys (stable URLs); arrays as repeated keys, the way Gamma reads `condition_ids`. */
function queryString(query: GammaQuery): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const v = query[key]!;
    if (Array.isArray(v)) for (const item of v) params.append(key, String(item));
    else params.append(key, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : '?' + s;
}
