import { LevelChangeBatch } from '../../domain/book/level-change-batch.ts';
import { MarketBooks, type MarketBooksOptions } from '../../domain/book/market-books.ts';
import type { TokenApplyOutcome, TokenBookState } from '../../domain/book/token-book-state.ts';
import type { MarketMessage, MarketResolvedMessage, NewMarketMessage, PriceChangeMessage, PriceLevelChange } from '../../domain/market/messages.ts';
import { decodeMarketFrame, type MalformedFrameReporter } from './market-decoder.ts';
import { readPriceChangeBytesInto, readPriceChangeInto } from './price-change-in-place.ts';
import { decodeRestBook } from './rest-book.ts';
import type { TapePublisher } from './tape-publisher.ts';

/** What one frame means for the connection machine (the only thing it hears about data). */
export interface FrameSignal {
  /** Market data for a subscribed token arrived. */
  data: boolean;
  /** A token newly needs a REST snapshot. */
  resync: boolean;
}

export interface ConnectionBooksMetrics {
  frames: number;
  malformed: number;
  messages: number;
  applied: number;
  ignored_unsynced: number;
  ignored_stale: number;
  resync_requests: number;
  rest_books_applied: number;
  rest_books_invalid: number;
  rest_hash_mismatches: number;
}

const NOTHING: FrameSignal = Object.freeze({ data: false, resync: false });
const DATA: FrameSignal = Object.freeze({ data: true, resync: false });
const RESYNC: FrameSignal = Object.freeze({ data: false, resync: true });
const DATA_AND_RESYNC: FrameSignal = Object.freeze({ data: true, resync: true });

/**
 * The books of one connection, as plain data owned by its socket: decoded frames go straight into
 * a `MarketBooks` registry (no actor messages per delta) and outcomes become bus records through
 * the shared publisher. Only tokens subscribed on this socket (`wire`) count: frames that mix in a
 * token carried by another connection are ignored for that token.
 *
 * A token that needs a snapshot is queued for REST; while its request is in flight, its updates
 * are buffered and replayed after the snapshot (the registry drops those older than it), because
 * the REST answer and the socket race each other.
 */
export class ConnectionBooks {
  readonly books: MarketBooks;
  /** Tokens subscribed on the current socket. */
  readonly wire = new Set<string>();
  readonly metrics: ConnectionBooksMetrics = {
    frames: 0,
    malformed: 0,
    messages: 0,
    applied: 0,
    ignored_unsynced: 0,
    ignored_stale: 0,
    resync_requests: 0,
    rest_books_applied: 0,
    rest_books_invalid: 0,
    rest_hash_mismatches: 0,
  };
  private readonly pending = new Set<string>();
  /** Tokens whose REST snapshot is in flight → their updates seen meanwhile. */
  private readonly inFlight = new Map<string, PriceChangeMessage[]>();
  private readonly resyncSince = new Map<string, number>();
  /** Bumped when the socket goes down, so late REST answers of an older socket are dropped. */
  private generation = 0;
  /** The frame being applied on the hot path (see readPriceChangeInto). */
  private readonly batch = new LevelChangeBatch();

  constructor(
    private readonly publisher: TapePublisher,
    private readonly reporter: MalformedFrameReporter,
    booksOptions: Partial<MarketBooksOptions> = {},
    /** Markets appearing or resolving anywhere on the venue (custom features): discovery rescans. */
    private readonly onVenueNotice?: (msg: NewMarketMessage | MarketResolvedMessage) => void,
  ) {
    this.books = new MarketBooks(booksOptions);
  }

  /** Decode one text frame and apply it. Never throws on venue data. */
  handleFrame(raw: string): FrameSignal {
    const receivedAt = this.publisher.frameStart();
    this.metrics.frames++;
    // While a REST snapshot is in flight, updates may need buffering: that takes the message path.
    if (this.inFlight.size === 0 && readPriceChangeInto(raw, this.books, this.batch)) return this.handleReadBatch(receivedAt);
    return this.handleDecoded(raw, receivedAt);
  }

  /**
   * handleFrame for a text frame's UTF-8 bytes as the socket hands them over: a price_change read
   * in place never becomes a string; any other frame is decoded from its text as before.
   */
  handleFrameBytes(frame: Buffer): FrameSignal {
    const receivedAt = this.publisher.frameStart();
    this.metrics.frames++;
    if (this.inFlight.size === 0 && readPriceChangeBytesInto(frame, this.books, this.batch)) return this.handleReadBatch(receivedAt);
    return this.handleDecoded(frame.toString('utf8'), receivedAt);
  }

