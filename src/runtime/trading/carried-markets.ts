import { carriedLedger, noRetiredMarkets, restoredLedger, withRetiredMarket, type CarriedMarket, type RetiredMarkets } from '../../domain/trading/carried-state.ts';
import { noPnl, pnlSummary, sharesByToken, type Ledger, type PnlSummary } from '../../domain/trading/pnl-ledger.ts';
import type { MarketTradingContext } from '../../machines/market-trading/context.ts';

/**
 * The markets a previous session on the same data directory left (paper): each one's ledger, given
 * to its actor when the market is added, and the value risk last put on it. Risk keeps that value
 * until the market's held tokens have been seen on a book in this session: valued before, a holding
 * without a bid counts nothing, and the day's loss would jump by its worth (a daily-loss kill on
 * restart that no resume could lift the same day). A market this session does not trade stays
 * carried as it was — its holdings are money — and is saved again with it; so does one that left
 * this session's universe (keep), with what it made or lost. A market retired for good (retire)
 * is collapsed into the retired markets' aggregate instead: the carried state stays bounded however
 * many markets come and go.
 */
export class CarriedMarkets {
  private readonly carried: Map<string, CarriedMarket>;
  private readonly awaitingMarks: Set<string>;
  /** Markets retired by earlier sessions, as they came. */
  readonly retiredBefore: RetiredMarkets;
  private retiredAll: RetiredMarkets;
  /** This session's retired markets' own PnL, for its reports (not carried). */
  private readonly retiredHere = new Map<string, PnlSummary>();

  constructor(markets: Readonly<Record<string, CarriedMarket>> = {}, retired: RetiredMarkets = noRetiredMarkets()) {
    this.carried = new Map(Object.keys(markets).sort().map((id) => [id, markets[id]!]));
    this.awaitingMarks = new Set(this.carried.keys());
    this.retiredBefore = retired;
    this.retiredAll = retired;
  }

  /** Every market retired so far, this session's included: what the next session carries of them. */
  get retired(): RetiredMarkets {
    return this.retiredAll;
  }

  /**
   * A market kept (keep) that left for good: its ledger and risk's value of it collapse into the
   * retired markets' aggregate; this session still reports its own PnL (pnlOf).
   */
  retire(marketId: string): void {
    const c = this.carried.get(marketId);
    const pnl = c ? pnlSummary(restoredLedger(c.ledger), {}) : noPnl();
    this.retiredAll = withRetiredMarket(this.retiredAll, marketId, pnl, c?.risk_net ?? 0);
    this.retiredHere.set(marketId, pnl);
    this.carried.delete(marketId);
    this.awaitingMarks.delete(marketId);
  }

  /** The PnL of a market not traded now: carried or kept (at cost), or retired by this session (undefined: neither). */
  pnlOf(marketId: string): PnlSummary | undefined {
    return this.retiredHere.get(marketId) ?? this.pnlAtCost(marketId);
  }

  ids(): string[] {
    return [...this.carried.keys()].sort();
  }

  /** The ledger a market's actor starts with (undefined: none carried). */
  ledgerOf(marketId: string): Ledger | undefined {
    const c = this.carried.get(marketId);
    return c ? restoredLedger(c.ledger) : undefined;
  }

  /** A kept market's PnL at cost, as no book marks it (its positions are published so too). */
  private pnlAtCost(marketId: string): PnlSummary | undefined {
    const ledger = this.ledgerOf(marketId);
    return ledger && pnlSummary(ledger, {});
  }

  riskNet(marketId: string): number | undefined {
    return this.carried.get(marketId)?.risk_net;
  }

  /** False while a carried holding of this market has not been on a book this session: risk keeps its carried value. */
  marksSeen(ctx: MarketTradingContext): boolean {
    const id = ctx.spec.market_id;
    if (!this.awaitingMarks.has(id)) return true;
    const held = sharesByToken(ctx.ledger);
    for (const token of Object.keys(held)) if (Math.abs(held[token]!) > 1e-9 && ctx.signals.books[token] === undefined) return false;
    this.awaitingMarks.delete(id);
    return true;
  }

  /**
   * A market leaving this session's universe: its ledger now (undefined for an actor restarting
   * that never changed its own: what it was carried with, if anything, stays) and risk's value of it are kept, counted on and
   * carried like a carried market this session does not trade; risk keeps that value should it come
   * back, until its books are seen again.
   */
  keep(marketId: string, ledger: Ledger | undefined, riskNet: number | undefined): void {
    if (ledger === undefined) {
      const c = this.carried.get(marketId);
      if (c && riskNet !== undefined) this.carried.set(marketId, { ...c, risk_net: riskNet });
    } else if (Object.keys(ledger.lots).length === 0) this.carried.delete(marketId);
    else this.carried.set(marketId, { ledger: carriedLedger(ledger), risk_net: riskNet ?? 0 });
    if (this.carried.has(marketId)) this.awaitingMarks.add(marketId);
  }

  /**
   * What the next session carries: every market that holds or held something (its ledger now, and
   * risk's value of it), and the carried markets this session does not trade, as they came.
   */
  snapshot(marketIds: readonly string[], ledgerOf: (id: string) => Ledger | undefined, riskNet: ReadonlyMap<string, number>): Record<string, CarriedMarket> {
    const out: Record<string, CarriedMarket> = {};
    const traded = new Set(marketIds);
    for (const [id, c] of this.carried) if (!traded.has(id)) out[id] = c;
    for (const id of marketIds) {
      const ledger = ledgerOf(id);
      // An actor that never changed its ledger (restarting right now): what it was carried with.
      if (!ledger) {
        const c = this.carried.get(id);
        if (c) out[id] = c;
        continue;
      }
      if (Object.keys(ledger.lots).length === 0) continue;
      out[id] = { ledger: carriedLedger(ledger), risk_net: riskNet.get(id) ?? 0 };
    }
    return Object.fromEntries(Object.keys(out).sort().map((id) => [id, out[id]!]));
  }
}
