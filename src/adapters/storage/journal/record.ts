import type { HeliosEvent } from '../../../domain/events/catalog.ts';
import { humanTimes, type HumanTimes } from '../../../domain/time/zones.ts';
import { StableJsonWriter } from '../../../domain/util/stable-json.ts';

/**
 * One journal line: the event envelope exactly as emitted, plus fields the recorder derives at the
 * edge. `writeRecord` writes the envelope keys first in their fixed order, then these extras
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
  /** The second's parts are printable ASCII without quotes or backslashes (written as bytes as they are). */
  private plain = false;
  private utcSecond = Number.NaN;
  /**
   * `"…Z"`, the quoted `toISOString()` of a time in the second `utcSecond`: its milliseconds are
   * written into it and the whole copied (reading the text of the second char by char for each
   * event cost more than the rest of the field).
   */
  private readonly utcQuoted = new Uint8Array(UTC_QUOTED_LENGTH);
  /** `write`'s bytes for the time `fieldsMs`. */
  private fieldsMs = Number.NaN;
  private fields = new Uint8Array(0);
  /** The second of `fieldsMs` when `fields` has the plain layout, and where its three `mmm` are. */
  private fieldsSecond = Number.NaN;
  private readonly fieldsMillisAt = [0, 0, 0];

  get(ms: number): HumanTimes {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.second) this.enterSecond(sec);
    // A fractional millisecond is dropped, as the zone conversion does (it wrote "undefined").
    const frac = MILLIS[Math.floor(ms) - sec * 1000]!;
    const [u, n, e] = this.parts as [[string, string], [string, string], [string, string]];
    return { ts_utc: u[0] + frac + u[1], ts_nyc: n[0] + frac + n[1], ts_es: e[0] + frac + e[1] };
  }

  /**
   * A line's three zone fields, `,"ts_es":"…","ts_ingest_utc":"…","ts_nyc":"…"`, for `ms`. The
   * events of one turn share their ingest time: the fields last written are copied for them.
   */
  write(w: StableJsonWriter, ms: number): void {
    if (ms === this.fieldsMs) return w.raw(this.fields);
    const sec = Math.floor(ms / 1000);
    if (sec === this.fieldsSecond && Number.isInteger(ms)) {
      // Another millisecond of the same second: only the three `mmm` differ (putting the fields
      // together again cost ~0.7 µs, once per millisecond of ingest time).
      const fields = this.fields;
      const millis = ms - sec * 1000;
      for (const at of this.fieldsMillisAt) {
        let m = millis;
        for (let i = at + 2; i >= at; i--) {
          const tens = (m / 10) | 0;
          fields[i] = 0x30 + m - tens * 10;
          m = tens;
        }
      }
      this.fieldsMs = ms;
      return w.raw(fields);
    }
    const start = w.pos;
    const plain = this.writeFields(w, ms);
    // A copy: the writer's memory is reused once its chunk is flushed, and a Buffer's `slice` is
    // only a view of it (the recorder's chunks are Buffers). Not `Uint8Array.from`, which iterates
    // (~0.8 µs a copy).
    const fields = new Uint8Array(w.pos - start);
    fields.set(w.bytes.subarray(start, w.pos));
    this.fields = fields;
    this.fieldsMs = ms;
    this.fieldsSecond = plain ? sec : Number.NaN;
    for (let i = 0; i < 3; i++) this.fieldsMillisAt[i]! -= start;
  }

  /** Writes the fields; true when in the plain layout, with `fieldsMillisAt` where each `mmm` was written. */
  private writeFields(w: StableJsonWriter, ms: number): boolean {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.second) this.enterSecond(sec);
    const frac = MILLIS[ms - sec * 1000];
    if (frac === undefined || !this.plain) {
      const h = this.get(ms);
      w.ascii(',"ts_es":');
      w.string(h.ts_es);
      w.ascii(',"ts_ingest_utc":');
      w.string(h.ts_utc);
      w.ascii(',"ts_nyc":');
      w.string(h.ts_nyc);
      return false;
    }
    const [u, n, e] = this.parts as [[string, string], [string, string], [string, string]];
    const at = this.fieldsMillisAt;
    w.ascii(',"ts_es":"');
    at[0] = writeAround(w, e, frac);
    w.ascii(',"ts_ingest_utc":"');
    at[1] = writeAround(w, u, frac);
    w.ascii(',"ts_nyc":"');
    at[2] = writeAround(w, n, frac);
    return true;
  }

  /** `ms` as `Date.toISOString()` spells it, quoted; the text up to the milliseconds is kept per second. */
  writeUtc(w: StableJsonWriter, ms: number): void {
    if (!Number.isInteger(ms)) return w.string(new Date(ms).toISOString());
    const sec = Math.floor(ms / 1000);
    const q = this.utcQuoted;
    if (sec !== this.utcSecond) {
      const iso = new Date(sec * 1000).toISOString();
      // Years past 9999 (and before 0) take six digits and a sign: not the fixed layout.
      if (iso.length + 2 !== UTC_QUOTED_LENGTH) return w.string(new Date(ms).toISOString());
      q[0] = 0x22;
      for (let i = 0; i < iso.length; i++) q[i + 1] = iso.charCodeAt(i);
      q[UTC_QUOTED_LENGTH - 1] = 0x22;
      this.utcSecond = sec;
    }
    let millis = ms - sec * 1000;
    for (let i = UTC_MILLIS_END; i > UTC_MILLIS_END - 3; i--) {
      const tens = (millis / 10) | 0;
      q[i] = 0x30 + millis - tens * 10;
      millis = tens;
    }
    w.raw(q);
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
    this.plain = this.parts.every(([before, after]) => PLAIN_TEXT.test(before) && PLAIN_TEXT.test(after));
  }
}

