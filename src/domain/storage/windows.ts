import type { HeliosEvent } from '../events/catalog.ts';
import { NumberRing } from '../util/ring.ts';

/**
 * Event windows: short spans around informative moments (a new METAR, QC turning to
 * outlier_likely, a mid-price shock, a spread-regime change, a depth cliff) during which storage
 * keeps tick data (l2_delta) and tags every record with the window's id.
 *
 * Pure: the caller passes each event with the time it is observed at (its ts_ingest) and, when idle,
 * advances time with `advance(now)`. World triggers open a global window (they concern every market
 * on the station's board, and storage does not know that mapping); market triggers open a window
 * scoped to the token. A trigger in a scope whose window is still open extends that window instead
 * of opening another, so one informative episode keeps one window_id.
 */
export const WINDOW_TRIGGERS = ['metar', 'qc_outlier', 'mid_shock', 'spread_regime', 'depth_cliff'] as const;
export type WindowTrigger = (typeof WINDOW_TRIGGERS)[number];

export interface WindowRules {
  metar_ms: number;
  qc_outlier_ms: number;
  shock_ticks: number;
  shock_lookback_ms: number;
  shock_ms: number;
  spread_locked_max_ticks: number;
  spread_wide_min_ticks: number;
  spread_regime_ms: number;
  depth_levels: number;
  depth_min_size: number;
  depth_drop_fraction: number;
  depth_cliff_ms: number;
  default_tick_size: number;
}

export const GLOBAL_SCOPE = 'global';

export interface EventWindow {
  window_id: string;
  /** The trigger that opened it; later triggers in the same scope only extend it. */
  trigger: WindowTrigger;
  /** 'global' or 'token:<id>' (or 'market:<id>' for book events without a token id). */
  scope: string;
  opened_ms: number;
  /** Exclusive end: the window covers [opened_ms, until_ms). */
  until_ms: number;
  /** Ids of the event that opened it, for the WINDOW_OPEN envelope. */
  market_id?: string;
  token_id?: string;
  station_id?: string;
  /** The opening event, so the window's own events can point at their cause. */
  cause_event_id: string;
  cause_correlation_id: string;
}

export type WindowTransition =
  | { kind: 'open'; at: number; window: EventWindow }
  | { kind: 'close'; at: number; window: EventWindow };

export type SpreadRegime = 'locked' | 'normal' | 'wide' | 'one_sided';

interface BookTrack {
  /** The market its events named (undefined: none yet): a token's track goes when its market retires. */
  market: string | undefined;
  tickSize: number;
  /** Recent mids as a ring (times and mids): the first is the mid prevailing at or before now - lookback when known. */
  mids: MidRing;
  regime: SpreadRegime | null;
  depth: { bid: number; ask: number } | null;
}

/**
 * A token's recent (time, mid) pairs in two numeric rings: a mid is kept for the whole lookback (a
 * second), longer than young collections are apart, so an object per pair was copied and promoted
 * by the collector for every book change.
 */
class MidRing {
  private readonly ts = new NumberRing();
  private readonly mid = new NumberRing();

  get length(): number {
    return this.ts.length;
  }

  push(ts: number, mid: number): void {
    this.ts.push(ts);
    this.mid.push(mid);
  }

  shift(): void {
    this.ts.shift();
    this.mid.shift();
  }

  tsAt(k: number): number {
    return this.ts.at(k);
  }

  midAt(k: number): number {
    return this.mid.at(k);
  }
}

const EPS = 1e-9;

export class EventWindowManager {
  private readonly open = new Map<string, EventWindow>();
  /** The open windows scoped to a token or a market, by the raw id (no scope string built per event). */
  private readonly openByToken = new Map<string, EventWindow>();
  private readonly openByMarket = new Map<string, EventWindow>();
  /** No open window ends before this (a lower bound: extending a window only moves its end later). */
  private nextCloseAt = Infinity;
  private readonly tokenBooks = new Map<string, BookTrack>();
  private readonly marketBooks = new Map<string, BookTrack>();

  constructor(private readonly rules: WindowRules) {}

  /**
   * Closes windows that ended at or before `now`, then looks for triggers in `event`. Returns the
   * transitions in time order (closes first, stamped with their exact end time).
   */
  observe(event: HeliosEvent, now: number): readonly WindowTransition[] {
    const closed = this.advance(now);
    const trigger = this.detect(event, now);
    if (trigger) {
      const t = this.openOrExtend(trigger.kind, trigger.scope, trigger.durationMs, event, now);
      if (t) return closed.length ? [...closed, t] : [t];
    }
    return closed;
  }

