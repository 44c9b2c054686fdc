import type { TradingConfig } from '../../config/sections/trading.ts';
import type { BusBookMirror } from '../../domain/book/bus-book-mirror.ts';
import { levelsOf, type BookLevels } from '../../domain/trading/book-view.ts';
import type { EventOf, HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { topicOf } from '../../domain/events/topics.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { derivePolicy } from '../../domain/trading/plan.ts';
import type { Policy } from '../../domain/trading/policy.ts';
import type { BookSignal } from '../../domain/trading/signals.ts';
import type { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import { HeldSignals } from './held-signals.ts';
import type { TradingRuntime } from './trading-runtime.ts';

/** A market the trading node trades, and what drives its fair value. */
export interface TradedMarket {
  spec: MarketSpec;
  match_id: string | null;
  station_id: string | null;
}

/** How NOWCAST's QC gate reaches policy: as recorded, or forced (QC sensitivity in backtests). */
export type QcGateMode = 'recorded' | 'open' | 'closed';

export interface TradingRouterDeps {
  runtime: TradingRuntime;
  paper: PaperExecutionAdapter | null;
  /** Books rebuilt from bus events: the only books decisions and paper fills see. */
  mirror: BusBookMirror;
  clock: Clock;
  cfg: TradingConfig;
  events: EventFactory;
  /** Where derived policies are published (the node's decision sink). */
  publish: EventSink;
  /** Markets absent from the list enter once both their tokens appeared on the tape (pair arbitrage only). */
  inferMarkets: boolean;
  qcGate?: QcGateMode;
  /**
   * A BEST_PRICE (stamped `tsIngest` when published) has been evaluated by its market's actor: the
   * daemon times best_price_to_decision on its own clock (this node's clock is virtual).
   */
  onBestPriceDecided?: (tsIngest: number) => void;
}

/**
 * The one router from bus events to the trading side, live and in replay: every book event goes
 * through the mirror (paper fills and decisions read the same books), book changes become
 * coalesced book signals, truth and nowcast become market events and a published POLICY, halts
 * and resumes reach the runtime.
 */
export class TradingRouter {
  private readonly markets = new Map<string, TradedMarket>();
  private readonly marketOfToken = new Map<string, string>();
  private readonly byMatch = new Map<string, string[]>();
  private readonly byStation = new Map<string, string[]>();
  private readonly unseen = new Map<string, { tokens: Set<string>; tick: number }>();
  private readonly lastPolicy = new Map<string, Policy>();
  /** Each token's last signalled levels, which the next signal shares what did not change with. */
  private readonly lastLevels = new Map<string, BookLevels>();
  /**
   * By market: a BEST_PRICE's signal whose partner's (`partner_follows`) is still to come, so that
   * the actor decides once on both books, never on a half-updated pair. Released by the input
   * sequence alone (the partner, another input of that market, any input but a book change of
   * another market), never by timing, so a replay of the same inputs holds and releases alike.
   */
  private readonly held = new HeldSignals();
  readonly stats = { routed: 0, ignored: 0 };

  constructor(private readonly deps: TradingRouterDeps) {}

  addMarket(m: TradedMarket): void {
    const id = m.spec.market_id;
    // A retired market (this session or, carried, an earlier one) is over: nothing would resolve it again.
    if (this.markets.has(id) || this.deps.runtime.retention.isRetired(id)) return;
    this.markets.set(id, m);
    this.marketOfToken.set(m.spec.yes_token, id);
    this.marketOfToken.set(m.spec.no_token, id);
    if (m.station_id !== null) this.byStation.set(m.station_id, [...(this.byStation.get(m.station_id) ?? []), id].sort());
    if (m.match_id !== null) this.byMatch.set(m.match_id, [...(this.byMatch.get(m.match_id) ?? []), id].sort());
    this.deps.runtime.addMarket(m.spec);
  }

  /**
   * A market the runtime retired (resolved, settled, its retention over): everything the router
   * kept for it goes. Returns it (undefined: not routed here).
   */
  forgetMarket(marketId: string): TradedMarket | undefined {
    const m = this.markets.get(marketId);
    if (!m) return undefined;
    this.markets.delete(marketId);
    for (const token of [m.spec.yes_token, m.spec.no_token]) {
      this.marketOfToken.delete(token);
      this.lastLevels.delete(token);
    }
    if (m.station_id !== null) dropFrom(this.byStation, m.station_id, marketId);
    if (m.match_id !== null) dropFrom(this.byMatch, m.match_id, marketId);
    this.held.take(marketId);
    this.lastPolicy.delete(marketId);
    return m;
  }

  marketIds(): string[] {
    return [...this.markets.keys()].sort();
  }

  spec(marketId: string): MarketSpec | undefined {
    return this.markets.get(marketId)?.spec;
  }

  /** Every topic the trading side reads, sorted. */
  topics(): string[] {
    const out = new Set<string>([topicOf('control')]);
    for (const m of this.markets.values()) for (const t of marketTopics(m)) out.add(t);
    return [...out].sort();
  }

  /** One input event; true when it reached the trading side (then its consequences should settle). */
  route(event: HeliosEvent): boolean {
    const reached = this.apply(event);
    if (reached) this.stats.routed++;
    else this.stats.ignored++;
    return reached;
  }

  private apply(event: HeliosEvent): boolean {
    const { runtime, paper } = this.deps;
    // A delta of a lineage whose BEST_PRICEs carry levels is one the node never read live (a
    // replay of a journal that holds it): it must not even release a held signal.
    if (event.type === 'L2_DELTA' && !this.deps.mirror.readsDeltas(event.token_id!)) return false;
    if (this.held.size > 0) this.releaseBefore(event);
    switch (event.type) {
      case 'L2_SNAPSHOT':
      case 'BEST_PRICE':
      case 'BOOK_RESYNC_START':
      case 'BOOK_RESYNC_DONE':
      case 'GAP_DETECTED':
      case 'TICK_SIZE_CHANGE':
      case 'L2_DELTA': {
        // A retired market's books are no one's any more (a replayed range, a late frame).
        if (event.market_id !== undefined && runtime.retention.isRetired(event.market_id)) return false;
        if (!this.deps.mirror.apply(event)) {
          // A partner's BEST_PRICE the mirror refused (a stale epoch) releases what waited for it.
          const market = this.marketOfToken.get(event.token_id!);
          if (market !== undefined) this.releaseMarket(market);
          return false;
        }
        const token = event.token_id!;
        let market = this.marketOfToken.get(token);
        if (market === undefined) {
          this.inferMarket(event);
          market = this.marketOfToken.get(token);
          if (market === undefined) return false;
        }
        if (event.type === 'TICK_SIZE_CHANGE') this.changeSpec(market, { tick_size: event.payload.new_tick_size });
        paper?.onBookUpdated(token);
        // Deltas refresh the mirrored book in place; market actors hear coalesced signals only.
        if (event.type === 'L2_DELTA') return true;
        const book = this.deps.mirror.tradableBook(token);
        // A BEST_PRICE for a change below the touch refreshes the book as a delta did: the actor
        // decides on touch changes, reading these levels then (unless it completes a held pair).
        const last = this.lastLevels.get(token);
        if (event.type === 'BEST_PRICE' && event.payload.bids !== undefined && book && this.held.get(market) === undefined && sameTouch(last, event.payload)) return true;
        // A value, not the live book: the levels a slippage walk can reach (k ticks span at most
        // k + 1 levels) and one more, so a walk past the limit is still seen as one.
        const levels = book ? levelsOf(book, this.deps.cfg.orders.max_slippage_ticks + 2, last ?? null) : null;
        if (levels && levels !== last) this.lastLevels.set(token, levels);
        // The touch is the levels' first (the same numbers `bestBid`/`bestAsk` give, without an object each).
        const signal: BookSignal = {
          token_id: token,
          synced: book !== undefined,
          ts_ms: event.ts_ingest,
          best_bid: levels !== null && levels.bids.length > 0 ? levels.bids[0]![0] : null,
          best_ask: levels !== null && levels.asks.length > 0 ? levels.asks[0]![0] : null,
          levels,
        };
        if (event.type !== 'BEST_PRICE') {
          runtime.onBook(signal);
          return true;
        }
        // Only the partner's BEST_PRICE finds its market's signal still held (releaseBefore).
        const first = this.held.take(market);
        if (first !== undefined) {
          runtime.onBook(first, signal);
          this.deps.onBestPriceDecided?.(first.ts_ms);
        } else if (event.payload.partner_follows) {
          this.held.hold(market, signal);
          return true;
        } else runtime.onBook(signal);
        this.deps.onBestPriceDecided?.(event.ts_ingest);
        return true;
      }
      case 'TRADE': {
        const token = event.token_id;
        if (token === undefined || !this.marketOfToken.has(token) || !paper) return false;
        paper.onTrade(token, { price: event.payload.price, size: event.payload.size, side: event.payload.side ?? null });
        return true;
      }
      case 'MARKET_DISCOVERED': {
        if (event.market_id === undefined || event.market_id !== event.payload.spec.market_id) return false;
        if (runtime.retention.isRetired(event.market_id)) {
          // It resolved and was settled: listed again (a replayed old event, a re-listing) it is no fresh market.
          this.deps.publish.emit(this.deps.events.make('ALERT', { severity: 'info', code: 'RETIRED_MARKET_DISCOVERED', message: `${event.market_id}: discovered again after it resolved and left; ignored` }, { market_id: event.market_id, causation_id: event.event_id }));
          return false;
        }
        const known = this.markets.has(event.market_id);
        this.addMarket({ spec: event.payload.spec, station_id: event.payload.station_id, match_id: event.payload.match_id });
        return !known;
      }
      case 'MARKET_SPEC_CHANGED':
        return event.market_id !== undefined && this.changeSpec(event.market_id, event.payload);
      case 'MARKET_RESOLVED': {
        const id = event.market_id;
        if (id === undefined || !this.markets.has(id)) return false;
        runtime.send(id, { type: 'MARKET_RESOLVED', winning_token_id: event.payload.winning_token_id });
        return true;
      }
      case 'TRUTH_STATE':
        return this.onTruth(event);
      case 'NOWCAST':
        return this.onNowcast(event);
      case 'HALT':
        if (event.payload.scope === 'global') runtime.kill(event.payload.reason, event.payload.kind, event.payload.daily_limit_day);
        else if (event.market_id && this.markets.has(event.market_id)) runtime.haltMarket(event.market_id, event.payload.reason);
        else return false;
        return true;
      case 'RESUME':
        if (event.payload.scope === 'global') runtime.resume();
        else if (event.market_id && this.markets.has(event.market_id)) runtime.resumeMarket(event.market_id);
        else return false;
        return true;
      default:
        return false;
    }
  }

  /**
   * Held signals `event` must not overtake: its own market's, unless it is the partner's
   * BEST_PRICE; every market's before anything but a book change (a BEST_PRICE or L2_DELTA) of
   * another market.
   */
  private releaseBefore(event: HeliosEvent): void {
    const token = event.token_id;
    const market = token !== undefined ? this.marketOfToken.get(token) : undefined;
    if (market === undefined || (event.type !== 'BEST_PRICE' && event.type !== 'L2_DELTA')) this.releaseAll();
    else if (event.type !== 'BEST_PRICE' || this.held.get(market)?.token_id === token) this.releaseMarket(market);
  }

  /** Every held signal alone, in the order they were held. */
  private releaseAll(): void {
    // Those held when the release began, oldest first.
    for (let n = this.held.size; n > 0; n--) this.releaseMarket(this.held.first()!);
  }

  /** The market's held signal, if any, alone. */
  private releaseMarket(market: string): void {
    const signal = this.held.take(market);
    if (signal === undefined) return;
    this.deps.runtime.onBook(signal);
    this.deps.onBestPriceDecided?.(signal.ts_ms);
  }

  private onTruth(event: EventOf<'TRUTH_STATE'>): boolean {
    const ids = new Set<string>(event.match_id !== undefined ? (this.byMatch.get(event.match_id) ?? []) : []);
    if (event.market_id !== undefined && this.markets.has(event.market_id)) ids.add(event.market_id);
    if (ids.size === 0) return false;
    for (const id of [...ids].sort()) {
      this.deps.runtime.send(id, { type: 'TRUTH', truth: event.payload, ts_ms: event.ts_ingest });
      // A published policy lives as long as its input may: past that, staleness halts the market anyway.
      this.publishPolicy(id, derivePolicy(this.markets.get(id)!.spec, event.payload, this.deps.cfg, this.deps.cfg.staleness.truth_stale_ms, this.deps.clock.now()), event);
    }
    return true;
  }

  /**
   * A station's nowcast reaches its bucket markets of that judge day (and undated ones): tomorrow's
   * buckets share today's labels, and a market holding the other day's nowcast would price its
   * event's other buckets (and judge its staleness) by the wrong day.
   */
  private onNowcast(event: EventOf<'NOWCAST'>): boolean {
    const ids = event.station_id !== undefined ? (this.byStation.get(event.station_id) ?? []) : [];
    const mode = this.deps.qcGate ?? 'recorded';
    const nowcast = mode === 'recorded' ? event.payload : { ...event.payload, qc_gate: mode };
    let reached = false;
    for (const id of ids) {
      const spec = this.markets.get(id)!.spec;
      const fs = spec.fair_source;
      if (fs.kind === 'nowcast' && fs.judge_day !== undefined && fs.judge_day !== nowcast.judge_day) continue;
      reached = true;
      this.deps.runtime.send(id, { type: 'NOWCAST', nowcast, ts_ms: event.ts_ingest });
      this.publishPolicy(id, derivePolicy(spec, nowcast, this.deps.cfg, this.deps.cfg.staleness.nowcast_stale_ms, this.deps.clock.now()), event);
    }
    return reached;
  }

  /** The venue's new tick or minimum size reaches the market's actor (in bus order, so a replay changes it alike). */
  private changeSpec(marketId: string, change: { tick_size?: number; min_order_size?: number }): boolean {
    const m = this.markets.get(marketId);
    if (!m) return false;
    const next = { tick_size: change.tick_size ?? m.spec.tick_size, min_order_size: change.min_order_size ?? m.spec.min_order_size };
    this.markets.set(marketId, { ...m, spec: { ...m.spec, ...next } });
    return this.deps.runtime.changeSpec(marketId, next);
  }

  /** Publishes a derived policy when its fair values changed or the previous one ran out. */
  private publishPolicy(marketId: string, policy: Policy | null, cause: HeliosEvent): void {
    if (!policy) return;
    const last = this.lastPolicy.get(marketId);
    if (last && last.valid_until_ms >= this.deps.clock.now() && sameFairValues(last, policy) && last.edge_threshold === policy.edge_threshold) return;
    this.lastPolicy.set(marketId, policy);
    this.deps.publish.emit(this.deps.events.make('POLICY', policy, { market_id: marketId, correlation_id: cause.correlation_id, causation_id: cause.event_id }));
    this.deps.runtime.send(marketId, { type: 'POLICY', policy });
  }

  /** Without a market list: a market enters once both its tokens appeared on the tape. */
  private inferMarket(event: HeliosEvent): void {
    if (!this.deps.inferMarkets || event.market_id === undefined || event.token_id === undefined) return;
    const tick = event.type === 'L2_SNAPSHOT' ? event.payload.tick_size : null;
    let seen = this.unseen.get(event.market_id);
    if (!seen) this.unseen.set(event.market_id, (seen = { tokens: new Set(), tick: tick ?? 0.01 }));
    seen.tokens.add(event.token_id);
    if (tick !== null) seen.tick = tick;
    if (seen.tokens.size < 2) return;
    this.unseen.delete(event.market_id);
    this.addMarket({ spec: inferSpec(event.market_id, [...seen.tokens].sort() as [string, string], seen.tick, this.deps.cfg.default_fee), station_id: null, match_id: null });
  }
}

/**
 * The topics that carry one market's inputs: its book (not its L2_DELTAs: BEST_PRICE carries the
 * levels decisions read, and a delta per level change queued in front of each BEST_PRICE was most
 * of the node's input), tape and control; for an esports market its
 * truth (by market, and by match while the match is not mapped to it); its station's nowcast.
 * Truth is published for a followed match only, so a market without one never hears it: reading
 * its topic would make the process judge a feed that cannot arrive (a weather-only shard's truth).
 */
export function marketTopics(m: TradedMarket): string[] {
  const id = m.spec.market_id;
  const out = ['l2', 'tape', 'control'].map((ch) => topicOf(ch, id));
  if (m.match_id !== null) out.push(topicOf('truth', id), topicOf('truth', m.match_id));
  if (m.station_id !== null) out.push(topicOf('nowcast', m.station_id));
  return out;
}

/**
 * A market known only from its tape: which token is YES is unknown (the lower id is taken) and
 * there is no fair value, so only pair arbitrage (which needs neither) trades it.
 */
export function inferSpec(marketId: string, tokens: [string, string], tickSize: number, fee: MarketSpec['fee']): MarketSpec {
  return {
    market_id: marketId,
    yes_token: tokens[0],
    no_token: tokens[1],
    tick_size: tickSize,
    min_order_size: 5,
    fee,
    fair_source: { kind: 'none' },
    strategies: { pair_arb: true, temporal: false },
    admitted: true,
    admission_reason: null,
  };
}

/** Takes `id` out of a key's list, and the key once its list is empty. */
function dropFrom(index: Map<string, string[]>, key: string, id: string): void {
  const rest = (index.get(key) ?? []).filter((x) => x !== id);
  if (rest.length) index.set(key, rest);
  else index.delete(key);
}

/** The BEST_PRICE's touch (price and size of each side) is the one `levels` (the token's last signal) had. */
function sameTouch(levels: BookLevels | undefined, p: EventOf<'BEST_PRICE'>['payload']): boolean {
  if (levels === undefined) return false;
  const bid = levels.bids[0];
  const ask = levels.asks[0];
  return (bid === undefined ? p.best_bid === null : bid[0] === p.best_bid && bid[1] === p.best_bid_size) && (ask === undefined ? p.best_ask === null : ask[0] === p.best_ask && ask[1] === p.best_ask_size);
}

function sameFairValues(a: Policy, b: Policy): boolean {
  const ka = Object.keys(a.fair_value);
  if (ka.length !== Object.keys(b.fair_value).length) return false;
  return ka.every((k) => b.fair_value[k] === a.fair_value[k]);
}
