import { EVENT_CATALOG, type EventType, type HeliosEvent } from '../../domain/events/catalog.ts';

/**
 * The envelope of an event read from Redis, checked by hand at the consumer edge. zod over every
 * event (the whole payload included) cost more than the rest of the read path; the payload is left
 * as its writer, an `EventFactory` in one of our processes, built it (the catalog's payload schemas
 * hold no defaults or transforms, so skipping them changes no value). What this checks is what
 * routing, dedup and ordering rely on: the same rules as the catalog's envelope schema.
 */
export interface EnvelopeProblem {
  path: string;
  message: string;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const OPTIONAL_IDS = ['causation_id', 'market_id', 'token_id', 'station_id', 'match_id', 'window_id'] as const;
const KNOWN = new Set<string>(['schema_version', 'event_id', 'correlation_id', 'ts_ingest', 'ts_source', 'ch', 'type', 'payload', ...OPTIONAL_IDS]);

const isNonNegativeInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** null when `value` is a well-formed event envelope; otherwise the first problem found. */
export function envelopeProblem(value: unknown): EnvelopeProblem | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { path: '', message: 'not an object' };
  const v = value as Record<string, unknown>;
  const type = v.type;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_CATALOG, type)) return { path: 'type', message: 'unknown event type' };
  if (v.ch !== EVENT_CATALOG[type as EventType].ch) return { path: 'ch', message: `expected "${EVENT_CATALOG[type as EventType].ch}"` };
  if (typeof v.schema_version !== 'number' || !Number.isSafeInteger(v.schema_version) || v.schema_version <= 0) return { path: 'schema_version', message: 'a positive integer' };
  if (typeof v.event_id !== 'string' || !ULID.test(v.event_id)) return { path: 'event_id', message: 'a 26-character ULID' };
  if (!isNonEmptyString(v.correlation_id)) return { path: 'correlation_id', message: 'a non-empty string' };
  if (!isNonNegativeInt(v.ts_ingest)) return { path: 'ts_ingest', message: 'a non-negative integer' };
  if (v.ts_source !== undefined && !isNonNegativeInt(v.ts_source)) return { path: 'ts_source', message: 'a non-negative integer' };
  for (const k of OPTIONAL_IDS) if (v[k] !== undefined && !isNonEmptyString(v[k])) return { path: k, message: 'a non-empty string' };
  const p = v.payload;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return { path: 'payload', message: 'an object' };
  for (const k in v) if (!KNOWN.has(k)) return { path: k, message: 'unrecognized key' };
  return null;
}

/** The value as an event, once `envelopeProblem` found nothing. */
export function asCheckedEvent(value: unknown): HeliosEvent {
  return value as HeliosEvent;
}
