import type { Clock } from '../time/clock.ts';
import { channelOf, SCHEMA_VERSION, type EventIds, type EventOf, type EventType, type PayloadOf } from './catalog.ts';
import type { IdGenerator } from './ids.ts';

export interface EventMeta extends EventIds {
  correlation_id?: string;
  causation_id?: string;
  ts_source?: number;
  /**
   * The ingest time to stamp instead of the clock's reading: events of one sampling (the book
   * snapshots of one tick) carry one time, even when the clock moves between them.
   */
  ts_ingest?: number;
}

/** Builds envelopes: id and ingest time from the injected generator and clock, channel from the catalog. */
export class EventFactory {
  constructor(
    private readonly clock: Clock,
    private readonly nextId: IdGenerator,
  ) {}

  make<T extends EventType>(type: T, payload: PayloadOf<T>, meta: EventMeta = {}): EventOf<T> {
    const ts = Math.floor(meta.ts_ingest ?? this.clock.now());
    const id = this.nextId(ts);
    const ch = channelOf(type);
    if (isBookMeta(meta)) {
      // The market tape's shapes (most events) built whole: fields added one by one after a
      // literal go to a separate property store, a second allocation per event. Same keys, same order.
      const event =
        meta.ts_source !== undefined
          ? { schema_version: SCHEMA_VERSION, event_id: id, correlation_id: id, ch, type, ts_ingest: ts, payload, ts_source: Math.floor(meta.ts_source), market_id: meta.market_id, token_id: meta.token_id }
          : { schema_version: SCHEMA_VERSION, event_id: id, correlation_id: id, ch, type, ts_ingest: ts, payload, market_id: meta.market_id, token_id: meta.token_id };
      return event as unknown as EventOf<T>;
    }
    const event: Record<string, unknown> = {
      schema_version: SCHEMA_VERSION,
      event_id: id,
      correlation_id: meta.correlation_id ?? id,
      ch,
      type,
      ts_ingest: ts,
      payload,
    };
    if (meta.causation_id !== undefined) event.causation_id = meta.causation_id;
    if (meta.ts_source !== undefined) event.ts_source = Math.floor(meta.ts_source);
    if (meta.market_id !== undefined) event.market_id = meta.market_id;
    if (meta.token_id !== undefined) event.token_id = meta.token_id;
    if (meta.station_id !== undefined) event.station_id = meta.station_id;
    if (meta.match_id !== undefined) event.match_id = meta.match_id;
    if (meta.window_id !== undefined) event.window_id = meta.window_id;
    return event as unknown as EventOf<T>;
  }
}

/** Ids of one market's token and nothing else (no correlation, causation, station, match or window). */
function isBookMeta(meta: EventMeta): meta is EventMeta & { market_id: string; token_id: string } {
  return (
    meta.market_id !== undefined &&
    meta.token_id !== undefined &&
    meta.correlation_id === undefined &&
    meta.causation_id === undefined &&
    meta.station_id === undefined &&
    meta.match_id === undefined &&
    meta.window_id === undefined
  );
}
