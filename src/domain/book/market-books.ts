import type { MarketMessage, PriceChangeMessage } from '../market/messages.ts';
import { detached } from '../util/strings.ts';
import { LevelChangeBatch } from './level-change-batch.ts';
import { TokenIndex } from './token-index.ts';
import { TokenBookState, type ResyncReason, type TokenApplyOutcome, type TokenBookOptions } from './token-book-state.ts';

export interface MarketBooksOptions extends TokenBookOptions {
  /**
   * Also check our top of book against `best_bid_ask` events. Off by default: those events are not
   * documented to be ordered with `price_change`, so a lagging one would force needless resyncs.
   */
  verifyBestBidAskEvents: boolean;
}

export const DEFAULT_MARKET_BOOKS_OPTIONS: MarketBooksOptions = {
  verifyBestPrices: true,
  checkTimestampOrder: true,
  verifyBestBidAskEvents: false,
};

/** Per token touched by the message, in the order first touched. Empty for messages without book effect. */
export interface ApplyOutcome {
  tokens: readonly TokenApplyOutcome[];
}

const NO_BOOK_EFFECT: ApplyOutcome = Object.freeze({ tokens: Object.freeze([]) as readonly TokenApplyOutcome[] });

type Admission = ReturnType<TokenBookState['admits']>;

/**
 * Every token's book mirror and integrity state, fed with decoded market messages. It decides;
 * the feed publishes (BOOK_RESYNC_START / DONE, GAP_DETECTED from the outcome flags) and fetches
 * snapshots. A token is registered the first time any message names it.
 */
export class MarketBooks {
  private readonly states = new TokenIndex<TokenBookState>();
  private readonly opts: MarketBooksOptions;
  /** Scratch for applying a decoded message (`applyBatch` does the work). */
  private readonly scratch = new LevelChangeBatch();
  /** `applyBatch`'s tokens after the first and their admissions (reused: most frames touch two). */
  private readonly others: TokenBookState[] = [];
  private readonly otherAdmissions: Admission[] = [];

  constructor(options: Partial<MarketBooksOptions> = {}) {
    this.opts = { ...DEFAULT_MARKET_BOOKS_OPTIONS, ...options };
  }

  apply(msg: MarketMessage): ApplyOutcome {
    switch (msg.kind) {
      case 'price_change':
        return this.applyPriceChange(msg);
      case 'book':
        return { tokens: [this.state(msg.asset_id, msg.market).applySnapshot(msg, this.opts.bestPriceLevels)] };
      case 'tick_size_change':
        return { tokens: [this.state(msg.asset_id, msg.market).changeTickSize(msg.new_tick_size)] };
      case 'best_bid_ask': {
        const state = this.state(msg.asset_id, msg.market);
        if (!this.opts.verifyBestBidAskEvents || state.admits(msg.timestamp, true) !== 'ok') return NO_BOOK_EFFECT;
        if (state.bestAgrees(msg.best_bid, msg.best_ask)) return NO_BOOK_EFFECT;
        return { tokens: [state.invalidate('best_price_mismatch')] };
      }
      case 'last_trade_price':
        this.state(msg.asset_id, msg.market);
        return NO_BOOK_EFFECT;
      default:
        return NO_BOOK_EFFECT;
    }
  }

  get(assetId: string): TokenBookState | undefined {
    return this.states.get(assetId);
  }

  /**
   * The book of the token whose id is written verbatim at bytes[start, end) (inside an ASCII frame
   * the caller is reading, copied into `bytes`); undefined when unknown (see TokenIndex).
   */
  getInBytes(bytes: DataView, start: number, end: number): TokenBookState | undefined {
    return this.states.getInBytes(bytes, start, end);
  }

  has(assetId: string): boolean {
    return this.states.get(assetId) !== undefined;
  }

  get size(): number {
    return this.states.size;
  }

  /** Every token seen, sorted (outputs never depend on arrival order). */
  assetIds(): string[] {
    return this.states.keys().sort();
  }

  /** Tick size known from discovery; used from the token's next snapshot on. */
  setTickSize(assetId: string, tickSize: number): void {
    this.state(assetId, null).knownTickSize = tickSize;
  }

