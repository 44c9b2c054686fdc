import type { DailyBaseline } from './daily-loss.ts';
import { addPnl, emptyLedger, heldCost, noPnl, type Ledger, type MatchedTrade, type PnlSummary } from './pnl-ledger.ts';
import type { RiskEngine } from './risk-engine.ts';

/** A paper holding as the paper venue keeps it: shares and their cost basis (fees apart). */
export interface PaperHolding {
  token_id: string;
  shares: number;
  cost: number;
}

/**
 * A market's ledger without what only its own session can use: fills still awaiting an answer
 * (`pending`) and the ids already answered (`final`). Client order ids never repeat across
 * sessions, so no later answer can name them; a fill unconfirmed when its session ended stays
 * counted, as the paper venue keeps it too.
 */
export type CarriedLedger = Omit<Ledger, 'pending' | 'final'>;

/** One market carried into the next session: its ledger, and the net PnL risk last valued it at. */
export interface CarriedMarket {
  ledger: CarriedLedger;
  /** Exit-value net PnL (exitValuePnl) risk counted for it: kept until its books are seen again. */
  risk_net: number;
}

/**
 * The markets that left the trading side for good (resolved, settled, their retention over),
 * collapsed: a settled ledger can no longer change (no order of it is live, no fill awaits its
 * answer), so all that is still read of them is what they made or lost, toward the totals (risk's
 * net, which the day's loss baseline and the drawdown's peak are measured on, and the PnL
 * reports), and their ids, so that a later session does not start them again as fresh markets.
 * Nothing reads a retired market's own figures across sessions (a session's summary lists the
 * markets it retired itself), nor per-day ones (the day's baseline is a total).
 */
export interface RetiredMarkets {
  /** Sorted. */
  ids: string[];
  /** Their PnL summed, at cost (a settled market holds nothing to mark). */
  pnl: PnlSummary;
  /** Their values as risk last put them (settled: realized − fees), summed. */
  risk_net: number;
}

/**
 * The market and token id the retired markets' PnL is published under as one POSITION (no shares):
 * the totals summed from the latest position of every token (dashboard, `pnl_net_usdc`, the run
 * summary's realized PnL) keep it once a retired market's own positions are dropped
 * (ALERT MARKET_RETIRED), and after a restart that carries no retired market's ledger.
 */
export const RETIRED_MARKETS_POSITION = '_retired';

export function noRetiredMarkets(): RetiredMarkets {
  return { ids: [], pnl: noPnl(), risk_net: 0 };
}

/** `retired` with one more market folded in: its id, its PnL and risk's value of it. */
export function withRetiredMarket(retired: RetiredMarkets, marketId: string, pnl: PnlSummary, riskNet: number): RetiredMarkets {
  if (retired.ids.includes(marketId)) throw new Error(`market ${marketId} retired twice`);
  return { ids: [...retired.ids, marketId].sort(), pnl: addPnl(retired.pnl, pnl), risk_net: retired.risk_net + riskNet };
}

/**
 * What a paper trading session leaves to the next one on the same data directory: the paper
 * venue's holdings (what reconciliation checks the markets against), each market's ledger (the
 * attribution, realized PnL and fees the venue does not keep) but the retired ones', which are
 * collapsed into one aggregate, the day's loss baseline, so the daily-loss limit counts across a
 * restart, and the drawdown's peak. Open orders are not carried:
 * shutdown cancels them.
 */
export interface CarriedTrading {
  venue: PaperHolding[];
  markets: Record<string, CarriedMarket>;
  daily: DailyBaseline | null;
  /**
   * The highest net PnL risk counted since the carried state began (0 then): the same net as the
   * markets' `risk_net` sum, which the next session starts from, so its drawdown is peak − net as
   * before the restart. Absent in what an earlier build wrote (paper state version 1, older
   * dispatch logs): the peak then starts at 0, as it did in that build.
   */
  peak_net_pnl?: number;
  /** Markets retired for good, collapsed. Absent in what an earlier build wrote (paper state versions 1 and 2): none. */
  retired?: RetiredMarkets;
}

/**
 * A fill still awaiting its CONFIRMED/FAILED (and not given up) when its ledger was carried: the
 * next session holds it as matched and cannot hear its answer, so the operator is told of it.
 */
export interface UnconfirmedCarriedFill extends MatchedTrade {
  market_id: string;
  fill_id: string;
  /** Its order (null: the fill did not say). */
  client_order_id: string | null;
}

/** The fills of `ledger` a carry turns from awaiting their answer into matched for good, by id; those given up were told of already. */
export function unconfirmedCarriedFills(marketId: string, ledger: Ledger, givenUp: (fillId: string) => boolean): UnconfirmedCarriedFill[] {
  const ids = Object.keys(ledger.pending).filter((id) => !givenUp(id)).sort();
  return ids.map((id) => {
    const fill = ledger.pending[id]!;
    return { market_id: marketId, fill_id: id, client_order_id: fill.order_id ?? null, ...fill.matched };
  });
}

export function carriedLedger(ledger: Ledger): CarriedLedger {
  const { pending: _p, final: _f, ...rest } = ledger;
  return rest;
}

export function restoredLedger(carried: CarriedLedger): Ledger {
  return { ...emptyLedger(), ...carried };
}

/**
 * Risk as the previous session left it, before the new one decides anything: the day's loss counts
 * from that day's start, drawdown from the peak it reached, and every carried holding's cost counts against the notional caps, whether
 * or not this session trades its market (the runtime refines a traded market's exposure at start).
 */
export function restoreRisk(risk: RiskEngine, c: CarriedTrading): void {
  if (c.daily) risk.restoreDailyBaseline(c.daily);
  if (c.peak_net_pnl !== undefined) risk.restorePeak(c.peak_net_pnl);
  for (const id of Object.keys(c.markets).sort()) risk.setPositionCost(id, heldCost(c.markets[id]!.ledger));
}

/**
 * True when nothing is carried (a first start, or a session that never traded: its day began at
 * the 0 it started with, which is where a new session starts anyway).
 */
export function carriesNothing(c: CarriedTrading): boolean {
  return c.venue.length === 0 && Object.keys(c.markets).length === 0 && (c.daily === null || c.daily.start_net_pnl === 0) && !c.peak_net_pnl && !c.retired?.ids.length;
}