  private handleReadBatch(receivedAt: number): FrameSignal {
    const pendingBefore = this.metrics.resync_requests;
    this.metrics.messages++;
    const data = this.handleBatch(this.batch);
    if (data) this.publisher.frameApplied(receivedAt);
    const resync = this.metrics.resync_requests !== pendingBefore;
    return resync ? (data ? DATA_AND_RESYNC : RESYNC) : data ? DATA : NOTHING;
  }

  private handleDecoded(raw: string, receivedAt: number): FrameSignal {
    const { messages, error } = decodeMarketFrame(raw);
    if (error !== null) {
      this.metrics.malformed++;
      this.reporter.report(raw, error);
      return NOTHING;
    }
    let data = false;
    const pendingBefore = this.metrics.resync_requests;
    for (let i = 0; i < messages.length; i++) {
      if (this.handleMessage(messages[i]!)) data = true;
    }
    if (data) this.publisher.frameApplied(receivedAt);
    const resync = this.metrics.resync_requests !== pendingBefore;
    return resync ? (data ? DATA_AND_RESYNC : RESYNC) : data ? DATA : NOTHING;
  }

  /** Tokens just subscribed on the socket: their snapshots arrive with the initial dump. */
  subscribed(tokens: readonly string[]): void {
    for (const t of tokens) this.wire.add(t);
  }

  /** Tokens unsubscribed on purpose: their books are forgotten. */
  unsubscribed(tokens: readonly string[]): void {
    for (const t of tokens) {
      this.wire.delete(t);
      this.pending.delete(t);
      this.inFlight.delete(t);
      this.resyncSince.delete(t);
      this.books.remove(t);
    }
  }

  /**
   * The socket is gone: every book it fed can no longer be trusted (a new epoch each, and a gap
   * marker for those that were synced). The next socket resubscribes and gets fresh snapshots.
   */
  socketDown(reason: string): void {
    this.generation++;
    for (const t of [...this.wire].sort()) {
      const state = this.books.get(t);
      // A book that is not synced already has an open resync (and its epoch).
      if (state === undefined || !state.synced) continue;
      const o = this.books.invalidate(t, reason);
      this.onOutcome(o, state);
      this.publisher.gap(t, state.market, o.resync_epoch_id, reason);
    }
    this.wire.clear();
    this.pending.clear();
    this.inFlight.clear();
  }

