import { viewBook } from '../../domain/book/book-view.ts';
import { LevelChangeBatch } from '../../domain/book/level-change-batch.ts';
import { levelsOf, type BookLevels } from '../../domain/trading/book-view.ts';
import type { Level } from '../../domain/book/l2-book.ts';
import type { TokenApplyOutcome, TokenBookState } from '../../domain/book/token-book-state.ts';
import type { PayloadOf } from '../../domain/events/catalog.ts';
import type { EventFactory, EventMeta } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type {
  BookSide,
  LastTradePriceMessage,
  MarketResolvedMessage,
  PriceLevelChange,
  TickSizeChangeMessage,
} from '../../domain/market/messages.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { hash32 } from '../../domain/util/random.ts';
import type { StageRecorder } from '../metrics/stage-latency.ts';

export interface TapePublisherOptions {
  topLevels: number;
  imbalanceLevels: number;
  emitL2Delta: boolean;
  snapshotIntervalMs: number;
  /**
   * L2_SNAPSHOTs go out in this many groups spread evenly over the interval (a book's group is
   * fixed by a hash of its market id, so a market's two books are sampled together), so each book
   * is still sampled once per interval but the loop never stops for all of them at once. 1 (the
   * default): every book at each interval.
   */
  snapshotSlices?: number;
  /**
   * Floor between two BEST_PRICE of one token. 0: every top-of-book change is published at the end
   * of the event-loop turn it arrived in (one per token per turn), with no timer in between.
   */
  bestPriceFlushMs: number;
  /** Floor 0: a BEST_PRICE now is decided at once (the node is idle): flushed after its socket read, not the turn. */
  decidedAtOnce?: () => boolean;
  /**
   * Levels of each side every BEST_PRICE carries (`market_tape.best_price_levels`; the books must
   * report a change to any of them as `levels_changed`), announced on each L2_SNAPSHOT as
   * `best_price_levels`. Absent: BEST_PRICE carries the touch alone, as journals before it.
   */
  bestPriceLevels?: number;
  /** Sees every top-of-book (touch) change as it is marked (the e2e benchmark's latency probe); absent in the daemon. */
  onBestChanged?: (assetId: string) => void;
  /** Times frame → book and book → BEST_PRICE on the injected clock's monotonic reading (the daemon's hot-path stages). */
  stages?: StageRecorder;
}

export interface TapePublisherMetrics {
  l2_snapshots: number;
  best_prices: number;
  best_updates_coalesced: number;
  l2_deltas: number;
  trades: number;
  resync_started: number;
  resync_done: number;
  gaps: number;
}

/** Where the publisher finds the books it reports on (every token carried, sorted). */
export type BookSource = () => Iterable<TokenBookState>;

/** The book of one carried token. */
export type BookLookup = (assetId: string) => TokenBookState | undefined;

/**
 * Everything the market tape puts on the bus. Per-delta records (L2_DELTA, TRADE, markers) go out
 * as they happen; BEST_PRICE (the touch, and the best `bestPriceLevels` levels of each side) is
 * coalesced per token (one per token per event-loop turn, or with a floor of `bestPriceFlushMs`
 * between two of a token; each carries how many changes it stands for); L2_SNAPSHOT is sampled on
 * a fixed cadence.
 */