  /** Closes every window whose end is at or before `now`, earliest end first. */
  advance(now: number): readonly WindowTransition[] {
    if (now < this.nextCloseAt) return NONE;
    let expired: EventWindow[] | undefined;
    let next = Infinity;
    for (const w of this.open.values()) {
      if (w.until_ms <= now) (expired ??= []).push(w);
      else if (w.until_ms < next) next = w.until_ms;
    }
    this.nextCloseAt = next;
    if (!expired) return NONE;
    expired.sort((a, b) => a.until_ms - b.until_ms || (a.window_id < b.window_id ? -1 : 1));
    return expired.map((w) => {
      this.forget(w);
      return { kind: 'close' as const, at: w.until_ms, window: w };
    });
  }

  /** The window an event belongs to: its token's (or market's) own window, else the global one. */
  windowFor(event: HeliosEvent): EventWindow | undefined {
    if (this.open.size === 0) return undefined;
    if (event.token_id !== undefined) {
      const w = this.openByToken.get(event.token_id);
      if (w) return w;
    }
    if (event.market_id !== undefined) {
      const w = this.openByMarket.get(event.market_id);
      if (w) return w;
    }
    return this.open.get(GLOBAL_SCOPE);
  }

  /** Open windows, by id. */
  active(): EventWindow[] {
    return [...this.open.values()].sort((a, b) => (a.window_id < b.window_id ? -1 : a.window_id > b.window_id ? 1 : 0));
  }

  /** Closes everything at `now` (shutdown), so every recorded WINDOW_OPEN has its WINDOW_CLOSE. */
  closeAll(now: number): WindowTransition[] {
    const all = this.active();
    this.open.clear();
    this.openByToken.clear();
    this.openByMarket.clear();
    this.nextCloseAt = Infinity;
    return all.map((w) => ({ kind: 'close' as const, at: Math.min(now, w.until_ms), window: w }));
  }

  private openOrExtend(
    trigger: WindowTrigger,
    scope: string,
    durationMs: number,
    event: HeliosEvent,
    now: number,
  ): WindowTransition | undefined {
    const until = now + durationMs;
    const current = this.open.get(scope);
    if (current) {
      if (until > current.until_ms) current.until_ms = until;
      return undefined;
    }
    const window: EventWindow = {
      window_id: windowId(trigger, scope, now),
      trigger,
      scope,
      opened_ms: now,
      until_ms: until,
      cause_event_id: event.event_id,
      cause_correlation_id: event.correlation_id,
    };
    if (event.market_id !== undefined) window.market_id = event.market_id;
    if (event.token_id !== undefined) window.token_id = event.token_id;
    if (event.station_id !== undefined) window.station_id = event.station_id;
    this.open.set(scope, window);
    const scoped = scopedId(scope);
    if (scoped) (scoped.kind === 'token' ? this.openByToken : this.openByMarket).set(scoped.id, window);
    if (until < this.nextCloseAt) this.nextCloseAt = until;
    return { kind: 'open', at: now, window };
  }

  private forget(w: EventWindow): void {
    this.open.delete(w.scope);
    const scoped = scopedId(w.scope);
    if (scoped) (scoped.kind === 'token' ? this.openByToken : this.openByMarket).delete(scoped.id);
  }

