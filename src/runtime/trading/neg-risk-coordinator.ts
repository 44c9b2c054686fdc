import type { RiskConfig, TradingConfig } from '../../config/sections/trading.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { levelsBook, type TradableBook } from '../../domain/trading/book-view.ts';
import { allInPerShare, fillFee, type FeeSchedule } from '../../domain/trading/fees.ts';
import { haltCauses } from '../../domain/trading/halt-causes.ts';
import type { MarketEvent, MarketSpec } from '../../domain/trading/market-spec.ts';
import { PERMISSIONS, type MarketStateName } from '../../domain/trading/market-states.ts';
import { completeSet, eventExposure, negRiskArbitrage, SET_LEG_SHARE_TOLERANCE, setLegShortfall, shortfallBuyable, type BucketPosition, type EventBucket, type SetLeg } from '../../domain/trading/neg-risk.ts';
import { matchedLedger } from '../../domain/trading/matched-holdings.ts';
import { advanceOrder, clientOrderId, isTerminal, newOrderRecord, unheardMatched, type OrderRecord, type OrderStatusUpdate, type PlaceIntent } from '../../domain/trading/orders.ts';
import { heldCost, type Ledger } from '../../domain/trading/pnl-ledger.ts';
import type { OrderCheck, RiskEngine } from '../../domain/trading/risk-engine.ts';
import type { BookSignal } from '../../domain/trading/signals.ts';
import type { ExecutionAdapter } from '../../adapters/execution/execution-adapter.ts';
import type { MarketTradingContext } from '../../machines/market-trading/context.ts';
import type { StartedWork } from './started-work.ts';

export interface NegRiskCoordinatorDeps {
  clock: Clock;
  trading: TradingConfig;
  risk: RiskConfig;
  riskEngine: RiskEngine;
  adapter: ExecutionAdapter;
  /** Counts the venue calls it starts (see StartedWork). */
  work: StartedWork;
  /** First order sequence number (the session's range, as for market actors). */
  seqBase: number;
  /** A market actor's state and context (undefined while it restarts). */
  market(marketId: string): { state: string; context: MarketTradingContext } | undefined;
  /** A market's spec and ledger, also while its actor restarts (the ledger it last published). */
  holding(marketId: string): Holding | undefined;
  alert(severity: 'info' | 'warn' | 'critical', code: string, message: string, market_id?: string): void;
  /** Publishes what risk changed (refusals count against a market's breaker). */
  flushRisk(): void;
}

interface Completion {
  /** The set's size: `paidPerSet` and `payoff` are per set of this many shares of every bucket. */
  size: number;
  paidPerSet: number;
  payoff: number;
  /** The legs still short and the shares each lacks (a killed leg: the set's size). */
  missing: Array<{ market_id: string; token_id: string; shares: number }>;
  untilMs: number;
}

interface TrackedEvent {
  spec: MarketEvent;
  /** Traded bucket markets, sorted. */
  markets: string[];
}

/**
 * A bucket's spec, ledger and orders (none known while its actor restarts: the new one knows none either).
 */
type Holding = Pick<MarketTradingContext, 'spec' | 'ledger'> & Partial<Pick<MarketTradingContext, 'orders'>>;

/**
 * The event-level view on the trading path: groups markets into their neg-risk events, gives risk
 * one exposure per event (its worst outcome), and buys a full YES or NO set when the bus-derived
 * books price it below its payoff after fees. A set's legs go through pre-trade risk together (all
 * pass or none is sent) and out through the same execution adapter as every market order, as FOK
 * orders (each leg spends all its dollars within its limit or nothing) under the strategy
 * `neg_risk`; their fills land in the bucket markets' ledgers like any other. Runs inside the
 * runtime's book handling, so its decisions follow the dispatch order and replay identically.
 */
export class NegRiskCoordinator {
  private readonly events = new Map<string, TrackedEvent>();
  private readonly eventOfMarket = new Map<string, string>();
  private readonly books = new Map<string, TradableBook | null>();
  /** Set legs not yet terminal, by client order id → event id: one set in flight per event. */
  private readonly inFlight = new Map<string, string>();
  /** Each set in flight: its size, its legs' shares and what they filled, to tell a whole set from a partial one. */
  private readonly sets = new Map<string, { event: string; size: number; payoff: number; legs: Map<string, SetLeg & { filled: number | null }> }>();
  /** Partial sets being completed: what the filled legs cost per set, the legs still missing, until when. */
  private readonly completions = new Map<string, Completion>();
  private readonly setOfLeg = new Map<string, string>();
  /** The legs of each event's last attempt: the same set on an unchanged book is not sent twice. */
  private readonly lastAttempt = new Map<string, string>();
  /**
   * Each leg's order as the venue reports it, with the fills heard for it, until it ended and every
   * share it matched was heard: what it matched counts as held before its fill arrives (matchedLedger).
   */
  private readonly legs = new Map<string, { order: OrderRecord; fills: Set<string> }>();
  private seq: number;

