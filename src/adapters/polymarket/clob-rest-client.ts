import { backoffDelayMs, type BackoffPolicy } from '../../domain/retry/backoff.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { Rng } from '../../domain/util/random.ts';
import { HttpError, requestJson, type FetchLike } from '../http/request-json.ts';

export interface ClobRestClientOptions {
  /** e.g. https://clob.polymarket.com (no trailing slash needed). */
  baseUrl: string;
  clock: Clock;
  /** Seeded jitter for retry delays. */
  rng: Rng;
  timeoutMs: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  fetch?: FetchLike;
}

export class ClobRestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'ClobRestError';
  }
}

export interface ClobRestMetrics {
  requests: number;
  retries: number;
  rate_limited: number;
  server_errors: number;
  failures: number;
}

/**
 * Public CLOB REST reads used to resync books: `GET /book` for one token, `POST /books` for
 * several. 429 and 5xx answers, timeouts and network errors are retried with exponential backoff
 * (429 honours Retry-After, capped by the backoff ceiling); other 4xx answers fail at once.
 * Bodies are returned as parsed JSON: the decoder validates them.
 */
export class ClobRestClient {
  private readonly base: string;
  private readonly doFetch: FetchLike;
  readonly metrics: ClobRestMetrics = { requests: 0, retries: 0, rate_limited: 0, server_errors: 0, failures: 0 };

  constructor(private readonly opts: ClobRestClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.doFetch = opts.fetch ?? fetch;
  }

  /** The book summary of one token, or null when the venue has no book for it (404). */
  async getBook(tokenId: string): Promise<unknown> {
    return this.request(`/book?token_id=${encodeURIComponent(tokenId)}`, { method: 'GET' }, true);
  }

  /** Book summaries of several tokens in one request (tokens without a book are absent). */
  async getBooks(tokenIds: readonly string[]): Promise<unknown[]> {
    if (tokenIds.length === 0) return [];
    const body = JSON.stringify(tokenIds.map((token_id) => ({ token_id })));
    const out = await this.request('/books', { method: 'POST', body, headers: { 'content-type': 'application/json' } }, false);
    if (!Array.isArray(out)) throw new ClobRestError('POST /books answered with something other than an array', 200, 1);
    return out;
  }

  private async request(path: string, req: { method: 'GET' | 'POST'; body?: string; headers?: Record<string, string> }, nullOn404: boolean): Promise<unknown> {
    let last: HttpError | null = null;
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (attempt > 1) this.metrics.retries++;
      this.metrics.requests++;
      let waitMs: number | null = null;
      try {
        return (await requestJson(this.doFetch, this.base + path, { ...req, target: path }, { clock: this.opts.clock, ms: this.opts.timeoutMs })).body;
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        last = err;
        if (err.status === 404 && nullOn404) return null;
        if (err.status === 429) {
          this.metrics.rate_limited++;
          waitMs = retryAfterMs(err.retryAfter, this.opts.backoff.maxMs);
        } else if (err.status >= 500) {
          this.metrics.server_errors++;
        } else if (err.status !== 0) {
          // Other 4xx answers and unparsable 2xx bodies: retrying will not change them.
          break;
        }
      }
      if (attempt < this.opts.maxAttempts) {
        await this.sleep(waitMs ?? backoffDelayMs(attempt, this.opts.backoff, this.opts.rng()));
      }
    }
    this.metrics.failures++;
    throw new ClobRestError(last?.message ?? `${req.method} ${path} failed`, last && last.status !== 0 ? last.status : null, this.opts.maxAttempts);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.opts.clock.setTimeout(() => resolve(), ms));
  }
}

function retryAfterMs(header: string | null, capMs: number): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(capMs, seconds * 1000);
}
