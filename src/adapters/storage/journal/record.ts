import type { HeliosEvent } from '../../../domain/events/catalog.ts';
import { humanTimes, type HumanTimes } from '../../../domain/time/zones.ts';
import { serializeEnvelope } from '../../../domain/util/stable-json.ts';

/**
 * One journal line: the event envelope exactly as emitted, plus fields the recorder derives at the
 * edge. `serializeEnvelope` writes the envelope keys first in their fixed order, then these extras
 * sorted, so a line reads `{"schema_version":1,"event_id":…,"payload":{…},"seq":…,"ts_es":…,"ts_ingest_utc":…,"ts_nyc":…}`.
 *
 * `window_id` is the envelope key: the recorder sets it on events inside an event window, and then
 * also writes `window_stamped: true` so replay can hand the event back exactly as it was emitted.
 */
/**
 * Where a recorded event came from: a real source (`live`), a simulator (`simulator`), or a replay
 * of earlier records (`playback`). One recorder writes for one process, whose mode decides it.
 */
export type Provenance = 'live' | 'simulator' | 'playback';

export interface RecorderFields {
  provenance?: Provenance;
  /** Recorder sequence: the order events reached the recorder; breaks timestamp ties in replay. */
  seq: number;
  ts_ingest_utc: string;
  ts_nyc: string;
  ts_es: string;
  ts_source_utc?: string;
  window_stamped?: true;
}

export type JournalRecord = HeliosEvent & RecorderFields;

const RECORDER_KEYS = ['provenance', 'seq', 'ts_ingest_utc', 'ts_nyc', 'ts_es', 'ts_source_utc', 'window_stamped'] as const;

/**
 * humanTimes costs ~20 µs (three zone conversions); offsets cannot change within a second, so each
 * string is computed once per second, split around its milliseconds, and reassembled per event.
 */
export class HumanTimeCache {
  private second = Number.NaN;
  private parts: Array<[string, string]> = [];

  get(ms: number): HumanTimes {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.second) {
      this.second = sec;
      const h = humanTimes(sec * 1000);
      this.parts = [split(h.ts_utc), split(h.ts_nyc), split(h.ts_es)];
    }
    const frac = MILLIS[ms - sec * 1000]!;
    const [u, n, e] = this.parts as [[string, string], [string, string], [string, string]];
    return { ts_utc: u[0] + frac + u[1], ts_nyc: n[0] + frac + n[1], ts_es: e[0] + frac + e[1] };
  }
}

const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** ISO strings from luxon carry `.SSS` right after the seconds: [text up to the dot, text after the millis]. */
function split(iso: string): [string, string] {
  const dot = iso.indexOf('.', 17);
  return dot < 0 ? [iso, ''] : [iso.slice(0, dot + 1), iso.slice(dot + 4)];
}

export function recordLine(event: HeliosEvent, seq: number, windowId: string | undefined, times: HumanTimeCache, provenance?: Provenance): string {
  const stamp = windowId !== undefined && event.window_id === undefined;
  // The stamped window_id belongs in the envelope's key order, so only then is the event copied.
  const env = stamp ? serializeEnvelope({ ...event, window_id: windowId }) : serializeEnvelope(event);
  const h = times.get(event.ts_ingest);
  // Recorder keys follow the envelope in sorted order, exactly as serializeEnvelope orders extras.
  let extra = (provenance === undefined ? '' : ',"provenance":"' + provenance + '"') + ',"seq":' + seq + ',"ts_es":"' + h.ts_es + '","ts_ingest_utc":"' + h.ts_utc + '","ts_nyc":"' + h.ts_nyc + '"';
  if (event.ts_source !== undefined) extra += ',"ts_source_utc":"' + new Date(event.ts_source).toISOString() + '"';
  if (stamp) extra += ',"window_stamped":true';
  return env.slice(0, -1) + extra + '}\n';
}

/** The event as it was emitted: recorder fields removed, a stamped window_id removed. */
export function eventFromRecord(record: object): HeliosEvent {
  const ev: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  if (ev.window_stamped === true) delete ev.window_id;
  for (const k of RECORDER_KEYS) delete ev[k];
  return ev as unknown as HeliosEvent;
}

/** Cheap structural check for a parsed line (full zod validation belongs to edges that need it). */
export function looksLikeRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.event_id === 'string' && typeof v.type === 'string' && typeof v.ch === 'string' && typeof v.ts_ingest === 'number' && typeof v.seq === 'number';
}
