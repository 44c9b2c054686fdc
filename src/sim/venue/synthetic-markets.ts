import { createHash } from 'node:crypto';
import type { BookSide } from '../../domain/market/messages.ts';
import type { FeeSchedule } from '../../domain/trading/fees.ts';
import type { Rng } from '../../domain/util/random.ts';
import { formatPrice, formatSize, PRICE_UNITS_PER_ONE, TrueBook, type UnitLevel } from './true-book.ts';
import { marketResolvedFrame, winningOutcome } from './market-resolved-frame.ts';

/** One binary market: two outcome tokens whose books mirror each other (YES bid p ⇔ NO ask 1−p). */
export interface SimMarketSpec {
  market: string;
  yes: string;
  no: string;
  /** Fair value of the YES token in (0, 1). */
  fair: number;
  /** 0.01 or 0.001 (the simulator switches between the two on tick_size_change). */
  tick_size: number;
  /** A bucket of a neg-risk event (the REST book says so, as Polymarket's does); absent: false. */
  neg_risk?: boolean;
}

/** One frame for the wire and the tokens it concerns (used to route it to subscribers). */
export interface SimFrame {
  assets: string[];
  body: unknown;
}

export interface FlowOptions {
  /** Chance that a trade is followed by a fresh `book` for both tokens (the venue's own healing). */
  bookAfterTradeProb: number;
  /** Chance that a price is written without its leading zero (".48"), as the docs show. */
  bareDecimalProb: number;
  /**
   * The host's clock: frames carry its time (never earlier than the previous frame's), so a
   * daemon's source-to-ingest lag measures something. Without it, a synthetic timeline from a fixed
   * epoch, one millisecond per frame (reproducible frames for tests and benchmarks).
   */
  now?: () => number;
}

interface TokenState {
  token_id: string;
  market: string;
  partner: string;
  isYes: boolean;
  book: TrueBook;
  /** Venue time of the last change to this book. */
  lastTs: number;
  lastTradePrice: number | null;
}

interface MarketState {
  spec: SimMarketSpec;
  tickUnits: number;
  /** YES fair in price units. */
  fairUnits: number;
}

const OPPOSITE: Record<BookSide, BookSide> = { BUY: 'SELL', SELL: 'BUY' };

/**
 * `count` binary markets for a simulated venue: token ids shaped like the venue's (long decimal
 * strings), fair values spread over (0.2, 0.8), every third market on the 0.001 tick.
 */
export function syntheticMarketSpecs(count: number, idBase = 7_000_000_000_000_000_000n): SimMarketSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    market: `0x${(BigInt(i) + 0xa11cen).toString(16).padStart(64, '0')}`,
    yes: String(idBase + BigInt(i * 2)),
    no: String(idBase + BigInt(i * 2 + 1)),
    fair: 0.2 + (0.6 * i) / Math.max(1, count - 1),
    tick_size: i % 3 === 2 ? 0.001 : 0.01,
  }));
}
/** What a simulated market is about: the venue charges by category (esports 0.03, weather 0.05). */
export type SimCategory = 'esports' | 'weather' | 'other';

/** The fee schedule of a simulated market of `category`; markets of no category pay the default. */
export function simFeeFor(category: SimCategory, fees: { esports: FeeSchedule; weather: FeeSchedule }, fallback: FeeSchedule): FeeSchedule {
  return category === 'esports' ? fees.esports : category === 'weather' ? fees.weather : fallback;
}

const MIN_LEVELS = 2;

/**
 * Seeded synthetic order flow around a fair value, for a set of binary markets. Every change is
 * applied to the true books first and then described in the venue's current wire formats.
 */
export class SyntheticMarkets {
  /** Every market ever listed, resolved or not, by market id. */
  private readonly markets = new Map<string, MarketState>();
  /** The markets not resolved yet, in listing order: the only ones with order flow. */
  private open: MarketState[] = [];
  private readonly resolvedMarkets = new Set<string>();
  private readonly tokens = new Map<string, TokenState>();
  private ts: number;
  private seq = 0;

  constructor(
    specs: readonly SimMarketSpec[],
    private readonly rng: Rng,
    private readonly opts: FlowOptions,
    startTs = 1_760_000_000_000,
  ) {
    this.ts = opts.now?.() ?? startTs;
    this.assertListable(specs);
    for (const spec of specs) this.addMarket(spec, this.ts);
  }

