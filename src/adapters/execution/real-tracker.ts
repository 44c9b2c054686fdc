import { fillFee, type FeeSchedule, type Liquidity } from '../../domain/trading/fees.ts';
import { canTransition, isTerminal, type OrderStatus } from '../../domain/trading/orders.ts';
import type { AwaitingFill } from '../../domain/trading/reconcile.ts';
import { snapShares } from '../../domain/trading/ticks.ts';
import type { ExecutionEvent, FillAnswer, PlaceOrderRequest } from './execution-adapter.ts';

/**
 * helios's orders at the real venue and what the venue said of them, turned into the same order
 * and fill events the paper adapter emits. Fills come from trades only (each trade id once per
 * order): MATCHED is a provisional fill, MINED and RETRYING wait, CONFIRMED makes it final,
 * FAILED voids a fill already counted — exactly paper's FAILED. Whatever repeats (a socket
 * message after a REST read of the same trade) changes nothing.
 */

export interface TrackedOrder {
  req: PlaceOrderRequest;
  venueId: string | null;
  status: OrderStatus;
  filled: number;
  /** Found at the venue, not placed by this process. */
  adopted: boolean;
  /** What the venue matched of it in all once it said MATCHED: it holds nothing of the order live. */
  venueMatched?: number;
}

/** The fields of a venue order (user channel `order` event or REST OpenOrder) the tracker reads. */
export interface VenueOrderFacts {
  id: string;
  status: string;
  size_matched?: string | number;
  expiration?: string | number;
}

/** The fields of a venue trade (user channel `trade` event or REST Trade). */
export interface VenueTradeFacts {
  id: string;
  status: string;
  taker_order_id: string;
  size: string;
  price: string;
  maker_orders?: Array<{ order_id: string; matched_amount: string; price: string; owner?: string; asset_id?: string; side?: string }>;
  /** Which side of the trade the account was on (REST and user channel name it). */
  trader_side?: string;
  owner?: string;
  asset_id?: string;
  side?: string;
}

/** The account's own part in a trade: its order, the token, side, price and size matched. */
export interface OwnMatch {
  order_id: string;
  asset_id: string;
  side: 'BUY' | 'SELL';
  price: number;
  size: number;
}

/** A part of a match at one price: shares and what each cost (or fetched). */
export interface MatchLeg {
  size: number;
  price: number;
}

/**
 * What the taker of a trade matched, maker by maker. The venue sends one trade per taker match
 * however many makers it took: `size` all the shares, `price` the taker's limit ("limit price of
 * taker order", docs.polymarket.com Get Trades), each maker's own price and matched_amount in
 * maker_orders. The taker trades at each maker's price (price improvement is the taker's), so
 * its legs are the makers'; a maker holding the complementary token (a BUY matched with a BUY of
 * the other outcome) traded at 1 − its price. A trade that names no makers is its own one leg.
 */
export function takerLegs(t: VenueTradeFacts): MatchLeg[] {
  const makers = t.maker_orders ?? [];
  if (!makers.length) return [{ size: Number(t.size), price: Number(t.price) }];
  const complement = (m: { asset_id?: string }) => m.asset_id !== undefined && t.asset_id !== undefined && m.asset_id !== t.asset_id;
  return makers.map((m) => ({ size: Number(m.matched_amount), price: complement(m) ? Math.round((1 - Number(m.price)) * 1e6) / 1e6 : Number(m.price) }));
}

/** Legs as one fill: all their shares at their volume-weighted price (their one price when they share it). */
function asOneFill(legs: readonly MatchLeg[]): MatchLeg {
  const size = snapShares(legs.reduce((s, l) => s + l.size, 0));
  const first = legs[0]?.price ?? 0;
  if (size <= 0 || legs.every((l) => l.price === first)) return { size, price: first };
  return { size, price: legs.reduce((s, l) => s + l.size * l.price, 0) / size };
}

