import type { BookMessage, BookSide } from '../market/messages.ts';
import { AsciiBytes } from './ascii-bytes.ts';
import { L2Book } from './l2-book.ts';
import { FINEST_TICK_SIZE, fromTicks } from './price.ts';
import { isPlainJsonText } from './token-index.ts';

/**
 * Integrity of one token's mirror, as plain data (the hot path cannot afford an actor per token):
 *
 *   awaiting_snapshot ──book──▶ synced ──crossed / best mismatch / off-grid / out of order──▶ resync_needed
 *          ▲                       │                                                          │
 *          └── tick_size_change ◀──┴───────────────── book (snapshot) ◀───────────────────────┘
 *
 * Only a snapshot makes a token synced; level updates are applied only while synced. Every loss of
 * sync starts a new `resync_epoch_id`, which tags everything published about the token until the
 * next loss, so consumers can tell which book lineage a delta belongs to.
 */
export type TokenBookStatus = 'awaiting_snapshot' | 'synced' | 'resync_needed';

/** Why a token lost sync. Free-form reasons given to `invalidate` (e.g. 'reconnect') pass through. */
export type ResyncReason =
  | 'crossed_book'
  | 'best_price_mismatch'
  | 'off_tick_price'
  | 'out_of_order_timestamp'
  | 'tick_size_change'
  | 'invalid_snapshot'
  | (string & {});

/** Reasons that are evidence of missed messages: the feed publishes GAP_DETECTED for them. */
const GAP_REASONS: ReadonlySet<string> = new Set(['best_price_mismatch', 'out_of_order_timestamp']);

export type TokenApplyStatus =
  /** Level changes applied to a synced book. */
  | 'applied'
  /** A snapshot replaced the book; the token is synced. */
  | 'snapshot'
  /** Updates arrived while the token had no valid snapshot; nothing applied. */
  | 'ignored_unsynced'
  /** Updates older than the snapshot the book was rebuilt from; nothing applied. */
  | 'ignored_stale'
  /** The mirror is no longer trustworthy; the book was dropped and needs a fresh snapshot. */
  | 'resync_needed'
  /** tick_size_change: new epoch, book dropped, updates ignored until a fresh snapshot. */
  | 'epoch_changed';

/**
 * What happened to one token. `resync_started` / `resync_done` / `gap` tell the feed which
 * BOOK_RESYNC_START / BOOK_RESYNC_DONE / GAP_DETECTED marker to publish, all with
 * `resync_epoch_id` (and `reason`).
 */
export interface TokenApplyOutcome {
  asset_id: string;
  status: TokenApplyStatus;
  resync_epoch_id: number;
  /** Synced after this message. */
  synced: boolean;
  reason: ResyncReason | null;
  resync_started: boolean;
  resync_done: boolean;
  gap: boolean;
  levels_applied: number;
  /** Best bid or ask (price or size) differs from before the message. */
  best_changed: boolean;
  /**
   * What BEST_PRICE publishes changed: the touch (`best_changed`) or, with `bestPriceLevels`
   * above 1, any other of each side's best `bestPriceLevels` levels.
   */
  levels_changed: boolean;
}

export interface TokenBookOptions {
  /** Compare the computed top of book with the best_bid/best_ask the venue sends in price_change. */
  verifyBestPrices: boolean;
  /** Treat an update older than the previous one as a gap (frames reordered or lost). */
  checkTimestampOrder: boolean;
  /**
   * The levels of each side BEST_PRICE carries (`market_tape.best_price_levels`): a change to any
   * of them is a `levels_changed`. Absent or 1: the touch alone.
   */
  bestPriceLevels?: number;
}