  /**
   * List one more market while the venue runs: its book seeded around its fair, order flow from now
   * on. Throws, listing nothing, when its market id or a token id is already known (resolved or not).
   */
  list(spec: SimMarketSpec): void {
    this.assertListable([spec]);
    this.addMarket(spec, this.nextTs());
  }

  /**
   * Throws, naming the id, when any of `specs` reuses a market or token id already known or given
   * earlier in `specs` (a caller listing several checks them all before listing any).
   */
  assertListable(specs: readonly SimMarketSpec[]): void {
    const markets = new Set<string>();
    const tokens = new Set<string>();
    for (const spec of specs) {
      if (this.markets.has(spec.market) || markets.has(spec.market)) throw new Error(`simulated market ${spec.market} is already listed`);
      markets.add(spec.market);
      for (const id of [spec.yes, spec.no]) {
        if (this.tokens.has(id) || tokens.has(id)) throw new Error(`simulated token ${id} (market ${spec.market}) is already listed`);
        tokens.add(id);
      }
    }
  }

  tokenIds(): string[] {
    return [...this.tokens.keys()].sort();
  }

  has(token: string): boolean {
    return this.tokens.has(token);
  }

  marketOf(token: string): string | null {
    return this.tokens.get(token)?.market ?? null;
  }

  /** Venue time of the last change to the token's book. */
  lastTimestamp(token: string): number {
    return this.token(token).lastTs;
  }

  tickSize(token: string): number {
    return this.marketFor(token).tickUnits / PRICE_UNITS_PER_ONE;
  }

  /** The true book, best level first, prices and sizes as numbers. */
  trueBook(token: string): { tick_size: number; bids: Array<[number, number]>; asks: Array<[number, number]> } {
    const t = this.token(token);
    const toNumbers = (levels: UnitLevel[]) => levels.reverse().map(([p, s]) => [p / PRICE_UNITS_PER_ONE, s / 100] as [number, number]);
    return { tick_size: this.tickSize(token), bids: toNumbers(t.book.levels('BUY')), asks: toNumbers(t.book.levels('SELL')) };
  }

  /** Move the fair value of `token` (its partner moves to 1 − p). */
  setFairValue(token: string, p: number): void {
    const t = this.token(token);
    const m = this.marketFor(token);
    const yesP = t.isYes ? p : 1 - p;
    m.fairUnits = clampPrice(snap(Math.round(yesP * PRICE_UNITS_PER_ONE), m.tickUnits), m.tickUnits * 5);
  }

  fairValue(token: string): number {
    const t = this.token(token);
    const yes = this.marketFor(token).fairUnits / PRICE_UNITS_PER_ONE;
    return t.isYes ? yes : 1 - yes;
  }

  /** Whether the market of `token` has resolved (its book is closed: no more flow). */
  isResolved(token: string): boolean {
    return this.resolvedMarkets.has(this.token(token).market);
  }

  hasOpenMarkets(): boolean {
    return this.open.length > 0;
  }

  /**
   * Resolve `market` to `winningToken`: its `market_resolved` frame, and from now on no order flow,
   * tick change or corrupt update for its tokens. Null when it had resolved already.
   */
  resolve(market: string, winningToken: string): SimFrame | null {
    const m = this.market(market);
    winningOutcome(m.spec, winningToken); // a token of another market is refused, resolved or not
    if (this.resolvedMarkets.has(market)) return null;
    this.resolvedMarkets.add(market);
    this.open = this.open.filter((x) => x !== m);
    return marketResolvedFrame(m.spec, winningToken, this.nextTs());
  }

  /** One random event of order flow in an open market; returns the frames describing it (possibly none). */
  step(): SimFrame[] {
    if (this.open.length === 0) return [];
    const m = this.open[Math.floor(this.rng() * this.open.length)]!;
    const r = this.rng();
    if (r < 0.55) return this.randomLevel(m);
    if (r < 0.72) return this.randomCancel(m);
    if (r < 0.9) return this.randomTrade(m);
    this.driftFair(m);
    return this.randomLevel(m);
  }