  constructor(private readonly deps: NegRiskCoordinatorDeps) {
    this.seq = deps.seqBase;
  }

  addMarket(spec: MarketSpec): void {
    const ev = spec.event;
    if (!ev || !ev.neg_risk) return;
    let t = this.events.get(ev.event_id);
    if (!t) this.events.set(ev.event_id, (t = { spec: ev, markets: [] }));
    if (!t.markets.includes(spec.market_id)) t.markets = [...t.markets, spec.market_id].sort();
    this.eventOfMarket.set(spec.market_id, ev.event_id);
  }

  /**
   * A market that left for good: its books go (a market resolving every day per bucket of every
   * event left two books behind each, for the life of the process), and with its event's last
   * bucket the event's last attempt and any completion still waiting (none can run again).
   */
  removeMarket(spec: Pick<MarketSpec, 'market_id' | 'yes_token' | 'no_token'>): void {
    const marketId = spec.market_id;
    const id = this.eventOfMarket.get(marketId);
    if (id === undefined) return;
    this.eventOfMarket.delete(marketId);
    this.books.delete(spec.yes_token);
    this.books.delete(spec.no_token);
    const t = this.events.get(id)!;
    t.markets = t.markets.filter((m) => m !== marketId);
    if (t.markets.length) return;
    this.events.delete(id);
    this.lastAttempt.delete(id);
    this.completions.delete(id);
  }

  /** How many tokens' books the coordinator keeps (its traded neg-risk buckets' at most). */
  get booksKept(): number {
    return this.books.size;
  }

  eventOf(marketId: string): string | undefined {
    return this.eventOfMarket.get(marketId);
  }

  bucketsOf(eventId: string): readonly string[] {
    return this.events.get(eventId)?.markets ?? [];
  }

  /** An order this coordinator placed and still waits for (reconciliation leaves it to us). */
  owns(clientOrderId: string): boolean {
    return this.inFlight.has(clientOrderId);
  }

  /**
   * What the event can lose: the worst outcome over its buckets of everything its markets hold
   * (YES of two buckets cannot both win; a full set cannot lose), not the sum of their costs.
   */
  exposure(eventId: string, current?: MarketTradingContext): number {
    const t = this.events.get(eventId);
    if (!t) return 0;
    const positions: BucketPosition[] = [];
    let spent = 0;
    for (const id of t.markets) {
      const ctx = this.holdingOf(id, current);
      if (!ctx) continue;
      let yes = 0;
      let no = 0;
      for (const lot of Object.values(this.held(ctx).lots)) {
        // What the open shares cost, with the fees paid for them (lost with them).
        spent += lot.shares > 1e-9 ? lot.cost + lot.fees : 0;
        if (lot.token_id === ctx.spec.yes_token) yes += lot.shares;
        else if (lot.token_id === ctx.spec.no_token) no += lot.shares;
      }
      positions.push({ market_id: id, yes_shares: yes, no_shares: no });
    }
    return eventExposure(positions, spent, Math.max(t.spec.outcomes, positions.length));
  }

  /**
   * Exposure into risk: a market's cost of what it holds; for the buckets of a neg-risk event, the
   * event's worst outcome shared out over its buckets in proportion to their costs (so the total
   * counts the event once, as what it can lose, and each bucket keeps its part of the market cap).
   * The worst outcome counts fees paid, so it may exceed the costs. `ctx`: the market that changed,
   * as it is now (its actor's snapshot may not show the change yet).
   */
  followExposure(ctx: MarketTradingContext): void {
    const { riskEngine } = this.deps;
    const event = this.eventOfMarket.get(ctx.spec.market_id);
    if (event === undefined) {
      riskEngine.setPositionCost(ctx.spec.market_id, heldCost(this.held(ctx)));
      return;
    }
    const costs = this.bucketsOf(event).map((id) => {
      const c = this.holdingOf(id, ctx);
      return { id, cost: c ? heldCost(this.held(c)) : 0 };
    });
    const total = costs.reduce((s, c) => s + c.cost, 0);
    const exposure = this.exposure(event, ctx);
    // Nothing held at cost (fees alone, or nothing): the event's exposure sits with this bucket.
    if (total <= 0) for (const c of costs) riskEngine.setPositionCost(c.id, c.id === ctx.spec.market_id ? exposure : 0);
    else for (const c of costs) riskEngine.setPositionCost(c.id, (c.cost * exposure) / total);
  }