/** The account's orders in a trade, as its owner (API key) reads it: the taker's, or its makers'. */
export function ownMatches(t: VenueTradeFacts, apiKey: string): OwnMatch[] {
  const side = (s: string | undefined): 'BUY' | 'SELL' => (s?.toUpperCase() === 'SELL' ? 'SELL' : 'BUY');
  if (t.trader_side?.toUpperCase() === 'TAKER') return t.owner === undefined || t.owner === apiKey ? [{ order_id: t.taker_order_id, asset_id: t.asset_id ?? '', side: side(t.side), ...asOneFill(takerLegs(t)) }] : [];
  if (t.trader_side?.toUpperCase() !== 'MAKER') return [];
  return (t.maker_orders ?? []).filter((m) => m.owner === apiKey).map((m) => ({ order_id: m.order_id, asset_id: m.asset_id ?? t.asset_id ?? '', side: side(m.side ?? t.side), price: Number(m.price), size: Number(m.matched_amount) }));
}

/** What adopting a venue order needs of it (REST OpenOrder fields). */
export interface AdoptableOrder {
  id: string;
  asset_id: string;
  side: string;
  price: string;
  original_size: string;
  size_matched: string;
  order_type?: string;
  /** The trades its size matched holds. */
  associate_trades?: string[];
}

type FillStage = 'MATCHED' | 'CONFIRMED' | 'FAILED' | 'VOID';

interface FillState {
  stage: FillStage;
  size: number;
  price: number;
  liquidity: Liquidity;
  /** The trading side gave up waiting for its answer (kept here: the tracker outlives a restart of the trading side). */
  answerGivenUp?: true;
  /** A SELL's cost per share: the position's average cost when it matched (AwaitingFill.avg_cost). */
  costBasis?: number;
  /** The fee, charged leg by leg (maker by maker) as the venue matches them. */
  fee: number;
}

export interface TrackerDeps {
  emit: (e: ExecutionEvent) => void;
  feeFor: (tokenId: string) => FeeSchedule;
  nowSeconds: () => number;
  /** The venue takes GTD expirations this much early (execution.real.expiration_buffer_s). */
  expirationBufferS: number;
  /** Fills an earlier process gave up waiting for (`<venue order id>:<trade id>`): heard again, they are held as given up. */
  givenUpEarlier?: ReadonlySet<string>;
  /** The average cost per share of the account's position in a token as last read from the venue (undefined: none known). */
  avgCostOf?: (tokenId: string) => number | undefined;
  /** SELL fills' costs per share an earlier process recorded (`<venue order id>:<trade id>`): heard again, they carry it (sellCosts). */
  sellCostsEarlier?: ReadonlyMap<string, number>;
}

const EPS = 1e-9;

export class RealOrderTracker {
  private readonly byClient = new Map<string, TrackedOrder>();
  private readonly byVenue = new Map<string, TrackedOrder>();
  private readonly fills = new Map<string, FillState>();
  /**
   * By client id, the orders not known to be finished, in the order `byClient` holds them: what
   * `live()` reads on every user-channel message, placement and cancel (the heartbeat check), not
   * every order this process ever tracked. An order never comes back once finished, so the finished
   * ones are dropped as they are found.
   */
  private readonly unfinished = new Map<string, TrackedOrder>();
  /** The fills still MATCHED (awaiting their answer), in `fills`' order: what each fill's record of them reads, not every fill ever heard. */
  private readonly matched = new Map<string, FillState>();
  /** Fills an adopted order's filled size counted before they were heard (adopt). */
  private readonly inFilledAlready = new Set<string>();
  /** Venue ids of the orders carried from an earlier process (carry). */
  private readonly carried = new Set<string>();
  private failedSoFar = 0;

  constructor(private readonly deps: TrackerDeps) {}

  /** How many counted fills the venue has answered FAILED so far (a venue read that spans one may be stale). */
  get failedCount(): number {
    return this.failedSoFar;
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.byClient.get(clientOrderId);
  }

  getByVenue(venueId: string): TrackedOrder | undefined {
    return this.byVenue.get(venueId);
  }

  all(): TrackedOrder[] {
    return [...this.byClient.values()];
  }