export class TokenBookState {
  readonly asset_id: string;
  market: string | null = null;
  book: L2Book;
  status: TokenBookStatus = 'awaiting_snapshot';
  resync_epoch_id = 0;
  /** Opaque change token from the last book or change that carried one; never verified. */
  hash: string | null = null;
  /** Venue time of the snapshot the book was built from. */
  snapshot_ts: number | null = null;
  /** Venue time of the last applied message. */
  last_ts: number | null = null;
  /** Why the token is not synced (null while synced or before the first snapshot). */
  resync_reason: ResyncReason | null = null;
  /** Tick size the venue told us (book, tick_size_change, discovery); null when never told. */
  knownTickSize: number | null;
  /** A resync was started and not yet completed by a snapshot. */
  private resyncOpen = false;
  /** The last `market` value checked by `marketBytes`, and the answer. */
  private checkedMarket: string | null = null;
  private checkedMarketBytes: AsciiBytes | null = null;

  // Per-message scratch (kept on the state so a frame allocates nothing but its outcome). A best
  // price not sent is NaN, not null: a field that only ever holds doubles stores them in place,
  // where one that may hold null boxes every double stored into it (a heap allocation per change).
  private pendingBestBid = NaN;
  private pendingBestAsk = NaN;
  private pendingLevels = 0;
  private pendingOffGrid = false;
  /** The best price of each side the frame changed (-Infinity / Infinity: none), for `topLevelsChanged`. */
  private pendingTopBid = -Infinity;
  private pendingTopAsk = Infinity;
  private beforeBidTicks: number | null = null;
  private beforeAskTicks: number | null = null;
  private beforeBidSize = 0;
  private beforeAskSize = 0;
  private beforeTickSize = 0;

  constructor(assetId: string, knownTickSize: number | null) {
    this.asset_id = assetId;
    this.knownTickSize = knownTickSize;
    this.book = new L2Book(knownTickSize ?? FINEST_TICK_SIZE);
  }

  get synced(): boolean {
    return this.status === 'synced';
  }

  /** `market`'s bytes when it can be matched against a frame's raw bytes (see isPlainJsonText; ASCII); else null. */
  marketBytes(): AsciiBytes | null {
    const market = this.market;
    if (market !== this.checkedMarket) {
      this.checkedMarket = market;
      this.checkedMarketBytes = market !== null && isPlainJsonText(market) ? AsciiBytes.of(market) : null;
    }
    return this.checkedMarketBytes;
  }

  /**
   * Replace the book from a snapshot (WebSocket `book`, or a REST /book answer decoded into one).
   * A snapshot older than what a synced book already reflects is ignored.
   */
  applySnapshot(msg: BookMessage, bestPriceLevels = 1): TokenApplyOutcome {
    const wasSynced = this.status === 'synced';
    if (wasSynced && this.last_ts !== null && msg.timestamp < this.last_ts) return this.ignored('ignored_stale');
    this.market = msg.market;
    if (msg.tick_size !== null) this.knownTickSize = msg.tick_size;
    this.captureTop();
    // Snapshots are rare (subscribe, resync): the levels before are copied to compare, not tracked.
    const before = bestPriceLevels > 1 ? this.book.topN(bestPriceLevels) : null;
    let book = this.bookFor(this.knownTickSize ?? FINEST_TICK_SIZE);
    let ok = book.applySnapshot(msg.bids, msg.asks);
    if (!ok && book.tickSize !== FINEST_TICK_SIZE) {
      // The prices do not fit the tick we were told; the finest grid fits every valid price.
      book = this.bookFor(FINEST_TICK_SIZE);
      ok = book.applySnapshot(msg.bids, msg.asks);
    }
    if (!ok || book.isCrossed()) return this.loseSync(ok ? 'crossed_book' : 'invalid_snapshot', 'resync_needed', wasSynced);
    this.book = book;
    this.status = 'synced';
    this.hash = msg.hash;
    this.snapshot_ts = msg.timestamp;
    this.last_ts = msg.timestamp;
    this.resync_reason = null;
    const done = this.resyncOpen;
    this.resyncOpen = false;
    const touched = this.topChanged();
    return {
      asset_id: this.asset_id,
      status: 'snapshot',
      resync_epoch_id: this.resync_epoch_id,
      synced: true,
      reason: null,
      resync_started: false,
      resync_done: done,
      gap: false,
      levels_applied: book.levelCount('BUY') + book.levelCount('SELL'),
      best_changed: touched,
      levels_changed: touched || (before !== null && !(book.topSideEquals('BUY', bestPriceLevels, before.bids) && book.topSideEquals('SELL', bestPriceLevels, before.asks))),
    };
  }