  /** Drop a token's book and start a new epoch (reconnect, forced resync, operator request). */
  invalidate(assetId: string, reason: ResyncReason): TokenApplyOutcome {
    return this.state(assetId, null).invalidate(reason);
  }

  /** Forget a token (unsubscribed). */
  remove(assetId: string): boolean {
    return this.states.delete(assetId);
  }

  private state(assetId: string, market: string | null): TokenBookState {
    let state = this.states.get(assetId);
    if (state === undefined) {
      state = new TokenBookState(assetId, null);
      this.states.set(assetId, state);
    }
    if (market !== null && state.market === null) state.market = market;
    return state;
  }

  private applyPriceChange(msg: PriceChangeMessage): ApplyOutcome {
    const batch = this.scratch;
    const changes = msg.changes;
    batch.reset(msg.timestamp);
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      batch.add(this.state(c.asset_id, msg.market), c.side, c.price, c.size, c.best_bid ?? NaN, c.best_ask ?? NaN, c.hash === null ? null : detached(c.hash));
    }
    return this.applyBatch(batch);
  }

  /**
   * A price_change frame's level changes, tokens already resolved (a registered token's book
   * only: see `getInBytes`). Changes are grouped per token in first-touched order; each token's
   * integrity is judged once all its changes are in. Most frames touch one or two tokens, so the
   * first one lives in locals and further ones in reused arrays.
   */
  applyBatch(batch: LevelChangeBatch): ApplyOutcome {
    const n = batch.count;
    if (n === 0) return NO_BOOK_EFFECT;
    const ts = batch.timestamp;
    const states = batch.states;
    const checkOrder = this.opts.checkTimestampOrder;
    let first: TokenBookState | null = null;
    let firstAdmission: Admission = 'ok';
    // Entries past `otherCount` are stale (a length set to 0 would give up the arrays' storage).
    const others = this.others;
    const otherAdmissions = this.otherAdmissions;
    let otherCount = 0;
    let current: TokenBookState | null = null;
    let admitted = false;
    for (let i = 0; i < n; i++) {
      const state = states[i]!;
      if (state !== current) {
        current = state;
        if (first === null) {
          first = state;
          firstAdmission = admit(state, ts, checkOrder);
          admitted = firstAdmission === 'ok';
        } else if (state === first) {
          admitted = firstAdmission === 'ok';
        } else {
          let k = 0;
          while (k < otherCount && others[k] !== state) k++;
          if (k === otherCount) {
            others[k] = state;
            otherAdmissions[k] = admit(state, ts, checkOrder);
            otherCount++;
          }
          admitted = otherAdmissions[k] === 'ok';
        }
      }
      if (admitted) state.applyLevel(batch.side(i), batch.price[i]!, batch.size[i]!, batch.bestBid[i]!, batch.bestAsk[i]!, batch.hashes[i] ?? null);
    }
    const firstOutcome = this.conclude(first!, firstAdmission, ts);
    if (otherCount === 0) return { tokens: [firstOutcome] };
    if (otherCount === 1) return { tokens: [firstOutcome, this.conclude(others[0]!, otherAdmissions[0]!, ts)] };
    const tokens = [firstOutcome];
    for (let k = 0; k < otherCount; k++) tokens.push(this.conclude(others[k]!, otherAdmissions[k]!, ts));
    return { tokens };
  }

  private conclude(state: TokenBookState, admission: Admission, ts: number): TokenApplyOutcome {
    switch (admission) {
      case 'ok':
        return state.endUpdate(ts, this.opts);
      case 'unsynced':
        return state.ignored('ignored_unsynced');
      case 'stale':
        return state.ignored('ignored_stale');
      case 'out_of_order':
        return state.invalidate('out_of_order_timestamp');
    }
  }
}

/** Whether the token takes this frame's changes; opens its update when it does. */
function admit(state: TokenBookState, ts: number, checkOrder: boolean): Admission {
  const admission = state.admits(ts, checkOrder);
  if (admission === 'ok') state.beginUpdate();
  return admission;
}
