import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { coalesceKeyOf } from '../../domain/events/topics.ts';

/**
 * How many events of a type one entity keeps: the views that list history (METAR reports, the
 * tape, transitions, orders, sparklines) need some; everything else only its newest.
 */
const KEEP: Partial<Record<HeliosEvent['type'], number>> = {
  METAR_OBS: 24,
  TRADE: 30,
  MARKET_STATE: 30,
  HEALTH: 120,
  ORDER_UPDATE: 400,
  FILL: 200,
  HALT: 50,
  RESUME: 50,
  ALERT: 50,
  RECONCILE_FORCE: 20,
  POLICY: 4,
  WINDOW_OPEN: 20,
  WINDOW_CLOSE: 20,
};

/** Never replayed to a page: per-delta traffic the views do not draw. */
const SKIP: ReadonlySet<HeliosEvent['type']> = new Set(['L2_DELTA']);

/**
 * The recent past of the channels, so a page opened now shows what a long-open page shows: the
 * newest event per type and entity, and a bounded history where a view lists one. Served as one
 * JSON array in emission order; the page folds it exactly like pushed frames.
 */
export class RecentEvents implements EventSink {
  /** key → events, oldest first; the order keys were last touched is not what the page needs. */
  private readonly byKey = new Map<string, HeliosEvent[]>();
  private seq = 0;
  private readonly order = new WeakMap<HeliosEvent, number>();

  emit(event: HeliosEvent): void {
    if (SKIP.has(event.type)) return;
    if (event.type === 'ALERT' && event.payload.code === 'MARKET_RETIRED' && event.market_id !== undefined) return this.retire(event, event.market_id);
    const keep = KEEP[event.type] ?? 1;
    // Orders and fills are one entity each (their own id), not one per token.
    const key = keep > 1 && (event.type === 'ORDER_UPDATE' || event.type === 'FILL' || event.type === 'HALT' || event.type === 'RESUME' || event.type === 'ALERT') ? event.type : coalesceKeyOf(event);
    const list = this.byKey.get(key);
    this.order.set(event, this.seq++);
    if (!list) {
      this.byKey.set(key, [event]);
      return;
    }
    list.push(event);
    if (list.length > keep) list.splice(0, list.length - keep);
  }

  /**
   * A market left the trading side for good: what was kept of it alone (its books, states,
   * policies, positions) goes, and its MARKET_RETIRED alert is kept apart from the other alerts,
   * which would push it out, so a page loaded later still learns that the market is retired and
   * no later frame of it brings its row back. One event per retired market instead of its history.
   */
  private retire(event: HeliosEvent, marketId: string): void {
    for (const [key, list] of this.byKey) if (key.includes('|') && list[0]?.market_id === marketId) this.byKey.delete(key);
    this.order.set(event, this.seq++);
    this.byKey.set(`MARKET_RETIRED:${marketId}`, [event]);
  }

  /** A backward seek replays from the start: what was kept is from a later time than the page will see. */
  rewind(): void {
    this.byKey.clear();
  }

  /** Everything kept, in the order it was emitted. */
  snapshot(): HeliosEvent[] {
    const all: HeliosEvent[] = [];
    for (const list of this.byKey.values()) all.push(...list);
    return all.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}