  /**
   * The connection is being stopped on purpose (shutdown, or its last token removed): its books are
   * forgotten without gap or resync markers, which would record resyncs that never happened (the
   * next start subscribes afresh and gets new snapshots). Late REST answers find a new generation.
   */
  retire(): void {
    this.generation++;
    this.wire.clear();
    this.pending.clear();
    this.inFlight.clear();
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Tokens queued for or waiting on a REST snapshot. */
  resyncOutstanding(): number {
    return this.pending.size + this.inFlight.size;
  }

  /** Move the queued tokens to in-flight and hand them to the REST resync; sorted. */
  takeResyncBatch(): { tokens: string[]; generation: number } {
    const tokens = [...this.pending].filter((t) => this.wire.has(t)).sort();
    this.pending.clear();
    for (const t of tokens) this.inFlight.set(t, []);
    return { tokens, generation: this.generation };
  }

  /** One REST book answer (parsed JSON) for a resync started in `generation`. */
  applyRestBook(raw: unknown, generation: number): boolean {
    if (generation !== this.generation) return false;
    const decoded = decodeRestBook(raw);
    if (!decoded.ok) {
      this.metrics.rest_books_invalid++;
      return false;
    }
    const { book, hash_check } = decoded.value;
    if (hash_check !== null && !hash_check.ok) this.metrics.rest_hash_mismatches++;
    const t = book.asset_id;
    if (!this.wire.has(t) || !this.inFlight.has(t)) return false;
    const buffered = this.inFlight.get(t)!;
    this.inFlight.delete(t);
    this.metrics.rest_books_applied++;
    this.handleMessage(book);
    for (const msg of buffered) this.handleMessage(msg);
    return true;
  }

  /** The resync round is over: tokens it did not settle wait for the next trigger. */
  finishResync(tokens: readonly string[], generation: number): void {
    if (generation !== this.generation) return;
    for (const t of tokens) this.inFlight.delete(t);
  }

  /** Books of every subscribed token, sorted by token. */
  *states(): Iterable<TokenBookState> {
    for (const t of [...this.wire].sort()) {
      const s = this.books.get(t);
      if (s !== undefined) yield s;
    }
  }

  /** true when the message concerned a subscribed token. */
  private handleMessage(msg: MarketMessage): boolean {
    this.metrics.messages++;
    switch (msg.kind) {
      case 'price_change':
        return this.handlePriceChange(msg);
      case 'book': {
        if (!this.wire.has(msg.asset_id)) return false;
        this.onOutcomes(this.books.apply(msg).tokens);
        return true;
      }
      case 'tick_size_change': {
        if (!this.wire.has(msg.asset_id)) return false;
        this.publisher.tickSizeChange(msg);
        this.onOutcomes(this.books.apply(msg).tokens);
        return true;
      }
      case 'last_trade_price': {
        if (!this.wire.has(msg.asset_id)) return false;
        this.publisher.trade(msg);
        return true;
      }
      case 'best_bid_ask': {
        if (!this.wire.has(msg.asset_id)) return false;
        this.onOutcomes(this.books.apply(msg).tokens);
        return true;
      }
      case 'new_market':
        this.onVenueNotice?.(msg);
        return false;
      case 'market_resolved': {
        this.onVenueNotice?.(msg);
        if (!msg.assets_ids.some((a) => this.wire.has(a))) return false;
        this.publisher.marketResolved(msg);
        return true;
      }
      default:
        return false;
    }
  }

  private handlePriceChange(msg: PriceChangeMessage): boolean {
    const changes = msg.changes;
    let ours = false;
    let buffering = false;
    for (let i = 0; i < changes.length; i++) {
      const id = changes[i]!.asset_id;
      if (!this.wire.has(id)) continue;
      ours = true;
      if (this.inFlight.size > 0 && this.inFlight.has(id) && !this.books.get(id)?.synced) buffering = true;
    }
    if (!ours) return false;
    if (buffering) {
      // Rare path (a REST snapshot is in flight): keep this token's entries for the replay.
      const byToken = new Map<string, PriceChangeMessage>();
      for (const c of changes) {
        if (!this.inFlight.has(c.asset_id) || this.books.get(c.asset_id)?.synced) continue;
        let m = byToken.get(c.asset_id);
        if (!m) byToken.set(c.asset_id, (m = { ...msg, changes: [] }));
        m.changes.push(c);
      }
      for (const [id, m] of byToken) this.inFlight.get(id)!.push(m);
    }
    this.afterPriceChange(this.books.apply(msg).tokens, changes, msg.timestamp);
    return true;
  }

  /** handlePriceChange for a frame read in place (never while a snapshot is in flight). */
  private handleBatch(batch: LevelChangeBatch): boolean {
    let ours = false;
    for (let i = 0; i < batch.count && !ours; i++) ours = this.wire.has(batch.states[i]!.asset_id);
    if (!ours) return false;
    const ts = batch.timestamp;
    this.afterPriceChange(this.books.applyBatch(batch).tokens, batch, ts);
    return true;
  }

  /** Deltas of the tokens that took the changes, then the outcomes. */
  private afterPriceChange(outcomes: readonly TokenApplyOutcome[], changes: readonly PriceLevelChange[] | LevelChangeBatch, ts: number): void {
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (o.status === 'applied' && this.wire.has(o.asset_id)) this.publisher.deltas(this.books.get(o.asset_id)!, changes, ts);
    }
    this.onOutcomes(outcomes);
  }

  private onOutcomes(outcomes: readonly TokenApplyOutcome[]): void {
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (!this.wire.has(o.asset_id)) continue;
      this.onOutcome(o, this.books.get(o.asset_id)!);
    }
  }

  private onOutcome(o: TokenApplyOutcome, state: TokenBookState): void {
    const id = o.asset_id;
    switch (o.status) {
      case 'applied':
        this.metrics.applied++;
        break;
      case 'ignored_unsynced':
        this.metrics.ignored_unsynced++;
        // Updates without a snapshot: the snapshot was lost (or a tick change came without one).
        this.requestResync(id);
        break;
      case 'ignored_stale':
        this.metrics.ignored_stale++;
        break;
      case 'resync_needed':
        this.requestResync(id);
        break;
      default:
        break;
    }
    if (o.resync_started) {
      this.resyncSince.set(id, this.publisher.now());
      this.publisher.resyncStart(o, state.market);
    }
    if (o.gap) this.publisher.gap(id, state.market, o.resync_epoch_id, String(o.reason ?? 'gap'));
    if (o.resync_done) {
      const since = this.resyncSince.get(id);
      this.resyncSince.delete(id);
      this.publisher.resyncDone(o, state.market, since === undefined ? 0 : this.publisher.now() - since);
    }
    if (o.levels_changed) this.publisher.markBestChanged(id, o.best_changed);
  }

  private requestResync(id: string): void {
    if (!this.wire.has(id) || this.pending.has(id) || this.inFlight.has(id)) return;
    this.pending.add(id);
    this.metrics.resync_requests++;
  }
}