  /**
   * A market the trading side retired: its finished orders go with their answered fills, or the
   * process keeps every order and fill it ever tracked. One with a fill still awaiting its answer
   * (given up, carried to the next process) stays, as does anything not finished. A late message
   * of a forgotten order finds no order here and is ignored, as its repeat was. Returns their client ids.
   */
  forgetMarket(marketId: string): string[] {
    const gone = new Set<string>();
    for (const [id, o] of this.byClient) if (o.req.market_id === marketId && isTerminal(o.status)) gone.add(id);
    for (const fillId of this.matched.keys()) gone.delete(fillId.slice(0, fillId.lastIndexOf(':')));
    if (gone.size === 0) return [];
    for (const id of gone) {
      const o = this.byClient.get(id)!;
      this.byClient.delete(id);
      this.unfinished.delete(id);
      if (o.venueId !== null) {
        this.byVenue.delete(o.venueId);
        this.carried.delete(o.venueId);
      }
    }
    for (const fillId of this.fills.keys()) if (gone.has(fillId.slice(0, fillId.lastIndexOf(':')))) this.fills.delete(fillId);
    for (const fillId of this.inFilledAlready) if (gone.has(fillId.slice(0, fillId.lastIndexOf(':')))) this.inFilledAlready.delete(fillId);
    return [...gone];
  }