export class TapePublisher {
  readonly metrics: TapePublisherMetrics = {
    l2_snapshots: 0,
    best_prices: 0,
    best_updates_coalesced: 0,
    l2_deltas: 0,
    trades: 0,
    resync_started: 0,
    resync_done: 0,
    gaps: 0,
  };
  /** Tokens whose top of book changed since the last flush, with the number of changes. */
  private readonly dirty = new Map<string, number>();
  /** When each dirty token's first unpublished change was applied (monotonic ms), only while `stages` is set. */
  private readonly changedAt = new Map<string, number>();
  private snapshotTimer: TimerHandle | null = null;
  private flushTimer: TimerHandle | null = null;
  private lookup: BookLookup | null = null;
  /** When each dirty token's BEST_PRICE is due, and when each token's last one went out. */
  private readonly dueAt = new Map<string, number>();
  private readonly lastFlushedAt = new Map<string, number>();
  private timerDue = Infinity;
  private running = false;
  /** A per-turn flush is scheduled (floor 0). */
  private turnPending = false;
  private readonly flushTurn = (): void => {
    this.turnPending = false;
    const lookup = this.lookup;
    if (!this.running || !lookup || this.dirty.size === 0) return;
    const order = this.flushOrder;
    order.count = 0;
    for (const id of this.dirty.keys()) order.add(id, lookup(id));
    this.publishAll(order, this.clock.now());
  };
  /** Each book's levels as its last BEST_PRICE carried them (gone with the book). */
  private readonly published = new WeakMap<TokenBookState, BookLevels>();
  /** The tokens of one flush, sorted in place (reused: a flush per event-loop turn). */
  private readonly flushOrder = new FlushOrder();

  constructor(
    private readonly sink: EventSink,
    private readonly events: EventFactory,
    private readonly clock: Clock,
    private readonly opts: TapePublisherOptions,
  ) {}

  /** Start the L2_SNAPSHOT cadence over the books `source` yields, and BEST_PRICE publishing. */
  start(source: BookSource, lookup: BookLookup): void {
    if (this.running) return;
    this.running = true;
    this.lookup = lookup;
    const slices = Math.max(1, Math.floor(this.opts.snapshotSlices ?? 1));
    const every = this.opts.snapshotIntervalMs / slices;
    let slice = 0;
    const snapshotLoop = () => {
      if (!this.running) return;
      this.snapshot(slices === 1 ? source() : inSlice(source(), slice, slices));
      slice = (slice + 1) % slices;
      this.snapshotTimer = this.clock.setTimeout(snapshotLoop, every);
    };
    this.snapshotTimer = this.clock.setTimeout(snapshotLoop, every);
    if (this.opts.bestPriceFlushMs === 0) {
      if (this.dirty.size > 0) this.armTurn();
      return;
    }
    let first = Infinity;
    for (const due of this.dueAt.values()) first = Math.min(first, due);
    if (first < Infinity) this.armFlush(first);
  }

  stop(): void {
    this.running = false;
    this.lookup = null;
    if (this.snapshotTimer !== null) this.clock.clearTimeout(this.snapshotTimer);
    if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
    this.snapshotTimer = null;
    this.flushTimer = null;
    this.timerDue = Infinity;
    // A per-turn flush already scheduled finds `running` false and does nothing.
    this.turnPending = false;
  }

  /**
   * One L2_SNAPSHOT per book given, all stamped with one time and a market's two side by side: a
   * reader holding the latest snapshot of each token (the dashboard's YES and NO ladders) holds a
   * pair of books that existed together, not two samples up to an interval apart.
   */
  snapshot(states: Iterable<TokenBookState>): void {
    const opts = { topLevels: this.opts.topLevels, imbalanceLevels: this.opts.imbalanceLevels };
    const at = this.clock.now();
    const books = [...states].map((state) => ({ id: state.asset_id, state }));
    books.sort(byMarketThenToken);
    for (const { state } of books) {
      const v = viewBook(state, opts);
      this.sink.emit(
        this.events.make(
          'L2_SNAPSHOT',
          {
            resync_epoch_id: v.resync_epoch_id,
            synced: v.synced,
            tick_size: v.tick_size,
            bids: v.bids,
            asks: v.asks,
            best_bid: v.best_bid,
            best_ask: v.best_ask,
            mid: v.mid,
            spread: v.spread,
            microprice: v.microprice,
            imbalance: v.imbalance,
            hash: v.hash,
            ...(this.opts.bestPriceLevels ? { best_price_levels: this.opts.bestPriceLevels } : {}),
          },
          metaAt(state, at),
        ),
      );
      this.metrics.l2_snapshots++;
    }
  }