  /** Full snapshot frame for one token (`book`), as sent on subscribe and after trades. */
  bookFrame(token: string, withLastTrade: boolean): SimFrame {
    return { assets: [token], body: this.bookBody(token, withLastTrade) };
  }

  /** The initial dump: one array frame holding a `book` per token. */
  dumpFrame(tokens: readonly string[]): SimFrame {
    return { assets: [...tokens], body: tokens.map((t) => this.bookBody(t, true)) };
  }

  /** REST `/book` answer, with the documented SHA-1 summary hash. */
  restSummary(token: string): Record<string, unknown> {
    const t = this.token(token);
    const summary: Record<string, unknown> = {
      market: t.market,
      asset_id: t.token_id,
      timestamp: String(t.lastTs),
      hash: '',
      bids: t.book.levels('BUY').map(([p, s]) => ({ price: formatPrice(p), size: formatSize(s) })),
      asks: t.book.levels('SELL').map(([p, s]) => ({ price: formatPrice(p), size: formatSize(s) })),
      min_order_size: '5',
      tick_size: String(this.tickSize(token)),
      neg_risk: this.marketFor(token).spec.neg_risk ?? false,
      last_trade_price: t.lastTradePrice === null ? '' : formatPrice(t.lastTradePrice),
    };
    summary.hash = createHash('sha1').update(JSON.stringify(summary)).digest('hex');
    return summary;
  }

  /**
   * Switch a market's tick between 0.01 and 0.001: `tick_size_change` for both tokens, then fresh
   * books (a new epoch). Levels a coarser tick cannot express are gone in the new books.
   */
  tickSizeChange(market?: string): SimFrame[] {
    const m = market === undefined ? this.randomOpen() : this.market(market);
    const old = m.tickUnits;
    const next = old === 100 ? 10 : 100;
    m.tickUnits = next;
    m.fairUnits = clampPrice(snap(m.fairUnits, next), next * 5);
    const ts = this.nextTs();
    for (const id of [m.spec.yes, m.spec.no]) {
      const t = this.token(id);
      t.book.removeOffGrid(next);
      t.lastTs = ts;
    }
    this.refill(m);
    const frames: SimFrame[] = [m.spec.yes, m.spec.no].map((id) => ({
      assets: [id],
      body: {
        event_type: 'tick_size_change',
        asset_id: id,
        market: m.spec.market,
        old_tick_size: String(old / PRICE_UNITS_PER_ONE),
        new_tick_size: String(next / PRICE_UNITS_PER_ONE),
        timestamp: String(ts),
      },
    }));
    for (const id of [m.spec.yes, m.spec.no]) frames.push(this.bookFrame(id, false));
    return frames;
  }

  /**
   * A corrupt update that crosses the book of a random YES token. The true book is NOT changed: the
   * mirror has to notice and resync.
   */
  crossedUpdate(): SimFrame {
    const m = this.randomOpen();
    const t = this.token(m.spec.yes);
    const ask = t.book.bestAsk() ?? m.fairUnits;
    const price = Math.min(ask, PRICE_UNITS_PER_ONE - m.tickUnits);
    const ts = this.nextTs();
    return {
      assets: [t.token_id],
      body: {
        market: m.spec.market,
        price_changes: [
          {
            asset_id: t.token_id,
            price: formatPrice(price),
            size: '123',
            side: 'BUY',
            hash: this.nextHash(),
            best_bid: formatPrice(price),
            best_ask: formatPrice(ask),
          },
        ],
        timestamp: String(ts),
        event_type: 'price_change',
      },
    };
  }

  // ---- order flow ----

  private randomLevel(m: MarketState): SimFrame[] {
    const yes = this.token(m.spec.yes);
    const side: BookSide = this.rng() < 0.5 ? 'BUY' : 'SELL';
    const k = 1 + Math.floor(this.rng() * this.rng() * 10);
    let price = side === 'BUY' ? m.fairUnits - k * m.tickUnits : m.fairUnits + k * m.tickUnits;
    const bestBid = yes.book.bestBid();
    const bestAsk = yes.book.bestAsk();
    if (side === 'BUY' && bestAsk !== null && price >= bestAsk) price = bestAsk - m.tickUnits;
    if (side === 'SELL' && bestBid !== null && price <= bestBid) price = bestBid + m.tickUnits;
    if (price < m.tickUnits || price > PRICE_UNITS_PER_ONE - m.tickUnits) return [];
    let size = this.rng() < 0.2 ? 0 : 100 + Math.floor(this.rng() * 50_000);
    if (size === 0 && yes.book.size(side, price) > 0 && yes.book.levelCount(side) <= MIN_LEVELS) size = 100;
    return [this.change(m, side, price, size)];
  }