  /** tick_size_change: a new epoch on the new grid; nothing applies until a fresh snapshot. */
  changeTickSize(newTickSize: number): TokenApplyOutcome {
    const outcome = this.loseSync('tick_size_change', 'epoch_changed', this.status === 'synced');
    this.knownTickSize = newTickSize;
    this.book = new L2Book(newTickSize);
    return outcome;
  }

  /** Drop the book and start a new epoch (integrity failure, reconnect, forced resync). */
  invalidate(reason: ResyncReason): TokenApplyOutcome {
    return this.loseSync(reason, 'resync_needed', this.status === 'synced');
  }

  /**
   * Whether updates stamped `timestamp` may be applied now: 'ok', 'unsynced', 'stale' (older than
   * the snapshot: already in it) or 'out_of_order' (older than the last applied update).
   */
  admits(timestamp: number, checkOrder: boolean): 'ok' | 'unsynced' | 'stale' | 'out_of_order' {
    if (this.status !== 'synced') return 'unsynced';
    if (this.snapshot_ts !== null && timestamp < this.snapshot_ts) return 'stale';
    if (checkOrder && this.last_ts !== null && timestamp < this.last_ts) return 'out_of_order';
    return 'ok';
  }

  /** Before the first level change of a frame that touches this (synced) token. */
  beginUpdate(): void {
    this.pendingBestBid = NaN;
    this.pendingBestAsk = NaN;
    this.pendingLevels = 0;
    this.pendingOffGrid = false;
    this.pendingTopBid = -Infinity;
    this.pendingTopAsk = Infinity;
    this.captureTop();
  }

  /**
   * One level change of the current frame; integrity is judged in `endUpdate`. A best price the
   * change did not carry is NaN (the columns of a `LevelChangeBatch` hold numbers only). `hash` is
   * kept until the token's next change, so it must be a string of its own, not a slice of the
   * frame (see `detached`): a slice would keep the whole frame alive.
   */
  applyLevel(side: BookSide, price: number, size: number, bestBid: number, bestAsk: number, hash: string | null): void {
    if (this.book.applyLevel(side, price, size)) {
      this.pendingLevels++;
      if (side === 'BUY') {
        if (price > this.pendingTopBid) this.pendingTopBid = price;
      } else if (price < this.pendingTopAsk) this.pendingTopAsk = price;
    } else this.pendingOffGrid = true;
    if (bestBid === bestBid) this.pendingBestBid = bestBid;
    if (bestAsk === bestAsk) this.pendingBestAsk = bestAsk;
    if (hash !== null) this.hash = hash;
  }

  /**
   * Integrity once every change of the frame for this token is in (a frame may pass through a
   * transiently crossed state between its entries, so nothing is judged per entry).
   */
  endUpdate(timestamp: number, opts: TokenBookOptions): TokenApplyOutcome {
    if (this.pendingOffGrid) return this.loseSync('off_tick_price', 'resync_needed', true);
    if (this.book.isCrossed()) return this.loseSync('crossed_book', 'resync_needed', true);
    const bid = this.pendingBestBid;
    const ask = this.pendingBestAsk;
    if (opts.verifyBestPrices && !this.bestAgrees(bid === bid ? bid : null, ask === ask ? ask : null)) {
      return this.loseSync('best_price_mismatch', 'resync_needed', true);
    }
    this.last_ts = timestamp;
    const touched = this.topChanged();
    return {
      asset_id: this.asset_id,
      status: 'applied',
      resync_epoch_id: this.resync_epoch_id,
      synced: true,
      reason: null,
      resync_started: false,
      resync_done: false,
      gap: false,
      levels_applied: this.pendingLevels,
      best_changed: touched,
      levels_changed: touched || this.topLevelsChanged(opts.bestPriceLevels ?? 1),
    };
  }

