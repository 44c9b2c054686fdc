import type { HeliosEvent } from '../events/catalog.ts';
import type { BookSide } from '../market/messages.ts';
import { L2Book } from './l2-book.ts';

/** One token's book as a bus consumer sees it. */
interface MirroredToken {
  book: L2Book;
  market_id: string | null;
  /** Book lineage (`resync_epoch_id`) the levels belong to. */
  epoch: number;
  /** The levels came from a synced snapshot of `epoch` and nothing since said they are wrong. */
  synced: boolean;
  /** ts_ingest of the last event that concerned this token's book. */
  last_ts: number;
  /**
   * The levels of each side this lineage's BEST_PRICEs carry (its last L2_SNAPSHOT's
   * `best_price_levels`); 0: they carry the touch alone and L2_DELTAs refresh the book.
   */
  bestPriceLevels: number;
}

export interface BusBookMirrorOptions {
  /** Tick size of a token's first book when its first event is not a snapshot. Default 0.01. */
  defaultTickSize?: number;
}

/**
 * Rebuilds an `L2Book` per token from bus events alone, for consumers that never see the venue:
 * a trading shard, a replay, a backtest.
 *
 * - `L2_SNAPSHOT` (1 s, top-N levels) replaces the book; it is synced when the snapshot says so.
 *   Its `best_price_levels` (N) says the lineage's BEST_PRICEs carry the best N levels of each side.
 * - A `BEST_PRICE` carrying levels (of the current epoch) replaces the top of each side: the levels
 *   at or better than its last given level go, the given ones take their place; a side given fewer
 *   than N levels is exactly those. Deeper levels stay from the last snapshot.
 * - `L2_DELTA` is ignored while the token's snapshot announced levels on BEST_PRICE: the trading
 *   node reads no deltas live, so a replay fed the journal's deltas must not see them either.
 *   Otherwise (journals recorded before BEST_PRICE carried levels) a delta of the current epoch
 *   applies one level on a synced book; levels better than the delta's reported best are dropped
 *   (they vanished while no delta was recorded: outside event windows the journal keeps snapshots
 *   and best prices only).
 * - A `BEST_PRICE` without levels (of the current epoch) re-aligns the top: levels better than the
 *   best go, the best level takes its reported size, so the top stays fresh between snapshots.
 * - `BOOK_RESYNC_START`, `GAP_DETECTED`, `TICK_SIZE_CHANGE`, an unsynced snapshot or best price, a
 *   newer epoch seen on any event: unsynced until a synced snapshot of that epoch arrives.
 *   `BOOK_RESYNC_DONE` alone does not resync: it carries no levels.
 * - Anything of an older epoch is ignored (late records of a lineage already abandoned).
 *
 * Top-N snapshots mean levels deeper than N are unknown: depth is what the bus carried.
 */
export class BusBookMirror {
  private readonly tokensById = new Map<string, MirroredToken>();
  private readonly defaultTickSize: number;

  constructor(opts: BusBookMirrorOptions = {}) {
    this.defaultTickSize = opts.defaultTickSize ?? 0.01;
  }

  /**
   * Applies one bus event; true when it changed a token's book or its sync state (the moment to
   * re-signal whoever trades on it). Events that do not concern books return false.
   */
  apply(event: HeliosEvent): boolean {
    const token = event.token_id;
    if (token === undefined) return false;
    switch (event.type) {
      case 'L2_SNAPSHOT': {
        const p = event.payload;
        const t = this.tokenFor(token, event.market_id, p.tick_size);
        if (p.resync_epoch_id < t.epoch) return false;
        t.epoch = p.resync_epoch_id;
        t.last_ts = event.ts_ingest;
        t.bestPriceLevels = p.best_price_levels ?? 0;
        if (t.book.tickSize !== p.tick_size) t.book = new L2Book(p.tick_size);
        if (!p.synced || !t.book.applySnapshot(p.bids, p.asks) || t.book.isCrossed()) {
          t.book.clear();
          t.synced = false;
        } else t.synced = true;
        return true;
      }
      case 'L2_DELTA': {
        if (!this.readsDeltas(token)) return false;
        const p = event.payload;
        const t = this.tokenFor(token, event.market_id, null);
        if (p.resync_epoch_id < t.epoch) return false;
        if (p.resync_epoch_id > t.epoch) {
          // The lineage changed under us; its snapshot is still to come.
          t.epoch = p.resync_epoch_id;
          t.last_ts = event.ts_ingest;
          return this.unsync(t);
        }
        if (!t.synced) return false;
        t.last_ts = event.ts_ingest;
        if (!t.book.applyLevel(p.side, p.price, p.size)) return this.unsync(t);
        trimBetterThan(t.book, 'BUY', p.best_bid);
        trimBetterThan(t.book, 'SELL', p.best_ask);
        if (t.book.isCrossed()) return this.unsync(t);
        return true;
      }
      case 'BEST_PRICE': {
        const p = event.payload;
        const t = this.tokenFor(token, event.market_id, null);
        if (p.resync_epoch_id < t.epoch) return false;
        if (p.resync_epoch_id > t.epoch || !p.synced) {
          t.epoch = p.resync_epoch_id;
          t.last_ts = event.ts_ingest;
          return this.unsync(t);
        }
        if (!t.synced) return false;
        t.last_ts = event.ts_ingest;
        if (p.bids !== undefined && p.asks !== undefined) {
          if (!replaceTop(t.book, 'BUY', p.bids, t.bestPriceLevels) || !replaceTop(t.book, 'SELL', p.asks, t.bestPriceLevels)) return this.unsync(t);
        } else {
          alignTop(t.book, 'BUY', p.best_bid, p.best_bid_size);
          alignTop(t.book, 'SELL', p.best_ask, p.best_ask_size);
        }
        if (t.book.isCrossed()) return this.unsync(t);
        return true;
      }
      case 'BOOK_RESYNC_START':
      case 'GAP_DETECTED': {
        const t = this.tokenFor(token, event.market_id, null);
        if (event.payload.resync_epoch_id < t.epoch) return false;
        t.epoch = event.payload.resync_epoch_id;
        t.last_ts = event.ts_ingest;
        return this.unsync(t);
      }
      case 'BOOK_RESYNC_DONE': {
        const t = this.tokenFor(token, event.market_id, null);
        if (event.payload.resync_epoch_id > t.epoch) {
          t.epoch = event.payload.resync_epoch_id;
          t.last_ts = event.ts_ingest;
          return this.unsync(t);
        }
        return false;
      }
      case 'TICK_SIZE_CHANGE': {
        const t = this.tokenFor(token, event.market_id, null);
        t.last_ts = event.ts_ingest;
        t.book = new L2Book(event.payload.new_tick_size);
        t.synced = false;
        return true;
      }
      default:
        return false;
    }
  }