  private randomCancel(m: MarketState): SimFrame[] {
    const yes = this.token(m.spec.yes);
    const side: BookSide = this.rng() < 0.5 ? 'BUY' : 'SELL';
    if (yes.book.levelCount(side) <= MIN_LEVELS) return this.randomLevel(m);
    const prices = yes.book.prices(side).sort((a, b) => a - b);
    const price = prices[Math.floor(this.rng() * prices.length)]!;
    return [this.change(m, side, price, 0)];
  }

  private randomTrade(m: MarketState): SimFrame[] {
    const yes = this.token(m.spec.yes);
    const taker: BookSide = this.rng() < 0.5 ? 'BUY' : 'SELL';
    const restingSide = OPPOSITE[taker];
    const price = restingSide === 'BUY' ? yes.book.bestBid() : yes.book.bestAsk();
    if (price === null) return this.randomLevel(m);
    const resting = yes.book.size(restingSide, price);
    const lastLevel = yes.book.levelCount(restingSide) <= MIN_LEVELS;
    const maxTake = lastLevel ? Math.max(0, resting - 100) : resting;
    if (maxTake <= 0) return this.randomLevel(m);
    const take = 1 + Math.floor(this.rng() * maxTake);
    const changeFrame = this.change(m, restingSide, price, resting - take);
    const ts = yes.lastTs;
    yes.lastTradePrice = price;
    this.token(m.spec.no).lastTradePrice = PRICE_UNITS_PER_ONE - price;
    const trade: SimFrame = {
      assets: [yes.token_id],
      body: {
        asset_id: yes.token_id,
        event_type: 'last_trade_price',
        fee_rate_bps: '0',
        market: m.spec.market,
        price: formatPrice(price),
        side: taker,
        size: formatSize(take),
        timestamp: String(ts),
        transaction_hash: '0x' + this.nextHash(),
      },
    };
    const frames = [trade, changeFrame];
    if (this.rng() < this.opts.bookAfterTradeProb) frames.push(this.bookFrame(m.spec.yes, false), this.bookFrame(m.spec.no, false));
    return frames;
  }

  private driftFair(m: MarketState): void {
    const dir = this.rng() < 0.5 ? -1 : 1;
    m.fairUnits = clampPrice(m.fairUnits + dir * m.tickUnits, m.tickUnits * 5);
  }

  /** Set one YES level and its NO mirror; one `price_change` frame carrying both entries. */
  private change(m: MarketState, side: BookSide, price: number, size: number): SimFrame {
    const yes = this.token(m.spec.yes);
    const no = this.token(m.spec.no);
    const ts = this.nextTs();
    yes.book.set(side, price, size);
    no.book.set(OPPOSITE[side], PRICE_UNITS_PER_ONE - price, size);
    yes.lastTs = ts;
    no.lastTs = ts;
    const bare = this.rng() < this.opts.bareDecimalProb;
    const entry = (t: TokenState, s: BookSide, p: number) => ({
      asset_id: t.token_id,
      price: formatPrice(p, bare),
      size: formatSize(size),
      side: s,
      hash: this.nextHash(),
      best_bid: formatPrice(t.book.bestBid() ?? 0),
      best_ask: formatPrice(t.book.bestAsk() ?? PRICE_UNITS_PER_ONE),
    });
    return {
      assets: [yes.token_id, no.token_id],
      body: {
        market: m.spec.market,
        price_changes: [entry(yes, side, price), entry(no, OPPOSITE[side], PRICE_UNITS_PER_ONE - price)],
        timestamp: String(ts),
        event_type: 'price_change',
      },
    };
  }