  /**
   * What a market holds as risk counts it: its fills heard and what its orders and the set legs
   * bought for it report matched beyond them (risk moved those shares out of the orders'
   * reservations when the venue reported them).
   */
  private held(h: Holding): Ledger {
    let orders: Record<string, OrderRecord> = h.orders ?? {};
    for (const [id, leg] of this.legs) if (leg.order.market_id === h.spec.market_id) orders = { ...orders, [id]: leg.order };
    return matchedLedger(h.ledger, orders, h.spec.fee);
  }

  /** The venue's update of one of our legs (what it matched), before the market and risk look at its exposure. */
  onLegUpdate(update: OrderStatusUpdate): void {
    const leg = this.legs.get(update.client_order_id);
    if (!leg) return;
    leg.order = advanceOrder(leg.order, update);
    this.forgetLegIfSettled(update.client_order_id);
  }

  /** A fill of one of our legs, heard before its market books it: from then on the ledger holds its shares. */
  hearFill(fill: { client_order_id: string; fill_id: string; size: number }): void {
    const leg = this.legs.get(fill.client_order_id);
    if (!leg || leg.fills.has(fill.fill_id)) return;
    leg.fills.add(fill.fill_id);
    leg.order = { ...leg.order, heard_size: leg.order.heard_size + fill.size };
    this.forgetLegIfSettled(fill.client_order_id);
  }

  private forgetLegIfSettled(clientOrderId: string): void {
    const o = this.legs.get(clientOrderId)!.order;
    if (isTerminal(o.status) && unheardMatched(o) <= 1e-9) this.legs.delete(clientOrderId);
  }

  /**
   * A bucket's spec and ledger: `current`'s for the market that changed, else as the runtime knows
   * them, also while its actor restarts (left out, what it holds would drop out of the event's
   * exposure, and the other buckets could buy into the room it seemed to leave).
   */
  private holdingOf(marketId: string, current?: MarketTradingContext): Holding | undefined {
    return current?.spec.market_id === marketId ? current : this.deps.holding(marketId);
  }

  /** A book signal of one token (and its partner's, sent together): keeps the books, then looks for the event's set arbitrage. */
  onBook(marketId: string, signal: BookSignal, partner?: BookSignal): void {
    const id = this.eventOfMarket.get(marketId);
    if (id === undefined) return;
    this.books.set(signal.token_id, signal.levels ? levelsBook(signal.levels) : null);
    if (partner) this.books.set(partner.token_id, partner.levels ? levelsBook(partner.levels) : null);
    this.tryArbitrage(id);
  }