  /** The token's mirrored book (last snapshot plus what followed); undefined before any book event. */
  book(token: string): L2Book | undefined {
    return this.tokensById.get(token)?.book;
  }

  /**
   * Whether L2_DELTAs of `token` refresh its book: not while its snapshot announced levels on
   * BEST_PRICE (they would make a replay of the journal see what the trading node never read live).
   */
  readsDeltas(token: string): boolean {
    return (this.tokensById.get(token)?.bestPriceLevels ?? 0) === 0;
  }

  /** The book is trustworthy: built from a synced snapshot of the current epoch, nothing since contradicted it. */
  synced(token: string): boolean {
    return this.tokensById.get(token)?.synced ?? false;
  }

  /** The book only while synced (what a trader or a paper venue may act on). */
  tradableBook(token: string): L2Book | undefined {
    const t = this.tokensById.get(token);
    return t?.synced ? t.book : undefined;
  }

  /** Current `resync_epoch_id`; undefined before any event carrying one. */
  epoch(token: string): number | undefined {
    const e = this.tokensById.get(token)?.epoch;
    return e === undefined || e === Number.NEGATIVE_INFINITY ? undefined : e;
  }

  marketOf(token: string): string | null {
    return this.tokensById.get(token)?.market_id ?? null;
  }

  /** ts_ingest of the last event that concerned the token's book. */
  lastUpdate(token: string): number | undefined {
    return this.tokensById.get(token)?.last_ts;
  }

  tokens(): string[] {
    return [...this.tokensById.keys()].sort();
  }

  /** A token no one trades any more (its market resolved and left): its book goes. */
  forget(token: string): void {
    this.tokensById.delete(token);
  }

  private tokenFor(token: string, market: string | undefined, tickSize: number | null): MirroredToken {
    let t = this.tokensById.get(token);
    if (!t) {
      t = { book: new L2Book(tickSize ?? this.defaultTickSize), market_id: market ?? null, epoch: Number.NEGATIVE_INFINITY, synced: false, last_ts: 0, bestPriceLevels: 0 };
      this.tokensById.set(token, t);
    } else if (t.market_id === null && market !== undefined) t.market_id = market;
    return t;
  }

  private unsync(t: MirroredToken): boolean {
    const was = t.synced;
    t.synced = false;
    return was;
  }
}

/** Drops the levels of `side` priced better than `best` (all of them when the side is reported empty). */
function trimBetterThan(book: L2Book, side: BookSide, best: number | null): void {
  if (best === null) return;
  const limit = book.priceToTicks(best);
  if (limit !== limit) return;
  for (;;) {
    const top = book.bestTicks(side);
    if (top === null || (side === 'BUY' ? top <= limit : top >= limit)) return;
    book.applyLevel(side, topPrice(book, side)!, 0);
  }
}

/** The reported best of one side: better levels go, the best level takes the reported size. */
function alignTop(book: L2Book, side: BookSide, best: number | null, size: number | null): void {
  if (best === null) {
    while (book.levelCount(side) > 0) book.applyLevel(side, topPrice(book, side)!, 0);
    return;
  }
  trimBetterThan(book, side, best);
  if (size !== null && size > 0) book.applyLevel(side, best, size);
}

/**
 * A BEST_PRICE's levels of one side (best first) as the top of the book: the levels at or better
 * than the last given one go and the given ones take their place; with fewer than `depth` given
 * (the side has no more) the side is exactly those. False when a level is off the book's grid.
 */
function replaceTop(book: L2Book, side: BookSide, levels: ReadonlyArray<readonly [number, number]>, depth: number): boolean {
  return book.replaceTop(side, levels, levels.length < depth || levels.length === 0);
}

function topPrice(book: L2Book, side: BookSide): number | null {
  return (side === 'BUY' ? book.bestBid() : book.bestAsk())?.price ?? null;
}
