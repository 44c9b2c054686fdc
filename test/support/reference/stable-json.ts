import { humanTimes } from '../../../src/domain/time/zones.ts';

/**
 * The string serializer journals were written with until main e515226 (before `StableJsonWriter`
 * wrote them as bytes), kept unchanged as the reference the byte writer must match byte for byte,
 * with the journal line as that version put it together (zone times straight from `humanTimes`).
 *
 * JSON with a stable key order, so two equal events always serialize to the same bytes (replay
 * compares files byte for byte): the envelope's fields in a fixed order, every nested object with
 * its keys sorted. Key lists are cached by shape, so steady-state serialization does not sort.
 */
const ENVELOPE_ORDER = [
  'schema_version',
  'event_id',
  'correlation_id',
  'causation_id',
  'ch',
  'type',
  'ts_ingest',
  'ts_source',
  'market_id',
  'token_id',
  'station_id',
  'match_id',
  'window_id',
  'payload',
] as const;
const ENVELOPE_KEYS = new Set<string>(ENVELOPE_ORDER);
const ENVELOPE_PREFIX = ENVELOPE_ORDER.map((k, i) => (i === 0 ? `"${k}":` : `,"${k}":`));

/** Sorted key lists by the object's own key order (objects built by one code path share a shape). */
const sortedKeysCache = new Map<string, string[]>();
const CACHE_LIMIT = 4096;

function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  if (keys.length < 2) return keys;
  let ordered = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      ordered = false;
      break;
    }
  }
  if (ordered) return keys;
  const signature = keys.join('\u0000');
  let sorted = sortedKeysCache.get(signature);
  if (!sorted) {
    sorted = keys.slice().sort();
    if (sortedKeysCache.size < CACHE_LIMIT) sortedKeysCache.set(signature, sorted);
  }
  return sorted;
}

export function stableStringify(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + write(value[i]);
    return out + ']';
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON(): unknown }).toJSON());
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of sortedKeys(obj)) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '"' : ',"') + escapeKey(k) + '":' + write(v);
    first = false;
  }
  return out + '}';
}

const PLAIN_KEY = /^[\w.\-:@/ ]*$/;
function escapeKey(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k).slice(1, -1);
}

/** Serialize an event envelope: known envelope keys in fixed order, any extra keys sorted after. */
export function serializeEnvelope(event: object): string {
  const obj = event as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (let i = 0; i < ENVELOPE_ORDER.length; i++) {
    const v = obj[ENVELOPE_ORDER[i]!];
    if (v === undefined) continue;
    out += (first ? ENVELOPE_PREFIX[i]!.slice(first && i > 0 ? 1 : 0) : ENVELOPE_PREFIX[i]!) + write(v);
    first = false;
  }
  for (const k of sortedKeys(obj)) {
    if (ENVELOPE_KEYS.has(k)) continue;
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '"' : ',"') + escapeKey(k) + '":' + write(v);
    first = false;
  }
  return out + '}';
}

/** A journal line as main e515226 wrote it. */
export function referenceRecordLine(event: Record<string, unknown>, seq: number, windowId: string | undefined, provenance?: string): string {
  const stamped = windowId !== undefined && event.window_id === undefined;
  const envelope = serializeEnvelope(stamped ? { ...event, window_id: windowId } : event);
  const h = humanTimes(event.ts_ingest as number);
  let extra = (provenance === undefined ? '' : ',"provenance":"' + provenance + '"') + ',"seq":' + seq + ',"ts_es":"' + h.ts_es + '","ts_ingest_utc":"' + h.ts_utc + '","ts_nyc":"' + h.ts_nyc + '"';
  if (event.ts_source !== undefined) extra += ',"ts_source_utc":"' + new Date(event.ts_source as number).toISOString() + '"';
  if (stamped) extra += ',"window_stamped":true';
  return envelope.slice(0, -1) + extra + '}\n';
}