  /** What BEST_PRICE carries of `assetId` changed (or it lost sync), `touched`: its touch too. Published when due. */
  markBestChanged(assetId: string, touched = true): void {
    const before = this.dirty.get(assetId);
    if (before === undefined && this.opts.stages) this.changedAt.set(assetId, this.clock.monotonicNow());
    this.dirty.set(assetId, (before ?? 0) + 1);
    if (touched) this.opts.onBestChanged?.(assetId);
    if (this.opts.bestPriceFlushMs === 0) {
      if (!this.turnPending && this.running) this.armTurn();
      return;
    }
    if (this.dueAt.has(assetId)) return;
    const now = this.clock.now();
    const earliest = (this.lastFlushedAt.get(assetId) ?? -Infinity) + this.opts.bestPriceFlushMs;
    // Deferred turns are rounded up to a tenth of the interval, so busy tokens share flushes.
    const granule = Math.max(1, Math.round(this.opts.bestPriceFlushMs / 10));
    const due = earliest <= now ? now : Math.ceil(earliest / granule) * granule;
    this.dueAt.set(assetId, due);
    if (this.running && due < this.timerDue) this.armFlush(due);
  }

  private armTurn(): void {
    this.turnPending = true;
    // Never on a timer live: after the read while the node idles, else after the turn's I/O (coalescing).
    if (this.clock.afterRead && this.opts.decidedAtOnce?.() === true) this.clock.afterRead(this.flushTurn);
    else if (this.clock.afterTurn) this.clock.afterTurn(this.flushTurn);
    else this.clock.setTimeout(this.flushTurn, 0);
  }

  /**
   * A leading-edge throttle per token: a token's first change after a quiet `bestPriceFlushMs` is
   * published on the next clock turn (after the frame that caused it, so one frame's changes go out
   * together); later changes wait until `bestPriceFlushMs` has passed since that token's previous
   * BEST_PRICE. Latency stays near zero for a token that moves now and then, and a busy token still
   * publishes at most once per interval.
   */
  private armFlush(due: number): void {
    if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
    this.timerDue = due;
    this.flushTimer = this.clock.setTimeout(() => this.flushDue(), Math.max(0, due - this.clock.now()));
  }

  private flushDue(): void {
    this.flushTimer = null;
    this.timerDue = Infinity;
    const lookup = this.lookup;
    if (!this.running || !lookup) return;
    const now = this.clock.now();
    const ready = this.flushOrder;
    ready.count = 0;
    let next = Infinity;
    for (const [id, due] of this.dueAt) {
      if (due <= now) ready.add(id, lookup(id));
      else if (due < next) next = due;
    }
    this.publishAll(ready, now);
    if (next < Infinity) this.armFlush(next);
  }

  /**
   * One BEST_PRICE per token in `ids`, in market then token order: deterministic whatever order
   * the changes came in, and a market's two tokens side by side, the first marked
   * `partner_follows` so that its market's actor decides once on both books.
   */
  private publishAll(order: FlushOrder, now: number): void {
    order.sort();
    const { ids, states, count } = order;
    for (let i = 0; i < count; i++) {
      const state = states[i];
      this.publishBest(ids[i]!, state, now, state?.market != null && i + 1 < count && states[i + 1]?.market === state.market);
    }
    order.release();
  }

  /** One BEST_PRICE for a token marked since its last one, standing for all its changes since. */
  private publishBest(id: string, state: TokenBookState | undefined, now: number, partnerFollows: boolean): void {
    const count = this.dirty.get(id);
    this.dirty.delete(id);
    this.dueAt.delete(id);
    const changedAt = this.changedAt.get(id);
    if (changedAt !== undefined) {
      this.changedAt.delete(id);
      // The oldest change it stands for: what the last of a coalesced burst waited is less.
      if (count !== undefined && state) this.opts.stages!.record('book_to_best_price', this.clock.monotonicNow() - changedAt);
    }
    if (count === undefined || !state) return;
    if (this.opts.bestPriceFlushMs > 0) this.lastFlushedAt.set(id, now);
    const book = state.book;
    const bid = book.bestPrice('BUY');
    const ask = book.bestPrice('SELL');
    const payload: PayloadOf<'BEST_PRICE'> = {
      resync_epoch_id: state.resync_epoch_id,
      synced: state.synced,
      best_bid: bid,
      best_bid_size: bid === null ? null : book.bestSize('BUY'),
      best_ask: ask,
      best_ask_size: ask === null ? null : book.bestSize('SELL'),
      updates_coalesced: count,
    };
    const depth = this.opts.bestPriceLevels;
    if (depth) {
      // Sides unchanged since the token's last BEST_PRICE are that one's arrays (nothing is copied
      // again), and the levels a consumer holds are never changed after they went out.
      const levels = levelsOf(book, depth, this.published.get(state) ?? null);
      this.published.set(state, levels);
      payload.bids = levels.bids as Level[];
      payload.asks = levels.asks as Level[];
    }
    if (partnerFollows) payload.partner_follows = true;
    // Stamped with the flush's time, as the floor between two of a token is kept: one flush's are
    // one instant, however long emitting the ones before took (a collection mid-flush).
    this.sink.emit(this.events.make('BEST_PRICE', payload, metaAt(state, now)));
    this.metrics.best_prices++;
    this.metrics.best_updates_coalesced += count;
  }