  /** One market as both the constructor and `list` add it (ids checked first): its two tokens, a book around its fair, open to flow. */
  private addMarket(spec: SimMarketSpec, ts: number): void {
    const tickUnits = Math.round(spec.tick_size * PRICE_UNITS_PER_ONE);
    const m: MarketState = { spec, tickUnits, fairUnits: snap(Math.round(spec.fair * PRICE_UNITS_PER_ONE), tickUnits) };
    this.markets.set(spec.market, m);
    this.open.push(m);
    for (const [id, partner, isYes] of [
      [spec.yes, spec.no, true],
      [spec.no, spec.yes, false],
    ] as const) {
      this.tokens.set(id, { token_id: id, market: spec.market, partner, isYes, book: new TrueBook(), lastTs: ts, lastTradePrice: null });
    }
    this.seedBook(m);
  }

  private seedBook(m: MarketState): void {
    for (let k = 1; k <= 8; k++) {
      for (const side of ['BUY', 'SELL'] as const) {
        const price = side === 'BUY' ? m.fairUnits - k * m.tickUnits : m.fairUnits + k * m.tickUnits;
        if (price < m.tickUnits || price > PRICE_UNITS_PER_ONE - m.tickUnits) continue;
        const size = 1_000 + Math.floor(this.rng() * 50_000);
        this.token(m.spec.yes).book.set(side, price, size);
        this.token(m.spec.no).book.set(OPPOSITE[side], PRICE_UNITS_PER_ONE - price, size);
      }
    }
  }

  /** Keep at least MIN_LEVELS per side after a tick change removed levels. */
  private refill(m: MarketState): void {
    const yes = this.token(m.spec.yes);
    const no = this.token(m.spec.no);
    for (const side of ['BUY', 'SELL'] as const) {
      for (let k = 1; yes.book.levelCount(side) < MIN_LEVELS && k < 50; k++) {
        const price = side === 'BUY' ? m.fairUnits - k * m.tickUnits : m.fairUnits + k * m.tickUnits;
        const other = side === 'BUY' ? yes.book.bestAsk() : yes.book.bestBid();
        if (other !== null && (side === 'BUY' ? price >= other : price <= other)) continue;
        if (price < m.tickUnits || price > PRICE_UNITS_PER_ONE - m.tickUnits || yes.book.size(side, price) > 0) continue;
        yes.book.set(side, price, 1_000);
        no.book.set(OPPOSITE[side], PRICE_UNITS_PER_ONE - price, 1_000);
      }
    }
  }

  private bookBody(token: string, withLastTrade: boolean): Record<string, unknown> {
    const t = this.token(token);
    const body: Record<string, unknown> = {
      event_type: 'book',
      asset_id: t.token_id,
      market: t.market,
      bids: t.book.levels('BUY').map(([p, s]) => ({ price: formatPrice(p), size: formatSize(s) })),
      asks: t.book.levels('SELL').map(([p, s]) => ({ price: formatPrice(p), size: formatSize(s) })),
      timestamp: String(t.lastTs),
      hash: this.nextHash(),
      tick_size: String(this.tickSize(token)),
    };
    if (withLastTrade && t.lastTradePrice !== null) body.last_trade_price = formatPrice(t.lastTradePrice);
    return body;
  }

  private nextTs(): number {
    this.ts = Math.max(this.ts + 1, this.opts.now?.() ?? 0);
    return this.ts;
  }

  private nextHash(): string {
    return (++this.seq).toString(16).padStart(40, '0');
  }

  private randomOpen(): MarketState {
    if (this.open.length === 0) throw new Error('every simulated market has resolved');
    return this.open[Math.floor(this.rng() * this.open.length)]!;
  }

  private token(id: string): TokenState {
    const t = this.tokens.get(id);
    if (!t) throw new Error(`unknown simulated token ${id}`);
    return t;
  }

  private marketFor(token: string): MarketState {
    return this.market(this.token(token).market);
  }

  private market(id: string): MarketState {
    const m = this.markets.get(id);
    if (!m) throw new Error(`unknown simulated market ${id}`);
    return m;
  }
}

function snap(units: number, tickUnits: number): number {
  return Math.round(units / tickUnits) * tickUnits;
}

function clampPrice(units: number, margin: number): number {
  return Math.min(PRICE_UNITS_PER_ONE - margin, Math.max(margin, units));
}
