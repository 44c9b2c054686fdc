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
 * humanTimes costs 15–100 µs (three zone conversions) and runs inside `emit`. Zone offsets change
 * on whole minutes, so it runs twice a minute (at its first and last second: when the text around
 * the seconds is the same at both, it holds for the whole minute), each second's strings are put
 * together from that, split around the milliseconds, and reassembled per event.
 */
export class HumanTimeCache {
  private second = Number.NaN;
  private minute = Number.NaN;
  /** Per zone, the minute's text before its seconds and after its milliseconds; null: an offset changed within it. */
  private minuteParts: Array<[string, string]> | null = null;
  private parts: Array<[string, string]> = [];

  get(ms: number): HumanTimes {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.second) this.enterSecond(sec);
    const frac = MILLIS[ms - sec * 1000]!;
    const [u, n, e] = this.parts as [[string, string], [string, string], [string, string]];
    return { ts_utc: u[0] + frac + u[1], ts_nyc: n[0] + frac + n[1], ts_es: e[0] + frac + e[1] };
  }

  private enterSecond(sec: number): void {
    this.second = sec;
    const minute = Math.floor(sec / 60);
    if (minute !== this.minute) {
      this.minute = minute;
      const first = aroundSeconds(humanTimes(minute * 60_000));
      const last = aroundSeconds(humanTimes(minute * 60_000 + 59_000));
      this.minuteParts = first && last && first.every((p, i) => p[0] === last[i]![0] && p[1] === last[i]![1]) ? first : null;
    }
    if (this.minuteParts) {
      const ss = SECONDS[sec - minute * 60]!;
      this.parts = this.minuteParts.map(([before, after]) => [before + ss + '.', after]);
    } else {
      const h = humanTimes(sec * 1000);
      this.parts = [split(h.ts_utc), split(h.ts_nyc), split(h.ts_es)];
    }
  }
}

const SECONDS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Each string as [text up to its seconds, text after its milliseconds]; null if one is not `…:SS.mmm…`. */
function aroundSeconds(h: HumanTimes): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  for (const iso of [h.ts_utc, h.ts_nyc, h.ts_es]) {
    const dot = iso.indexOf('.', 17);
    if (dot < 3 || iso[dot - 3] !== ':') return null;
    out.push([iso.slice(0, dot - 2), iso.slice(dot + 4)]);
  }
  return out;
}

const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** ISO strings from luxon carry `.SSS` right after the seconds: [text up to the dot, text after the millis]. */
function split(iso: string): [string, string] {
  const dot = iso.indexOf('.', 17);
  return dot < 0 ? [iso, ''] : [iso.slice(0, dot + 1), iso.slice(dot + 4)];
}

export function recordLine(event: HeliosEvent, seq: number, windowId: string | undefined, times: HumanTimeCache, provenance?: Provenance): string {
  return recordEnvelope(event, windowId).slice(0, -1) + recordTail(event, seq, windowId, times, provenance);
}

/** A line's first part: the envelope as JSON, with the window id the recorder stamps in its envelope place. */
export function recordEnvelope(event: HeliosEvent, windowId: string | undefined): string {
  // The stamped window_id belongs in the envelope's key order, so only then is the event copied.
  return windowId !== undefined && event.window_id === undefined ? serializeEnvelope({ ...event, window_id: windowId }) : serializeEnvelope(event);
}

/**
 * A line's second part, which takes the place of the envelope's closing brace: the recorder's
 * fields, the brace and the newline. Kept apart so the recorder writes both parts as bytes without
 * first joining them into one string.
 */
export function recordTail(event: HeliosEvent, seq: number, windowId: string | undefined, times: HumanTimeCache, provenance?: Provenance): string {
  const h = times.get(event.ts_ingest);
  // Recorder keys follow the envelope in sorted order, exactly as serializeEnvelope orders extras.
  let extra = (provenance === undefined ? '' : ',"provenance":"' + provenance + '"') + ',"seq":' + seq + ',"ts_es":"' + h.ts_es + '","ts_ingest_utc":"' + h.ts_utc + '","ts_nyc":"' + h.ts_nyc + '"';
  if (event.ts_source !== undefined) extra += ',"ts_source_utc":"' + new Date(event.ts_source).toISOString() + '"';
  if (windowId !== undefined && event.window_id === undefined) extra += ',"window_stamped":true';
  return extra + '}\n';
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