  /**
   * Level changes just applied to a synced book, as L2_DELTA records: the token's entries of the
   * decoder's changes, or of a frame read in place (`LevelChangeBatch`, read column by column: no
   * per-change objects are built just to be copied into the payloads).
   */
  deltas(state: TokenBookState, changes: readonly PriceLevelChange[] | LevelChangeBatch, ts: number): void {
    if (!this.opts.emitL2Delta) return;
    // One meta for the frame's changes of this book (the factory copies what it needs from it).
    const ids = state.market ? { token_id: state.asset_id, market_id: state.market, ts_source: ts } : { token_id: state.asset_id, ts_source: ts };
    if (changes instanceof LevelChangeBatch) {
      for (let i = 0; i < changes.count; i++) {
        if (changes.states[i]!.asset_id !== state.asset_id) continue;
        const bb = changes.bestBid[i]!;
        const ba = changes.bestAsk[i]!;
        this.delta(state, ids, changes.side(i), changes.price[i]!, changes.size[i]!, bb === bb ? bb : null, ba === ba ? ba : null);
      }
      return;
    }
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      if (c.asset_id === state.asset_id) this.delta(state, ids, c.side, c.price, c.size, c.best_bid, c.best_ask);
    }
  }

  /** One L2_DELTA; a best price the venue did not send is our book's (after the frame). */
  private delta(state: TokenBookState, ids: EventMeta, side: BookSide, price: number, size: number, bestBid: number | null, bestAsk: number | null): void {
    this.sink.emit(
      this.events.make(
        'L2_DELTA',
        {
          resync_epoch_id: state.resync_epoch_id,
          side,
          price,
          size,
          best_bid: bestBid ?? state.book.bestPrice('BUY'),
          best_ask: bestAsk ?? state.book.bestPrice('SELL'),
        },
        ids,
      ),
    );
    this.metrics.l2_deltas++;
  }

  trade(msg: LastTradePriceMessage): void {
    this.sink.emit(
      this.events.make(
        'TRADE',
        { price: msg.price, size: msg.size, side: msg.side, fee_rate_bps: msg.fee_rate_bps },
        { market_id: msg.market, token_id: msg.asset_id, ts_source: msg.timestamp },
      ),
    );
    this.metrics.trades++;
  }

  tickSizeChange(msg: TickSizeChangeMessage): void {
    this.sink.emit(
      this.events.make(
        'TICK_SIZE_CHANGE',
        { old_tick_size: msg.old_tick_size, new_tick_size: msg.new_tick_size },
        { market_id: msg.market, token_id: msg.asset_id, ts_source: msg.timestamp },
      ),
    );
  }

  marketResolved(msg: MarketResolvedMessage): void {
    this.sink.emit(
      this.events.make(
        'MARKET_RESOLVED',
        { winning_token_id: msg.winning_asset_id, winning_outcome: msg.winning_outcome },
        { market_id: msg.market, ts_source: msg.timestamp },
      ),
    );
  }

  resyncStart(o: TokenApplyOutcome, market: string | null): void {
    this.sink.emit(
      this.events.make(
        'BOOK_RESYNC_START',
        { resync_epoch_id: o.resync_epoch_id, reason: String(o.reason ?? 'unknown') },
        ids(o.asset_id, market),
      ),
    );
    this.metrics.resync_started++;
  }

  resyncDone(o: TokenApplyOutcome, market: string | null, durationMs: number): void {
    this.sink.emit(
      this.events.make(
        'BOOK_RESYNC_DONE',
        { resync_epoch_id: o.resync_epoch_id, duration_ms: Math.max(0, durationMs) },
        ids(o.asset_id, market),
      ),
    );
    this.metrics.resync_done++;
  }

  gap(assetId: string, market: string | null, epoch: number, reason: string): void {
    this.sink.emit(this.events.make('GAP_DETECTED', { resync_epoch_id: epoch, reason }, ids(assetId, market)));
    this.metrics.gaps++;
  }

  now(): number {
    return this.clock.now();
  }

  /** A frame was received at `receivedAt` (monotonic ms, from `frameStart()`) and its messages applied to the books. */
  frameApplied(receivedAt: number): void {
    this.opts.stages?.record('frame_to_book', this.clock.monotonicNow() - receivedAt);
  }

  /** The monotonic reading a frame's handling starts at (0 when nothing times it: no clock read per frame). */
  frameStart(): number {
    return this.opts.stages ? this.clock.monotonicNow() : 0;
  }
}

