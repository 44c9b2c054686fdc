import type { PwsObservation } from '../../domain/weather/pws-qc.ts';
import { throttledJsonFor, type ThrottledClientOptions, type ThrottledJson } from './http-json.ts';

export interface WuPwsClientOptions extends ThrottledClientOptions {
  baseUrl: string;
  /** The weather.com key; only `reveal()` is called, and never into a URL that is logged or cached. */
  apiKey: { reveal(): string };
  maxRequestsPerMinute: number;
}

/**
 * Weather Underground PWS API v2, current conditions (`/v2/pws/observations/current`, imperial
 * units: whole °F), cached and rate limited per the key's quota.
 */
export class WuPwsClient {
  private readonly http: ThrottledJson;

  constructor(private readonly o: WuPwsClientOptions) {
    this.http = throttledJsonFor(o, o.maxRequestsPerMinute);
  }

  get requestCount(): number {
    return this.http.requests;
  }

  /** The latest observation of one PWS, or null when it has none within the hour (HTTP 204). */
  async current(pwsId: string): Promise<PwsObservation | null> {
    const base = this.o.baseUrl.replace(/\/$/, '');
    const query = `stationId=${encodeURIComponent(pwsId)}&format=json&units=e&numericPrecision=decimal`;
    const body = await this.http.get(`${base}/v2/pws/observations/current?${query}&apiKey=${encodeURIComponent(this.o.apiKey.reveal())}`, `wu:current:${pwsId}`);
    return parseWuCurrent(body, pwsId);
  }
}

export function parseWuCurrent(body: unknown, pwsId: string): PwsObservation | null {
  if (body === null || typeof body !== 'object') return null;
  const list = (body as { observations?: unknown }).observations;
  if (!Array.isArray(list) || list.length === 0) return null;
  const first: unknown = list[0];
  if (first === null || typeof first !== 'object') return null;
  const o = first as Record<string, unknown>;
  const epoch = typeof o.epoch === 'number' ? o.epoch * 1000 : typeof o.obsTimeUtc === 'string' ? Date.parse(o.obsTimeUtc) : Number.NaN;
  if (!Number.isFinite(epoch)) return null;
  const imperial = (o.imperial ?? {}) as Record<string, unknown>;
  // JSON.parse reads 1e400 as Infinity: only finite numbers are readings.
  const temp = Number.isFinite(imperial.temp) ? (imperial.temp as number) : null;
  return {
    pwsId: typeof o.stationID === 'string' ? o.stationID : pwsId,
    obsMs: epoch,
    tempF: temp,
    qcStatus: Number.isFinite(o.qcStatus) ? (o.qcStatus as number) : null,
  };
}