  /** Orders the venue may hold: pending (maybe in flight), open or partly filled. */
  live(): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const [id, o] of this.unfinished) {
      if (isTerminal(o.status)) this.unfinished.delete(id);
      else out.push(o);
    }
    return out;
  }

  add(req: PlaceOrderRequest, adopted = false): TrackedOrder {
    const o: TrackedOrder = { req: { ...req }, venueId: null, status: 'pending', filled: 0, adopted };
    // One tracked again under the same id counts from now on, in both maps alike (live() keeps `byClient`'s order).
    this.byClient.delete(req.client_order_id);
    this.unfinished.delete(req.client_order_id);
    this.byClient.set(req.client_order_id, o);
    this.unfinished.set(req.client_order_id, o);
    if (!adopted) this.emitOrder(o, null);
    return o;
  }

  /** A venue order this process did not place, tracked as open from here on (strategy `reconciled`). */
  adopt(v: AdoptableOrder, clientOrderId: string, marketId: string): TrackedOrder {
    const o = this.add(
      {
        client_order_id: clientOrderId,
        market_id: marketId,
        token_id: v.asset_id,
        side: v.side === 'SELL' ? 'SELL' : 'BUY',
        order_type: v.order_type === 'GTD' ? 'GTD' : 'GTC',
        price: Number(v.price),
        size: Number(v.original_size),
        strategy: 'reconciled',
        expires_at_ms: null,
      },
      true,
    );
    this.bind(o, v.id);
    o.filled = Number(v.size_matched);
    o.status = o.filled > EPS ? 'partially_filled' : 'open';
    // Its size matched holds these trades already: heard, they count as fills, not in it again.
    for (const trade of v.associate_trades ?? []) this.inFilledAlready.add(`${clientOrderId}:${trade}`);
    return o;
  }

  /**
   * An order of an earlier process with a trade still unsettled (the order is no longer open here):
   * tracked closed, under a client id of its own, so that trade's answer is heard and can be read
   * again. Each of its trades carried adds its size; an order tracked otherwise is left as it is.
   */
  carry(m: OwnMatch, clientOrderId: () => string, marketId: string): void {
    const known = this.byVenue.get(m.order_id);
    if (known && !this.carried.has(m.order_id)) return;
    if (known) {
      known.req.size = Math.round((known.req.size + m.size) * 1e6) / 1e6;
      return;
    }
    const o = this.add({ client_order_id: clientOrderId(), market_id: marketId, token_id: m.asset_id, side: m.side, order_type: 'GTC', price: m.price, size: m.size, strategy: 'reconciled', expires_at_ms: null }, true);
    this.bind(o, m.order_id);
    this.carried.add(m.order_id);
    o.status = 'filled';
  }

  bind(o: TrackedOrder, venueId: string): void {
    if (o.venueId) this.byVenue.delete(o.venueId);
    o.venueId = venueId;
    this.byVenue.set(venueId, o);
  }

  /** Moves an order on when the lifecycle allows it (a late or repeated message changes nothing). */
  setStatus(o: TrackedOrder, status: OrderStatus, reason: string | null): void {
    if (o.status === status || !canTransition(o.status, status)) return;
    o.status = status;
    this.emitOrder(o, reason);
  }

  onVenueOrder(v: VenueOrderFacts): void {
    const o = this.byVenue.get(v.id);
    if (!o) return;
    const status = v.status.toUpperCase();
    if (status === 'LIVE' || status === 'DELAYED') {
      if (o.status === 'pending') this.setStatus(o, o.filled > EPS ? 'partially_filled' : 'open', null);
    } else if (status.startsWith('CANCELED') || status === 'UNMATCHED') {
      const exp = Number(v.expiration ?? 0);
      const expired = o.req.order_type === 'GTD' && exp > 0 && exp - this.deps.expirationBufferS <= this.deps.nowSeconds();
      this.setStatus(o, expired ? 'expired' : 'canceled', status.startsWith('CANCELED_') ? v.status.slice('CANCELED_'.length) : expired ? 'GTD expired' : 'canceled at the venue');
    } else if (status === 'INVALID') this.setStatus(o, 'rejected', 'the venue marked the order INVALID');
    else if (status === 'MATCHED' && v.size_matched !== undefined) {
      // The fills arrive as trades, which alone move filled sizes; once they hold all the venue
      // matched, the order is done here too, even where the venue matched less than recorded.
      o.venueMatched = Number(v.size_matched);
      this.finishMatched(o);
    }
  }

  /** An order the venue matched in full of what it holds: finished once its trades are in, a remainder canceled. */
  private finishMatched(o: TrackedOrder): void {
    if (o.venueMatched === undefined || isTerminal(o.status) || o.filled + EPS < o.venueMatched) return;
    if (o.filled + EPS >= o.req.size) this.setStatus(o, 'filled', null);
    else this.setStatus(o, 'canceled', `the venue matched ${o.filled} of ${o.req.size} and holds nothing more of it; the remainder is canceled`);
  }

  onVenueTrade(t: VenueTradeFacts): void {
    const taker = this.byVenue.get(t.taker_order_id);
    if (taker) this.applyFill(t.id, taker, takerLegs(t), 'taker', t.status);
    for (const m of t.maker_orders ?? []) {
      const o = this.byVenue.get(m.order_id);
      if (o) this.applyFill(t.id, o, [{ size: Number(m.matched_amount), price: Number(m.price) }], 'maker', t.status);
    }
  }

  /** One fill per order and trade: a taker's legs (one per maker it took) together. */
  private applyFill(tradeId: string, o: TrackedOrder, legs: readonly MatchLeg[], liquidity: Liquidity, venueStatus: string): void {
    const fillId = `${o.req.client_order_id}:${tradeId}`;
    const status = venueStatus.toUpperCase();
    const { size, price } = asOneFill(legs);
    const schedule = this.deps.feeFor(o.req.token_id);
    const fee = Math.round(legs.reduce((s, l) => s + fillFee(l.size, l.price, liquidity, schedule), 0) * 1e5) / 1e5;
    let f = this.fills.get(fillId);
    if (status === 'FAILED') {
      if (!f) this.fills.set(fillId, { stage: 'VOID', size, price, liquidity, fee });
      else if (f.stage === 'MATCHED') {
        // Answered before it is told: a listener reading what still awaits its answer no longer finds it.
        f.stage = 'FAILED';
        this.matched.delete(fillId);
        this.failedSoFar++;
        this.emitFill(o, fillId, f, 'FAILED');
      }
      return;
    }
    if (!f) {
      f = { stage: 'MATCHED', size, price, liquidity, fee };
      const venueKey = `${o.venueId}:${tradeId}`;
      if (this.deps.givenUpEarlier?.has(venueKey)) f.answerGivenUp = true;
      // Recorded when it matched: the position it emptied may report no cost any more.
      const basis = o.req.side === 'SELL' ? (this.deps.sellCostsEarlier?.get(venueKey) ?? this.deps.avgCostOf?.(o.req.token_id)) : undefined;
      if (basis !== undefined) f.costBasis = basis;
      this.fills.set(fillId, f);
      this.matched.set(fillId, f);
      if (!this.inFilledAlready.delete(fillId)) o.filled = snapShares(o.filled + size);
      if (!isTerminal(o.status)) o.status = o.filled + EPS >= o.req.size ? 'filled' : 'partially_filled';
      this.emitFill(o, fillId, f, 'MATCHED');
      this.emitOrder(o, null);
      this.finishMatched(o);
    }
    if (status === 'CONFIRMED' && f.stage === 'MATCHED') {
      f.stage = 'CONFIRMED';
      this.matched.delete(fillId);
      this.emitFill(o, fillId, f, 'CONFIRMED');
    }
  }

  /** A fill's final answer (CONFIRMED or FAILED) as it was emitted; null while it awaits one, or not counted here. */
  answerOf(fillId: string): FillAnswer | null {
    const f = this.fills.get(fillId);
    const o = this.byClient.get(fillId.slice(0, fillId.lastIndexOf(':')));
    return f && o && (f.stage === 'CONFIRMED' || f.stage === 'FAILED') ? this.fillEvent(o, fillId, f, f.stage) : null;
  }

  /** The fills counted here that still await their answer, by token, for the positions that hold them. */
  awaiting(): Map<string, AwaitingFill[]> {
    const out = new Map<string, AwaitingFill[]>();
    for (const [fillId, f] of this.matched) {
      const o = this.byClient.get(fillId.slice(0, fillId.lastIndexOf(':')));
      if (!o) continue;
      const list = out.get(o.req.token_id) ?? [];
      list.push({ fill_id: fillId, client_order_id: o.req.client_order_id, side: o.req.side, price: f.price, size: f.size, ...(f.costBasis !== undefined ? { avg_cost: f.costBasis } : {}) });
      out.set(o.req.token_id, list);
    }
    return out;
  }

  /** The trading side gave up waiting for this fill's answer (ExecutionAdapter.giveUpFillAnswer). */
  giveUpAnswer(fillId: string): void {
    const f = this.fills.get(fillId);
    if (f?.stage === 'MATCHED') f.answerGivenUp = true;
  }

  isAnswerGivenUp(fillId: string): boolean {
    return this.fills.get(fillId)?.answerGivenUp === true;
  }

  /** The fills given up and still awaiting their answer, as `<venue order id>:<trade id>` (names a new process knows them by), sorted. */
  givenUpTrades(): string[] {
    return this.awaitingByVenue((f) => f.answerGivenUp === true).map(([key]) => key);
  }

  /** Every fill still awaiting its answer, as `<venue order id>:<trade id>`, sorted. */
  awaitingTrades(): string[] {
    return this.awaitingByVenue(() => true).map(([key]) => key);
  }

  /** The SELL fills still awaiting their answer that carry a cost per share, by `<venue order id>:<trade id>`, sorted. */
  sellCosts(): Map<string, number> {
    return new Map(this.awaitingByVenue((f) => f.costBasis !== undefined).map(([key, f]) => [key, f.costBasis!]));
  }

  /** The fills still awaiting their answer that `keep` keeps, named as a new process knows them (`<venue order id>:<trade id>`), sorted by that name. */
  private awaitingByVenue(keep: (f: FillState) => boolean): Array<[string, FillState]> {
    const out: Array<[string, FillState]> = [];
    for (const [fillId, f] of this.matched) {
      const o = keep(f) ? this.byClient.get(fillId.slice(0, fillId.lastIndexOf(':'))) : undefined;
      if (o?.venueId) out.push([`${o.venueId}:${fillId.slice(fillId.lastIndexOf(':') + 1)}`, f]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The trade of a fill counted here that still awaits its answer (null: none such). */
  unansweredTrade(fillId: string): string | null {
    return this.fills.get(fillId)?.stage === 'MATCHED' ? fillId.slice(fillId.lastIndexOf(':') + 1) : null;
  }

  private emitFill(o: TrackedOrder, fillId: string, f: FillState, status: 'MATCHED' | 'CONFIRMED' | 'FAILED'): void {
    this.deps.emit(this.fillEvent(o, fillId, f, status));
  }

  private fillEvent(o: TrackedOrder, fillId: string, f: FillState, status: 'MATCHED' | 'CONFIRMED' | 'FAILED'): FillAnswer {
    const r = o.req;
    return {
      kind: 'fill',
      market_id: r.market_id,
      token_id: r.token_id,
      fill: { client_order_id: r.client_order_id, fill_id: fillId, status, side: r.side, price: f.price, size: f.size, fee_usdc: f.fee, liquidity: f.liquidity, strategy: r.strategy },
    };
  }

  private emitOrder(o: TrackedOrder, reason: string | null): void {
    const r = o.req;
    this.deps.emit({
      kind: 'order',
      market_id: r.market_id,
      token_id: r.token_id,
      update: { client_order_id: r.client_order_id, venue_order_id: o.status === 'pending' ? null : o.venueId, status: o.status, side: r.side, order_type: r.order_type, price: r.price, size: r.size, filled_size: o.filled, strategy: r.strategy, reason },
    });
  }
}