  /**
   * The venue's top of book against ours. It writes an empty side as best_bid "0" / best_ask "1";
   * null means the frame did not say, which agrees with anything.
   */
  bestAgrees(bestBid: number | null, bestAsk: number | null): boolean {
    const book = this.book;
    if (bestBid !== null) {
      const ours = book.bestTicks('BUY');
      if (ours === null ? bestBid !== 0 : book.priceToTicks(bestBid) !== ours) return false;
    }
    if (bestAsk !== null) {
      const ours = book.bestTicks('SELL');
      if (ours === null ? bestAsk !== 1 : book.priceToTicks(bestAsk) !== ours) return false;
    }
    return true;
  }

  /** The outcome for a message this token does not take. */
  ignored(status: 'ignored_unsynced' | 'ignored_stale'): TokenApplyOutcome {
    return {
      asset_id: this.asset_id,
      status,
      resync_epoch_id: this.resync_epoch_id,
      synced: this.status === 'synced',
      reason: status === 'ignored_stale' ? 'older_than_book' : (this.resync_reason ?? 'awaiting_snapshot'),
      resync_started: false,
      resync_done: false,
      gap: false,
      levels_applied: 0,
      best_changed: false,
      levels_changed: false,
    };
  }

  private loseSync(reason: ResyncReason, status: 'resync_needed' | 'epoch_changed', wasSynced: boolean): TokenApplyOutcome {
    const hadLevels = this.book.levelCount('BUY') + this.book.levelCount('SELL') > 0;
    this.resync_epoch_id++;
    this.status = status === 'epoch_changed' ? 'awaiting_snapshot' : 'resync_needed';
    this.resync_reason = reason;
    this.resyncOpen = true;
    this.book.clear();
    return {
      asset_id: this.asset_id,
      status,
      resync_epoch_id: this.resync_epoch_id,
      synced: false,
      reason,
      resync_started: true,
      resync_done: false,
      gap: wasSynced && GAP_REASONS.has(reason),
      levels_applied: 0,
      best_changed: hadLevels,
      levels_changed: hadLevels,
    };
  }

  private bookFor(tickSize: number): L2Book {
    return this.book.tickSize === tickSize ? this.book : new L2Book(tickSize);
  }

  private captureTop(): void {
    const book = this.book;
    this.beforeBidTicks = book.bestTicks('BUY');
    this.beforeAskTicks = book.bestTicks('SELL');
    this.beforeBidSize = book.bestSize('BUY');
    this.beforeAskSize = book.bestSize('SELL');
    this.beforeTickSize = book.tickSize;
  }

  /**
   * A level among the best `depth` of a side changed in this frame: the best price the frame
   * changed on that side is at or better than the side's `depth`th-best price after the frame (or
   * the side has fewer levels). Exact for removals too: a removed level that was among the best
   * `depth` is better than the new `depth`th-best.
   */
  private topLevelsChanged(depth: number): boolean {
    if (depth <= 1) return false;
    const book = this.book;
    return (this.pendingTopBid !== -Infinity && book.withinTop('BUY', this.pendingTopBid, depth)) || (this.pendingTopAsk !== Infinity && book.withinTop('SELL', this.pendingTopAsk, depth));
  }

  /** Compares prices as prices: a snapshot may have moved the book to another grid. */
  private topChanged(): boolean {
    const book = this.book;
    const bid = book.bestTicks('BUY');
    const ask = book.bestTicks('SELL');
    const prevTick = this.beforeTickSize;
    return (
      !samePrice(bid, book.tickSize, this.beforeBidTicks, prevTick) ||
      !samePrice(ask, book.tickSize, this.beforeAskTicks, prevTick) ||
      book.bestSize('BUY') !== this.beforeBidSize ||
      book.bestSize('SELL') !== this.beforeAskSize
    );
  }
}

function samePrice(ticks: number | null, tickSize: number, prevTicks: number | null, prevTickSize: number): boolean {
  if (ticks === null || prevTicks === null) return ticks === prevTicks;
  if (tickSize === prevTickSize) return ticks === prevTicks;
  return fromTicks(ticks, tickSize) === fromTicks(prevTicks, prevTickSize);
}