  /**
   * A terminal update of one of our legs lets the event try again. Once every leg of a set ended,
   * a set with a leg short of its shares (killed, or filled at asks dearer than the book it was
   * judged on) is a partial set: it is not hedged (a short bucket may win), so it is raised loudly
   * and each shortfall is bought while the whole set stays profitable (tryCompletion), except one
   * under the venue's minimum at any price, which only a warning reports (shortfallBuyable).
   */
  onOrderDone(clientOrderId: string, filledSize: number): void {
    this.inFlight.delete(clientOrderId);
    const setId = this.setOfLeg.get(clientOrderId);
    if (setId === undefined) return;
    this.setOfLeg.delete(clientOrderId);
    const set = this.sets.get(setId)!;
    set.legs.get(clientOrderId)!.filled = filledSize;
    const legs = [...set.legs.values()];
    if (legs.some((l) => l.filled === null)) return;
    this.sets.delete(setId);
    // A leg is signed for less than its shares where its walk crosses cheaper asks; what it filled
    // is measured against its shares, so a FOK that spent all its dollars at dearer asks is short too.
    const short = legs.map((l) => ({ ...l, shortfall: setLegShortfall(l.shares, l.filled!) })).filter((l) => l.shortfall > 0);
    const prior = this.completions.get(set.event);
    this.completions.delete(set.event);
    if (!short.length || (!prior && legs.every((l) => l.filled! <= SET_LEG_SHARE_TOLERANCE))) return;
    // Whatever filled is paid at most at its limit, per set of the set's size.
    const fee = this.deps.market(legs[0]!.market_id)?.context.spec.fee;
    const paid = (prior?.paidPerSet ?? 0) + legs.reduce((c, l) => c + (l.filled! * (fee ? allInPerShare(l.limit, fee) : l.limit)) / set.size, 0);
    const exposure = this.exposure(set.event).toFixed(4);
    // A bucket unknown here cannot be completed anyway; 1 is above any price it could trade at.
    const buyable = short.filter((l) => shortfallBuyable(l.shortfall, this.deps.holding(l.market_id)?.spec.tick_size ?? 0));
    for (const l of short.filter((x) => !buyable.includes(x))) {
      this.deps.alert('warn', 'NEG_RISK_SHORTFALL_UNBUYABLE', `${set.event}: set ${setId} leg ${l.market_id} filled ${l.filled}/${l.shares}, ${l.shortfall} short: under the venue's $1 minimum at any price, not completed; exposure ${exposure}`, l.market_id);
    }
    if (!buyable.length) return;
    const untilMs = prior?.untilMs ?? this.deps.clock.now() + this.deps.trading.neg_risk.complete_within_ms;
    const missing = buyable.map((l) => ({ market_id: l.market_id, token_id: l.token_id, shares: l.shortfall }));
    this.completions.set(set.event, { size: set.size, paidPerSet: paid, payoff: set.payoff, missing, untilMs });
    this.deps.alert(
      'critical',
      'NEG_RISK_PARTIAL_SET',
      `${set.event}: set ${setId} filled ${legs.length - short.length} of ${legs.length} legs; missing ${buyable.map((l) => `${l.market_id} (${l.filled}/${l.shares})`).join(', ')}; exposure ${exposure}; completing while the set stays profitable, until ${untilMs}`,
    );
  }

  private tryArbitrage(eventId: string): void {
    const { trading, risk, riskEngine, clock } = this.deps;
    if (!trading.neg_risk.enabled) return;
    const t = this.events.get(eventId)!;
    // A set pays only when it holds every bucket of the event.
    if (t.markets.length !== t.spec.outcomes) return;
    for (const owner of this.inFlight.values()) if (owner === eventId) return;
    const buckets: EventBucket[] = [];
    let tick = 0;
    const now = clock.now();
    for (const id of t.markets) {
      const m = this.deps.market(id);
      if (!m || !m.context.synced || !PERMISSIONS[m.state as MarketStateName]?.buy) return;
      // Its causes as of now: the ones it holds are as of its last event or pulse, before its book may have aged.
      const ctx = m.context;
      if (haltCauses(ctx.spec, ctx.signals, ctx.latched, trading, now).length) return;
      const spec = ctx.spec;
      const yes = this.books.get(spec.yes_token);
      const no = this.books.get(spec.no_token);
      if (!yes || !no) return;
      tick = Math.max(tick, spec.tick_size);
      buckets.push({ market_id: id, yes_token: spec.yes_token, no_token: spec.no_token, yes, no });
    }
    const fee = this.deps.market(t.markets[0]!)!.context.spec.fee;
    const partial = this.completions.get(eventId);
    if (partial) {
      this.tryCompletion(eventId, partial, buckets, fee, tick);
      return;
    }
    const arb = negRiskArbitrage({
      buckets,
      fee,
      safetyMargin: trading.neg_risk.safety_margin,
      maxSets: trading.neg_risk.max_sets * riskEngine.sizeScale,
      tick,
      maxSlippageTicks: trading.orders.max_slippage_ticks,
      maxOrderUsdc: risk.max_order_usdc,
    });
    if (arb.kind === 'none') return;
    const fingerprint = arb.legs.map((l) => `${l.token_id}@${l.limit}x${l.size}`).join(',');
    if (this.lastAttempt.get(eventId) === fingerprint) return;
    this.lastAttempt.set(eventId, fingerprint);
    this.sendSet(eventId, arb.legs, arb.size, arb.payoffPerSet, false, `${arb.kind} ${arb.size} sets at ${arb.costPerSet.toFixed(4)} (fees in) for ${arb.payoffPerSet}, locks ${arb.guaranteedPnl.toFixed(4)}`);
  }