/** Market, then token order (a token without a market first, by token). */
function byMarketThenToken(a: { id: string; state: TokenBookState | undefined }, b: { id: string; state: TokenBookState | undefined }): number {
  return inMarketThenTokenOrder(a.id, a.state, b.id, b.state);
}

function inMarketThenTokenOrder(aId: string, a: TokenBookState | undefined, bId: string, b: TokenBookState | undefined): number {
  return compare(a?.market ?? '', b?.market ?? '') || compare(aId, bId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The tokens of one BEST_PRICE flush with their books, as two columns kept from flush to flush and
 * sorted in place (binary insertion: a turn flushes tens of tokens, and `Array.prototype.sort`
 * copies its input into a work array of its own).
 */
class FlushOrder {
  count = 0;
  readonly ids: string[] = [];
  readonly states: Array<TokenBookState | undefined> = [];

  add(id: string, state: TokenBookState | undefined): void {
    this.ids[this.count] = id;
    this.states[this.count] = state;
    this.count++;
  }

  /** Market, then token order. */
  sort(): void {
    const { ids, states } = this;
    for (let i = 1; i < this.count; i++) {
      const id = ids[i]!;
      const state = states[i];
      let lo = 0;
      let hi = i;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (inMarketThenTokenOrder(ids[mid]!, states[mid], id, state) <= 0) lo = mid + 1;
        else hi = mid;
      }
      for (let j = i; j > lo; j--) {
        ids[j] = ids[j - 1]!;
        states[j] = states[j - 1];
      }
      ids[lo] = id;
      states[lo] = state;
    }
  }

  /** Lets go of the books (the columns keep their storage). */
  release(): void {
    this.states.fill(undefined, 0, this.count);
    this.count = 0;
  }
}

/**
 * The books of one snapshot group. The group is the market's (a token whose market is not known
 * yet: its own), so a market's YES and NO books are always sampled in the same tick; grouped by
 * token they were up to an interval apart, and the dashboard showed a pair that never existed.
 */
function* inSlice(states: Iterable<TokenBookState>, slice: number, slices: number): Iterable<TokenBookState> {
  for (const state of states) if (hash32(state.market ?? state.asset_id) % slices === slice) yield state;
}

/** A book's ids, stamped `at` (one object: no spread of a second one per event). */
function metaAt(state: TokenBookState, at: number): EventMeta {
  return state.market ? { token_id: state.asset_id, market_id: state.market, ts_ingest: at } : { token_id: state.asset_id, ts_ingest: at };
}

function ids(token: string, market: string | null): { token_id: string; market_id?: string } {
  return market ? { token_id: token, market_id: market } : { token_id: token };
}
