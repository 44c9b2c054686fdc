/**
 * JSON with a stable key order: the envelope's fields first in a fixed order, then nested objects
 * with sorted keys. Two equal events always serialize to the same bytes (replay compares files).
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

export function stableStringify(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + write(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + write(v);
    first = false;
  }
  return out + '}';
}

/** Serialize an event envelope: known envelope keys in fixed order, extra keys sorted after. */
export function serializeEnvelope(event: object): string {
  const obj = event as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of ENVELOPE_ORDER) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + '"' + k + '":' + write(v);
    first = false;
  }
  const extra = Object.keys(obj)
    .filter((k) => !(ENVELOPE_ORDER as readonly string[]).includes(k))
    .sort();
  for (const k of extra) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + write(v);
    first = false;
  }
  return out + '}';
}
