import { z } from 'zod';
import { CHANNELS, type Channel } from './channels.ts';
import { marketPayloads } from './payloads/market.ts';
import { worldPayloads } from './payloads/world.ts';
import { truthPayloads } from './payloads/truth.ts';
import { tradingPayloads } from './payloads/trading.ts';
import { opsPayloads } from './payloads/ops.ts';

/** Every event type, with its channel and payload schema. One entry per type, by area. */
export const EVENT_CATALOG = {
  ...marketPayloads,
  ...worldPayloads,
  ...truthPayloads,
  ...tradingPayloads,
  ...opsPayloads,
} as const;

type Catalog = typeof EVENT_CATALOG;
export type EventType = keyof Catalog;
export type PayloadOf<T extends EventType> = z.infer<Catalog[T]['payload']>;
export type ChannelOf<T extends EventType> = Catalog[T]['ch'];

export const EVENT_TYPES = Object.keys(EVENT_CATALOG).sort() as EventType[];

export function channelOf(type: EventType): Channel {
  return EVENT_CATALOG[type].ch;
}

export const SCHEMA_VERSION = 1 as const;

/** Ids an event may carry; which apply depends on the event. */
export interface EventIds {
  market_id?: string;
  token_id?: string;
  station_id?: string;
  match_id?: string;
  window_id?: string;
}

export interface EnvelopeFields extends EventIds {
  schema_version: number;
  event_id: string;
  correlation_id: string;
  causation_id?: string;
  ts_ingest: number;
  ts_source?: number;
}

export type EventOf<T extends EventType> = EnvelopeFields & { ch: ChannelOf<T>; type: T; payload: PayloadOf<T> };
export type HeliosEvent = { [T in EventType]: EventOf<T> }[EventType];

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const envelopeShape = {
  schema_version: z.number().int().positive(),
  event_id: z.string().regex(ULID, 'a 26-character ULID'),
  correlation_id: z.string().min(1),
  causation_id: z.string().min(1).optional(),
  ts_ingest: z.number().int().nonnegative(),
  ts_source: z.number().int().nonnegative().optional(),
  market_id: z.string().min(1).optional(),
  token_id: z.string().min(1).optional(),
  station_id: z.string().min(1).optional(),
  match_id: z.string().min(1).optional(),
  window_id: z.string().min(1).optional(),
};

function eventSchemaFor<T extends EventType>(type: T) {
  const entry = EVENT_CATALOG[type];
  return z.strictObject({
    ...envelopeShape,
    ch: z.literal(entry.ch),
    type: z.literal(type),
    payload: entry.payload,
  });
}

const schemas = EVENT_TYPES.map((t) => eventSchemaFor(t));

/**
 * The envelope schema, used at the edges only (bus consumers on Redis, control messages, files);
 * never per message on the hot path.
 */
export const heliosEventSchema = z.discriminatedUnion(
  'type',
  schemas as unknown as [ReturnType<typeof eventSchemaFor>, ...ReturnType<typeof eventSchemaFor>[]],
) as unknown as z.ZodType<HeliosEvent>;

// Every channel named by the catalog must exist; checked once at load time.
for (const t of EVENT_TYPES) {
  if (!(CHANNELS as readonly string[]).includes(EVENT_CATALOG[t].ch)) throw new Error(`event ${t}: unknown channel`);
}
