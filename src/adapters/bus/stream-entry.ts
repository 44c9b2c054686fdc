import { EVENT_CATALOG, heliosEventSchema, type HeliosEvent } from '../../domain/events/catalog.ts';
import { fieldValue } from './redis-client.ts';

/**
 * The shape of a Redis stream entry. An entry holds the events one flush published on one topic,
 * as a JSON array (`b`) beside their count (`n`, so a backlog is counted without parsing arrays).
 * Entries written before batching hold a single event in `e`; they are still read (a data dir from
 * before), and validated with the full schema as any foreign input is.
 *
 * The array is written by one JSON.stringify call: the transport needs no stable key order (nothing
 * compares its bytes; journals serialize with stableStringify themselves), and one native call per
 * entry costs a fraction of per-event stable serialization.
 */
export const EVENTS_FIELD = 'b';
export const COUNT_FIELD = 'n';
export const LEGACY_EVENT_FIELD = 'e';

/**
 * The events go out as bytes: node-redis writes a Buffer argument to the socket as it is, while a
 * string argument is concatenated into the command's text (a young-generation copy of every
 * event's JSON per XADD, then encoded again by the socket), which made collections pause the
 * publish loop more often.
 */
export function encodeEntry(events: readonly HeliosEvent[]): Array<string | Buffer> {
  return [COUNT_FIELD, String(events.length), EVENTS_FIELD, Buffer.from(JSON.stringify(events))];
}

export interface EntryProblem {
  reason: string;
  sample: string;
}

/**
 * An entry's events by slot; a slot is undefined where its event is malformed (one problem each,
 * in slot order). No slots at all: the entry itself is unreadable (one problem).
 */
export interface DecodedEntry {
  events: Array<HeliosEvent | undefined>;
  problems: EntryProblem[];
}

export function decodeEntry(fields: readonly string[]): DecodedEntry {
  const batch = fieldValue(fields, EVENTS_FIELD);
  if (batch !== undefined) return decodeBatch(batch, fieldValue(fields, COUNT_FIELD));
  const single = fieldValue(fields, LEGACY_EVENT_FIELD);
  if (single !== undefined) return decodeLegacy(single);
  return unreadable(`no "${EVENTS_FIELD}" (events) or "${LEGACY_EVENT_FIELD}" (event) field`, JSON.stringify(fields));
}

/** How many events an entry holds, from its count field alone (legacy and unreadable entries: 1). */
export function eventCountOf(fields: readonly string[] | null): number {
  if (!fields) return 1;
  const n = Number(fieldValue(fields, COUNT_FIELD));
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * The envelope of a batch entry is checked once (a JSON array of the announced length); its events
 * get a structural check only (identity, a catalogued type on its channel, a payload object): our
 * own producer wrote them from typed events, and the full schema per event is what made the
 * consumer slow.
 */
function decodeBatch(raw: string, count: string | undefined): DecodedEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return unreadable(`invalid JSON: ${(err as Error).message}`, raw);
  }
  if (!Array.isArray(parsed)) return unreadable('events field is not a JSON array', raw);
  if (count !== undefined && Number(count) !== parsed.length) return unreadable(`announced ${count} events, holds ${parsed.length}`, raw);
  const events: Array<HeliosEvent | undefined> = parsed;
  const problems: EntryProblem[] = [];
  for (let i = 0; i < events.length; i++) {
    const reason = shapeProblem(events[i]);
    if (reason === null) continue;
    problems.push({ reason: `event ${i}: ${reason}`, sample: JSON.stringify(events[i]) ?? String(events[i]) });
    events[i] = undefined;
  }
  return { events, problems };
}

function shapeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const e = value as Record<string, unknown>;
  if (typeof e.event_id !== 'string') return 'invalid event at event_id';
  if (typeof e.type !== 'string' || !Object.hasOwn(EVENT_CATALOG, e.type)) return 'invalid event at type';
  if (e.ch !== EVENT_CATALOG[e.type as keyof typeof EVENT_CATALOG].ch) return 'invalid event at ch';
  if (typeof e.ts_ingest !== 'number') return 'invalid event at ts_ingest';
  if (typeof e.payload !== 'object' || e.payload === null) return 'invalid event at payload';
  return null;
}

function decodeLegacy(raw: string): DecodedEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return unreadable(`invalid JSON: ${(err as Error).message}`, raw);
  }
  const result = heliosEventSchema.safeParse(parsed);
  if (result.success) return { events: [result.data], problems: [] };
  const issue = result.error.issues[0];
  return { events: [undefined], problems: [{ reason: `invalid event at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, sample: raw }] };
}

function unreadable(reason: string, sample: string): DecodedEntry {
  return { events: [], problems: [{ reason, sample }] };
}

/**
 * The event ids an entry holds, of either shape, read leniently (audits ask whether an event
 * reached the server, not whether it still passes today's schema).
 */
export function eventIdsOf(fields: readonly string[]): string[] {
  const batch = fieldValue(fields, EVENTS_FIELD);
  if (batch === undefined) {
    const id = /"event_id":"([^"]+)"/.exec(fieldValue(fields, LEGACY_EVENT_FIELD) ?? '')?.[1];
    return id ? [id] : [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(batch);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const ids: string[] = [];
  for (const e of parsed) if (typeof (e as { event_id?: unknown } | null)?.event_id === 'string') ids.push((e as { event_id: string }).event_id);
  return ids;
}