/** `"YYYY-MM-DDTHH:MM:SS.mmmZ"` with its quotes; the milliseconds' last digit is at `UTC_MILLIS_END`. */
const UTC_QUOTED_LENGTH = 26;
const UTC_MILLIS_END = 23;

const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Writes `before`, `frac`, `after` and a closing quote; returns where `frac` was written. */
function writeAround(w: StableJsonWriter, [before, after]: [string, string], frac: string): number {
  w.ascii(before);
  const at = w.pos;
  w.ascii(frac);
  w.ascii(after);
  w.byte(0x22);
  return at;
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

/** A journal line as a string (tests, tools); the recorder writes the same bytes with `writeRecord`. */
export function recordLine(event: HeliosEvent, seq: number, windowId: string | undefined, times: HumanTimeCache, provenance?: Provenance): string {
  const w = new StableJsonWriter(512);
  writeRecord(w, event, seq, windowId, times, provenance);
  return w.text();
}

/**
 * Appends one journal line (newline included): the envelope, with the window id the recorder
 * stamps in its envelope place, then the recorder's fields, which follow the envelope keys in
 * sorted order exactly as extra keys of an envelope are ordered.
 */
export function writeRecord(
  w: StableJsonWriter,
  event: HeliosEvent,
  seq: number,
  windowId: string | undefined,
  times: HumanTimeCache,
  provenance?: Provenance,
): void {
  const stamped = windowId !== undefined && event.window_id === undefined;
  w.envelopeOpen(event, stamped ? windowId : undefined);
  if (provenance !== undefined) {
    w.ascii(',"provenance":');
    w.string(provenance);
  }
  w.ascii(',"seq":');
  w.number(seq);
  times.write(w, event.ts_ingest);
  if (event.ts_source !== undefined) {
    w.ascii(',"ts_source_utc":');
    times.writeUtc(w, event.ts_source);
  }
  w.ascii(stamped ? ',"window_stamped":true}\n' : '}\n');
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