  private detect(event: HeliosEvent, now: number): { kind: WindowTrigger; scope: string; durationMs: number } | undefined {
    const r = this.rules;
    switch (event.type) {
      case 'METAR_OBS':
        return { kind: 'metar', scope: GLOBAL_SCOPE, durationMs: r.metar_ms };
      case 'QC_STATE':
        if (event.payload.state === 'outlier_likely' && event.payload.previous !== 'outlier_likely') {
          return { kind: 'qc_outlier', scope: GLOBAL_SCOPE, durationMs: r.qc_outlier_ms };
        }
        return undefined;
      case 'TICK_SIZE_CHANGE': {
        const book = this.book(event);
        if (book) book.tickSize = event.payload.new_tick_size;
        return undefined;
      }
      case 'L2_SNAPSHOT': {
        const book = this.book(event);
        if (!book) return undefined;
        book.tickSize = event.payload.tick_size;
        const p = event.payload;
        // Evaluate every rule (each updates its own state); report the first that fired.
        const shock = this.shock(book, p.mid, now);
        const regime = this.regimeChange(book, p.spread);
        const cliff = this.depthCliff(book, p.bids, p.asks);
        if (shock) return { kind: 'mid_shock', scope: bookKey(event)!, durationMs: r.shock_ms };
        if (regime) return { kind: 'spread_regime', scope: bookKey(event)!, durationMs: r.spread_regime_ms };
        if (cliff) return { kind: 'depth_cliff', scope: bookKey(event)!, durationMs: r.depth_cliff_ms };
        return undefined;
      }
      case 'ALERT':
        // A market the trading side retired for good: its books' tracks go (one per token ever seen otherwise).
        if (event.payload.code === 'MARKET_RETIRED' && event.market_id !== undefined) this.forgetMarket(event.market_id);
        return undefined;
      case 'BEST_PRICE':
      case 'L2_DELTA': {
        const book = this.book(event);
        if (!book) return undefined;
        const { best_bid: bid, best_ask: ask } = event.payload;
        const twoSided = bid !== null && ask !== null;
        const shock = this.shock(book, twoSided ? (bid + ask) / 2 : null, now);
        const regime = this.regimeChange(book, twoSided ? ask - bid : null);
        if (shock) return { kind: 'mid_shock', scope: bookKey(event)!, durationMs: r.shock_ms };
        if (regime) return { kind: 'spread_regime', scope: bookKey(event)!, durationMs: r.spread_regime_ms };
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** The token's track (or the market's, for book events without a token id). */
  private book(event: HeliosEvent): BookTrack | undefined {
    const token = event.token_id;
    const byToken = token !== undefined;
    const id = byToken ? token : event.market_id;
    if (id === undefined) return undefined;
    const books = byToken ? this.tokenBooks : this.marketBooks;
    let b = books.get(id);
    if (!b) {
      b = { market: event.market_id, tickSize: this.rules.default_tick_size, mids: new MidRing(), regime: null, depth: null };
      books.set(id, b);
    } else if (b.market === undefined) b.market = event.market_id;
    return b;
  }

  private forgetMarket(marketId: string): void {
    for (const [token, b] of this.tokenBooks) if (b.market === marketId) this.tokenBooks.delete(token);
    this.marketBooks.delete(marketId);
  }

  /** Tokens (and markets, for book events without a token) whose book is tracked. */
  get booksTracked(): number {
    return this.tokenBooks.size + this.marketBooks.size;
  }

  /** |mid(now) - mid(now - lookback)| > shock_ticks, against the mid prevailing at now - lookback (or the oldest seen). */
  private shock(book: BookTrack, mid: number | null, now: number): boolean {
    if (mid === null) return false;
    const horizon = now - this.rules.shock_lookback_ms;
    const mids = book.mids;
    while (mids.length >= 2 && mids.tsAt(1) <= horizon) mids.shift();
    const known = mids.length > 0;
    const refMid = known ? mids.midAt(0) : 0;
    mids.push(now, mid);
    if (!known) return false;
    return Math.abs(mid - refMid) / book.tickSize > this.rules.shock_ticks + EPS;
  }

  private regimeChange(book: BookTrack, spread: number | null): boolean {
    const regime = spreadRegime(spread, book.tickSize, this.rules);
    const changed = book.regime !== null && book.regime !== regime;
    book.regime = regime;
    return changed;
  }

  private depthCliff(book: BookTrack, bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): boolean {
    const n = this.rules.depth_levels;
    const depth = { bid: topDepth(bids, n), ask: topDepth(asks, n) };
    const prev = book.depth;
    book.depth = depth;
    if (!prev) return false;
    return this.sideCliff(prev.bid, depth.bid) || this.sideCliff(prev.ask, depth.ask);
  }

  private sideCliff(prev: number, cur: number): boolean {
    const min = this.rules.depth_min_size;
    if (prev >= min && cur < min) return true;
    return prev > 0 && (prev - cur) / prev >= this.rules.depth_drop_fraction - EPS;
  }
}

export function spreadRegime(spread: number | null, tickSize: number, rules: Pick<WindowRules, 'spread_locked_max_ticks' | 'spread_wide_min_ticks'>): SpreadRegime {
  if (spread === null) return 'one_sided';
  const ticks = spread / tickSize;
  if (ticks <= rules.spread_locked_max_ticks + EPS) return 'locked';
  if (ticks >= rules.spread_wide_min_ticks - EPS) return 'wide';
  return 'normal';
}

function topDepth(levels: ReadonlyArray<readonly [number, number]>, n: number): number {
  let sum = 0;
  for (let i = 0; i < levels.length && i < n; i++) sum += levels[i]![1];
  return sum;
}

const NONE: readonly WindowTransition[] = Object.freeze([]);

/** A scope's raw token or market id ('global' has none). */
function scopedId(scope: string): { kind: 'token' | 'market'; id: string } | undefined {
  if (scope.startsWith('token:')) return { kind: 'token', id: scope.slice(6) };
  if (scope.startsWith('market:')) return { kind: 'market', id: scope.slice(7) };
  return undefined;
}

function bookKey(event: HeliosEvent): string | undefined {
  if (event.token_id !== undefined) return 'token:' + event.token_id;
  if (event.market_id !== undefined) return 'market:' + event.market_id;
  return undefined;
}

/** Readable and deterministic: at most one window per scope is open, so (trigger, scope, open time) is unique. */
function windowId(trigger: WindowTrigger, scope: string, openedMs: number): string {
  return `${trigger}:${scope}:${openedMs}`;
}

/** Is this WINDOW_OPEN a shock? (replay's "jump to next shock"). */
export function isShockTrigger(trigger: string): boolean {
  return trigger === 'mid_shock';
}
