import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { Channel } from '../../domain/events/channels.ts';
import type { ReplaySource } from '../../domain/replay/source.ts';

/** A place on the replay timeline worth jumping to. */
export interface ReplayMarker {
  ts: number;
  kind: 'metar' | 'window' | 'order' | 'fill' | 'halt' | 'resync';
  label: string;
  event_id: string;
  market_id: string | null;
}

const CHANNELS: readonly Channel[] = ['world', 'window', 'order', 'fill', 'control', 'risk', 'l2'];

function markerOf(e: HeliosEvent, ordersSeen: Set<string>): Omit<ReplayMarker, 'ts' | 'event_id' | 'market_id'> | null {
  switch (e.type) {
    case 'METAR_OBS':
      return { kind: 'metar', label: `${e.payload.report_type}${e.payload.corrected ? ' COR' : ''} ${e.station_id ?? ''}` };
    case 'WINDOW_OPEN':
      return { kind: 'window', label: `window ${e.payload.trigger}` };
    case 'ORDER_UPDATE':
      if (ordersSeen.has(e.payload.client_order_id)) return null;
      ordersSeen.add(e.payload.client_order_id);
      return { kind: 'order', label: `${e.payload.side} ${e.payload.size}@${e.payload.price}` };
    case 'FILL':
      return e.payload.status === 'MATCHED' ? { kind: 'fill', label: `fill ${e.payload.side} ${e.payload.size}@${e.payload.price}` } : null;
    case 'HALT':
      return { kind: 'halt', label: `HALT ${e.payload.scope} ${e.payload.reason}` };
    case 'MARKET_STATE':
      // HALT → HALT only announces changed causes: the halt began at the marker already placed.
      return e.payload.state === 'HALT' && e.payload.previous !== 'HALT' ? { kind: 'halt', label: `halt ${e.payload.reason ?? ''}` } : null;
    case 'BOOK_RESYNC_START':
      return { kind: 'resync', label: `resync ${e.payload.reason}` };
    default:
      return null;
  }
}

/**
 * Every marker of a recorded range, read once ahead of playing so the timeline shows where the
 * METARs, windows, orders, fills, halts and resyncs are before the replay gets there. At most
 * `limit` (the earliest); a longer range shows its first ones.
 */
export async function replayMarkers(source: ReplaySource, range: { from: number; to: number }, limit = 5_000): Promise<ReplayMarker[]> {
  const out: ReplayMarker[] = [];
  const ordersSeen = new Set<string>();
  for await (const batch of source.read({ from: range.from, to: range.to, channels: CHANNELS })) {
    for (const r of batch) {
      const m = markerOf(r.event, ordersSeen);
      if (!m) continue;
      out.push({ ts: r.event.ts_ingest, event_id: r.event.event_id, market_id: r.event.market_id ?? null, ...m });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
