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

/** The backlog's order updates and fills (api.dashboard_backlog_*): the others' bounds are what their views list. */
export interface RecentBacklog {
  order_updates: number;
  fills: number;
}

/**
 * The session's orders and fills, every one since the start (or a replay's last backward seek), as
 * the overview's cards count them: an order when its first update (`pending`) is published, a
 * fill per MATCHED or FAILED update. `through` is the last event counted (null before any): the
 * page counts only what comes after it.
 */
export interface SessionTotals {
  orders: number;
  fills: number;
  fills_failed: number;
  through: string | null;
}

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
  private readonly keep: Partial<Record<HeliosEvent['type'], number>>;
  private counted: SessionTotals = { orders: 0, fills: 0, fills_failed: 0, through: null };

  constructor(backlog?: RecentBacklog) {
    this.keep = backlog ? { ...KEEP, ORDER_UPDATE: backlog.order_updates, FILL: backlog.fills } : KEEP;
  }

  emit(event: HeliosEvent): void {
    this.count(event);
    if (SKIP.has(event.type)) return;
    if (event.type === 'ALERT' && event.payload.code === 'MARKET_RETIRED' && event.market_id !== undefined) return this.retire(event, event.market_id);
    const keep = this.keep[event.type] ?? 1;
    const key = this.keyOf(event, keep);
    const list = this.byKey.get(key);
    this.order.set(event, this.seq++);
    if (!list) {
      this.byKey.set(key, [event]);
      return;
    }
    list.push(event);
    if (list.length > keep) list.splice(0, list.length - keep);
  }

  private keyOf(event: HeliosEvent, keep: number): string {
    // Orders and fills are one entity each (their own id), not one per token.
    if (keep > 1 && (event.type === 'ORDER_UPDATE' || event.type === 'FILL' || event.type === 'HALT' || event.type === 'RESUME' || event.type === 'ALERT')) return event.type;
    return coalesceKeyOf(event);
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

  /** Counted here, never from the kept events: the backlog drops the oldest, the totals drop nothing. */
  private count(event: HeliosEvent): void {
    const c = this.counted;
    if (event.type === 'ORDER_UPDATE' && event.payload.status === 'pending') c.orders++;
    else if (event.type === 'FILL' && event.payload.status === 'MATCHED') c.fills++;
    else if (event.type === 'FILL' && event.payload.status === 'FAILED') c.fills_failed++;
    else return;
    c.through = event.event_id;
  }

  /** A backward seek replays from the start: what was kept is from a later time than the page will see. */
  rewind(): void {
    this.byKey.clear();
    this.counted = { orders: 0, fills: 0, fills_failed: 0, through: null };
  }

  /** The session's totals so far (a copy). */
  totals(): SessionTotals {
    return { ...this.counted };
  }

  /** Everything kept, in the order it was emitted. */
  snapshot(): HeliosEvent[] {
    const all: HeliosEvent[] = [];
    for (const list of this.byKey.values()) all.push(...list);
    return all.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}
