import type { ReportType } from '../../domain/weather/metar-report.ts';
import { throttledJsonFor, type ThrottledClientOptions, type ThrottledJson } from './http-json.ts';

/** One report from the aviationweather.gov data API (`/api/data/metar?format=json`). */
export interface AwcReport {
  station: string;
  /** Observation time from `obsTime` (epoch seconds); `reportTime` is rounded and never used. */
  obsMs: number;
  raw: string;
  typeHint: ReportType | null;
}

export interface AwcClientOptions extends ThrottledClientOptions {
  baseUrl: string;
}

/** METAR/SPECI for a set of stations over the last hours, cached and rate limited. */
export class AwcMetarClient {
  private readonly http: ThrottledJson;

  constructor(private readonly o: AwcClientOptions) {
    this.http = throttledJsonFor(o, 0);
  }

  get requestCount(): number {
    return this.http.requests;
  }

  async recent(stationIds: readonly string[], hours: number): Promise<AwcReport[]> {
    const ids = [...stationIds].sort().join(',');
    const url = `${this.o.baseUrl.replace(/\/$/, '')}/api/data/metar?ids=${encodeURIComponent(ids)}&format=json&hours=${hours}`;
    const body = await this.http.get(url);
    if (body === null) return [];
    if (!Array.isArray(body)) throw new Error('AWC: expected a JSON array');
    const out: AwcReport[] = [];
    for (const item of body as Array<Record<string, unknown> | null>) {
      if (typeof item !== 'object' || item === null) continue;
      const raw = typeof item.rawOb === 'string' ? item.rawOb : null;
      const obsTime = typeof item.obsTime === 'number' ? item.obsTime : typeof item.obsTime === 'string' ? Date.parse(item.obsTime) / 1000 : Number.NaN;
      if (!raw || !Number.isFinite(obsTime * 1000)) continue;
      const t = item.metarType;
      out.push({
        station: typeof item.icaoId === 'string' ? item.icaoId : raw.split(' ')[0] ?? '',
        obsMs: Math.round(obsTime * 1000),
        raw,
        typeHint: t === 'SPECI' ? 'SPECI' : t === 'METAR' ? 'METAR' : null,
      });
    }
    return out.sort((a, b) => a.obsMs - b.obsMs || a.station.localeCompare(b.station));
  }
}
