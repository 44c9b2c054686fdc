import { z } from 'zod';
import { backoffDelayMs, type BackoffPolicy } from '../../domain/retry/backoff.ts';
import type { ReportType } from '../../domain/weather/metar-report.ts';
import { HttpError } from '../http/request-json.ts';
import { throttledJsonFor, type ThrottledClientOptions, type ThrottledJson } from './http-json.ts';

/** One report from the aviationweather.gov data API (`/api/data/metar?format=json`). */
export interface AwcReport {
  station: string;
  /** Observation time from `obsTime` (epoch seconds); `reportTime` is rounded and never used. */
  obsMs: number;
  raw: string;
  typeHint: ReportType | null;
}

/**
 * The fields of one data-API METAR that helios reads. `obsTime` is epoch seconds (an ISO string
 * is accepted too); `reportTime` is AWC's rounded issue time and deliberately not read.
 */
const awcMetarSchema = z.looseObject({
  icaoId: z.string().optional(),
  obsTime: z.union([z.number(), z.string()]),
  rawOb: z.string().min(1),
  metarType: z.string().nullable().optional(),
});

export interface AwcClientOptions extends ThrottledClientOptions {
  baseUrl: string;
  /** Requests in any rolling minute (AWC's data API allows 100; 0 or absent: only the spacing). */
  maxRequestsPerMinute?: number;
  /**
   * After an answer that says "not now" (429, 5xx, no answer at all) no request is sent until
   * backoff(consecutive failures) has passed, or the answer's Retry-After when that is longer.
   * Absent: no backoff (the poll interval alone spaces retries).
   */
  backoff?: BackoffPolicy;
}

/** Thrown instead of a request while the client is backing off. */
export class AwcBackingOff extends Error {
  constructor(
    readonly until: number,
    readonly failures: number,
  ) {
    super(`AWC: backing off after ${failures} failed request(s) until ${new Date(until).toISOString()}`);
    this.name = 'AwcBackingOff';
  }
}

/** METAR/SPECI for a set of stations over the last hours, cached, rate limited, backing off on failures. */
export class AwcMetarClient {
  private readonly http: ThrottledJson;
  private failures = 0;
  private blockedUntil = Number.NEGATIVE_INFINITY;
  /** Reports in answers that lacked what a report needs (no raw text, no observation time). */
  skippedReports = 0;

  constructor(private readonly o: AwcClientOptions) {
    this.http = throttledJsonFor(o, o.maxRequestsPerMinute ?? 0);
  }

  get requestCount(): number {
    return this.http.requests;
  }

  async recent(stationIds: readonly string[], hours: number): Promise<AwcReport[]> {
    const ids = [...stationIds].sort().join(',');
    const url = `${this.o.baseUrl.replace(/\/$/, '')}/api/data/metar?ids=${encodeURIComponent(ids)}&format=json&hours=${hours}`;
    if (this.o.clock.now() < this.blockedUntil) throw new AwcBackingOff(this.blockedUntil, this.failures);
    let body: unknown;
    try {
      body = await this.http.get(url);
      this.failures = 0;
    } catch (err) {
      this.noteFailure(err);
      throw err;
    }
    if (body === null) return [];
    if (!Array.isArray(body)) throw new Error('AWC: expected a JSON array');
    const out: AwcReport[] = [];
    for (const item of body) {
      const r = awcMetarSchema.safeParse(item);
      const obsSeconds = !r.success ? Number.NaN : typeof r.data.obsTime === 'number' ? r.data.obsTime : Date.parse(r.data.obsTime) / 1000;
      if (!r.success || !Number.isFinite(obsSeconds)) {
        this.skippedReports++;
        continue;
      }
      const { rawOb: raw, metarType: t } = r.data;
      out.push({
        station: r.data.icaoId ?? raw.split(' ').find((w) => w !== 'METAR' && w !== 'SPECI') ?? '',
        obsMs: Math.round(obsSeconds * 1000),
        raw,
        typeHint: t === 'SPECI' ? 'SPECI' : t === 'METAR' ? 'METAR' : null,
      });
    }
    return out.sort((a, b) => a.obsMs - b.obsMs || a.station.localeCompare(b.station));
  }

  private noteFailure(err: unknown): void {
    const policy = this.o.backoff;
    // Other 4xx answers (a bad station id) will not change by waiting: they are the caller's to fix.
    if (!policy || !(err instanceof HttpError) || !(err.status === 0 || err.status === 429 || err.status >= 500)) return;
    this.failures++;
    const retryAfterS = err.retryAfter === null ? Number.NaN : Number(err.retryAfter);
    const retryAfterMs = Number.isFinite(retryAfterS) && retryAfterS >= 0 ? Math.min(policy.maxMs, retryAfterS * 1000) : 0;
    // No jitter draw: one client polls one host, there is no herd to spread.
    this.blockedUntil = this.o.clock.now() + Math.max(backoffDelayMs(this.failures, policy, 0), retryAfterMs);
  }
}
