import type { RiskConfig } from '../../config/sections/trading.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { RiskEngine } from '../../domain/trading/risk-engine.ts';
import type { RiskSignal } from '../../domain/trading/signals.ts';
import type { MarketInputEvent } from '../../machines/market-trading/events.ts';
import { withEventBuckets } from './event-views.ts';

export interface RiskBroadcastDeps {
  clock: Clock;
  risk: RiskConfig;
  riskEngine: RiskEngine;
  sink: EventSink;
  events: EventFactory;
  /** What a neg-risk nowcast bucket knows of its event's other buckets (null: nothing to know). */
  eventView(marketId: string): RiskSignal['event_buckets'] | null;
  marketIds(): string[];
  /** Sends to a market by id (held while it restarts, like any input). */
  send(marketId: string, event: MarketInputEvent): void;
}

/**
 * Risk's word to the market actors: the RiskSignal each decides under (state, size scale, its own
 * breaker, the per-order cap, its event's buckets) and risk's queued changes, published as
 * RISK_STATE and told to the markets they concern (a global change to every market).
 */
export class RiskBroadcast {
  constructor(private readonly deps: RiskBroadcastDeps) {}

  signal(marketId: string): RiskSignal {
    const { riskEngine: r, risk, clock } = this.deps;
    return { state: r.state, size_scale: r.sizeScale, market_tripped: r.isTripped(marketId, clock.now()), reason: r.haltReason, max_order_usdc: risk.max_order_usdc, ...withEventBuckets(this.deps.eventView(marketId)) };
  }

  /** The market learns risk's signal as it is now. */
  tell(marketId: string): void {
    this.deps.send(marketId, { type: 'RISK', risk: this.signal(marketId) });
  }

  /** Publishes queued risk changes and tells the affected market actors. */
  flush(): void {
    const { riskEngine: r, sink, events } = this.deps;
    for (const c of r.drain()) {
      if (c.scope === 'global') {
        sink.emit(events.make('RISK_STATE', { state: c.state, reason: c.reason, size_scale: c.size_scale }));
        for (const id of this.deps.marketIds()) this.tell(id);
      } else {
        sink.emit(events.make('RISK_STATE', { state: c.tripped ? 'HALTED' : r.state, reason: c.reason ?? (c.tripped ? 'circuit breaker' : null), size_scale: r.sizeScale }, { market_id: c.market_id }));
        this.tell(c.market_id);
      }
    }
  }
}