  /** Buys what the short legs of a partial set lack while the whole set stays profitable; gives up (loudly) after the bound. */
  private tryCompletion(eventId: string, partial: Completion, buckets: readonly EventBucket[], fee: FeeSchedule, tick: number): void {
    const { trading, clock } = this.deps;
    if (clock.now() > partial.untilMs) {
      this.completions.delete(eventId);
      this.deps.alert('critical', 'NEG_RISK_SET_ABANDONED', `${eventId}: missing legs ${partial.missing.map((l) => `${l.market_id} (${l.shares} short)`).join(', ')} not completed within ${trading.neg_risk.complete_within_ms} ms; exposure ${this.exposure(eventId).toFixed(4)}`);
      return;
    }
    const missing = partial.missing.map((l) => {
      const b = buckets.find((x) => x.market_id === l.market_id)!;
      return { market_id: l.market_id, token_id: l.token_id, shares: l.shares, book: l.token_id === b.yes_token ? b.yes : b.no };
    });
    const c = completeSet({ missing, setSize: partial.size, paidPerSet: partial.paidPerSet, payoffPerSet: partial.payoff, fee, safetyMargin: trading.neg_risk.safety_margin, tick, maxSlippageTicks: trading.orders.max_slippage_ticks });
    if (c.kind !== 'complete') return;
    this.sendSet(eventId, c.legs, partial.size, partial.payoff, true, `completing ${c.legs.length} legs of a partial set: ${c.costPerSet.toFixed(4)} per set (fees in) for ${partial.payoff}`);
  }

  /** `completing`: the missing legs of a partial set, which the open-order caps and REDUCING never refuse (they close its exposure). */
  private sendSet(eventId: string, legs: readonly SetLeg[], size: number, payoff: number, completing: boolean, note: string): void {
    const { riskEngine, clock } = this.deps;
    const intents: PlaceIntent[] = legs.map((l) => ({
      kind: 'place',
      client_order_id: clientOrderId(l.market_id, 'neg_risk', this.seq++),
      market_id: l.market_id,
      token_id: l.token_id,
      side: 'BUY',
      order_type: 'FOK',
      price: l.limit,
      size: l.size,
      strategy: 'neg_risk',
      expires_at_ms: null,
    }));
    const checks: OrderCheck[] = intents.map((i) => ({
      client_order_id: i.client_order_id,
      market_id: i.market_id,
      side: i.side,
      price: i.price,
      size: i.size,
      reduces: false,
      completes_set: completing,
      fee_usdc: fillFee(i.size, i.price, 'taker', this.deps.market(i.market_id)!.context.spec.fee),
    }));
    const verdict = riskEngine.checkOrders(checks, clock.now());
    if (!verdict.ok) {
      this.deps.alert('info', 'NEG_RISK_REFUSED', `${eventId}: ${note}: refused by risk: ${verdict.reason}`);
      this.deps.flushRisk();
      return;
    }
    const setId = intents[0]!.client_order_id;
    this.sets.set(setId, { event: eventId, size, payoff, legs: new Map(intents.map((i, k) => [i.client_order_id, { ...legs[k]!, filled: null }])) });
    for (const i of intents) this.setOfLeg.set(i.client_order_id, setId);
    this.deps.alert('info', 'NEG_RISK_SET', `${eventId}: ${note}`);
    for (const intent of intents) {
      this.inFlight.set(intent.client_order_id, eventId);
      this.legs.set(intent.client_order_id, { order: newOrderRecord(intent, clock.now()), fills: new Set() });
      const { kind: _k, ...req } = intent;
      const sentAt = clock.monotonicNow();
      void this.deps.work.track(this.deps.adapter.placeOrder(req)).then(
        (ack) => {
          riskEngine.onOrderLatency(intent.market_id, clock.monotonicNow() - sentAt, clock.now());
          if (!ack.accepted) {
            riskEngine.onOrderProgress(intent.client_order_id, 0, intent.size, true);
            this.legs.delete(intent.client_order_id);
            this.onOrderDone(intent.client_order_id, 0);
          }
          this.deps.flushRisk();
        },
        (err) => {
          riskEngine.onOrderProgress(intent.client_order_id, 0, intent.size, true);
          this.legs.delete(intent.client_order_id);
          this.onOrderDone(intent.client_order_id, 0);
          this.deps.alert('warn', 'NEG_RISK_LEG_FAILED', `${intent.client_order_id}: ${String(err instanceof Error ? err.message : err)}`, intent.market_id);
        },
      );
    }
  }
}
