import type { TradingConfig } from '../../config/sections/trading.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { EventBucketView } from '../../domain/trading/event-stake.ts';
import { allInPerShare } from '../../domain/trading/fees.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { isTerminal } from '../../domain/trading/orders.ts';
import { effectivePolicy } from '../../domain/trading/plan.ts';
import { strategyHolding } from '../../domain/trading/pnl-ledger.ts';
import type { BookSignal, RiskSignal } from '../../domain/trading/signals.ts';
import type { MarketTradingContext } from '../../machines/market-trading/context.ts';

export interface EventViewsDeps {
  clock: Clock;
  trading: TradingConfig;
  /** The event a market is a bucket of, and that event's bucket markets (the neg-risk coordinator). */
  eventOf(marketId: string): string | undefined;
  bucketsOf(eventId: string): readonly string[];
  context(marketId: string): MarketTradingContext | undefined;
  /** Tells a market its event view changed (a RISK signal carrying `event_buckets`). */
  deliver(marketId: string): void;
}

/** A bucket whose edge entries are sized by its event's allocation (plan.ts, eventStakes). */
export function allocated(spec: MarketSpec): boolean {
  return !!spec.event?.neg_risk && spec.fair_source.kind === 'nowcast' && spec.strategies.temporal;
}

/**
 * Keeps every nowcast bucket of a neg-risk event told what the other buckets look like (their
 * nowcast probability, YES ask and temporal holdings), so each bucket's decision allocates across
 * the whole event. A bucket's change reaches the others before the change reaches the bucket
 * itself (a book is announced before its BOOK signal), so every decision sees one consistent event.
 * Runs inside the runtime's signal handling: dispatch order, identical live and in replay.
 */
export class EventViews {
  private readonly entries = new Map<string, EventBucketView>();

  constructor(private readonly deps: EventViewsDeps) {}

  /** The other buckets of a market's event; null: not a bucket sized by its event. */
  viewFor(marketId: string): EventBucketView[] | null {
    const ctx = this.deps.context(marketId);
    const event = this.deps.eventOf(marketId);
    if (!ctx || event === undefined || !allocated(ctx.spec)) return null;
    const out: EventBucketView[] = [];
    for (const id of this.deps.bucketsOf(event)) {
      if (id === marketId) continue;
      let e = this.entries.get(id);
      if (!e) {
        const c = this.deps.context(id);
        if (!c) continue;
        this.entries.set(id, (e = this.entryOf(c)));
      }
      out.push(e);
    }
    return out;
  }

  /** A bucket changed (its book, fair value or holdings): the event's other buckets hear of it when its view moved. */
  changed(marketId: string, book?: BookSignal, current?: MarketTradingContext, partner?: BookSignal): void {
    const event = this.deps.eventOf(marketId);
    if (event === undefined) return;
    const ctx = current ?? this.deps.context(marketId);
    if (!ctx) return;
    const next = this.entryOf(ctx, partner?.token_id === ctx.spec.yes_token ? partner : book);
    const prev = this.entries.get(marketId);
    this.entries.set(marketId, next);
    if (prev && prev.p === next.p && prev.cost === next.cost && Math.abs(prev.held - next.held) < 1e-9) return;
    for (const id of this.deps.bucketsOf(event)) {
      if (id === marketId) continue;
      const c = this.deps.context(id);
      if (c && allocated(c.spec)) this.deps.deliver(id);
    }
  }

  removeMarket(marketId: string): void {
    this.entries.delete(marketId);
  }

  private entryOf(ctx: MarketTradingContext, book?: BookSignal): EventBucketView {
    const spec = ctx.spec;
    const bucket_label = spec.fair_source.kind === 'nowcast' ? spec.fair_source.bucket_label : null;
    if (!allocated(spec) || !this.deps.trading.temporal.enabled) return { market_id: spec.market_id, bucket_label, p: null, cost: null, held: 0 };
    const policy = effectivePolicy({ spec, signals: ctx.signals, nowMs: this.deps.clock.now(), cfg: this.deps.trading });
    const p = policy?.fair_value[spec.yes_token] ?? null;
    const sig = book?.token_id === spec.yes_token ? book : ctx.signals.books[spec.yes_token];
    const ask = sig && sig.synced && sig.levels ? sig.best_ask : null;
    // What the YES already holds, and what its buys in flight may still add (at their limits, fee in).
    let held = strategyHolding(ctx.ledger, spec.yes_token, 'temporal').cost;
    for (const o of Object.values(ctx.orders)) {
      if (o.strategy === 'temporal' && o.side === 'BUY' && o.token_id === spec.yes_token && !isTerminal(o.status)) held += Math.max(0, o.size - o.filled_size) * allInPerShare(o.price, spec.fee);
    }
    return { market_id: spec.market_id, bucket_label, p, cost: ask === null ? null : allInPerShare(ask, spec.fee), held };
  }
}

/** Only buckets sized by their event carry the other buckets (every other RISK signal stays as it was). */
export function withEventBuckets(view: RiskSignal['event_buckets']): Pick<RiskSignal, 'event_buckets'> {
  return view ? { event_buckets: view } : {};
}
