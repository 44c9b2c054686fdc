import type { OpenOrder, Trade } from '@polymarket/clob-client-v2';
import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { RealAlert } from './real-types.ts';
import type { FillAnswer } from './execution-adapter.ts';
import type { ClobSession, VenuePosition } from './real-clob-session.ts';
import { ownMatches, type OwnMatch, type RealOrderTracker, type TrackedOrder } from './real-tracker.ts';

/**
 * Reading the venue's truth into the tracker: at start-up (before trading may start), after every
 * user-channel reconnect (the stream replays nothing) and on request. Venue orders helios did not
 * place are adopted or canceled as configured; any failure throws, and trading does not start.
 */

export interface ReconcileDeps {
  session: ClobSession;
  tracker: RealOrderTracker;
  cfg: RealExecutionConfig;
  clock: Clock;
  adopt: (v: OpenOrder) => TrackedOrder;
  /** An earlier process's order with a trade still unsettled, tracked from now on (RealOrderTracker.carry). */
  carry: (m: OwnMatch) => void;
  alert: (a: RealAlert) => void;
  /** The venue's positions as just read (the adapter keeps each token's average cost). */
  sawPositions: (rows: readonly VenuePosition[]) => void;
  /** Trade ids an earlier process's records name (fills given up on, sells' costs): looked for at start-up like an open order's. */
  recordedTrades: () => string[];
  /** The market helios trades a token in (undefined: none registered). */
  marketOfToken: (tokenId: string) => string | undefined;
  /** No new order in this market until an operator clears it (the venue's record of it cannot be trusted). */
  haltMarket: (marketId: string, reason: string) => void;
  /** Waits before read round `attempt` + 1 (the adapter's backoff). */
  pause: (attempt: number) => Promise<void>;
}

export interface StartupReport {
  open_orders: number;
  adopted: string[];
  canceled: string[];
  trades: number;
  /** The account's fills in those trades still awaiting the venue's CONFIRMED or FAILED (an earlier process's included). */
  unsettled_fills: number;
  /** Trades older than the lookback that an open order or a recorded fill names, read by id (their fills carried like the rest). */
  trades_beyond_lookback: number;
  /** Of those, the ones the venue did not return in `missing_trade_reads` reads: their answer cannot reach the ledger (TRADE_NOT_FOUND names them). */
  trades_not_found: number;
  /** Markets halted because a trade an open order of theirs names was not found. */
  halted_markets: string[];
  positions: number;
  collateral_usdc: number;
}

export async function reconcileAtStart(d: ReconcileDeps): Promise<StartupReport> {
  const [orders, positions, collateral] = await Promise.all([d.session.openOrders(), d.session.positions(), d.session.collateral()]);
  d.sawPositions(positions);
  const { adopted, canceled } = await handleUnknown(d, orders);
  const { trades, unsettled, seen } = await applyTrades(d, true);
  const older = await readOlderTrades(d, orders, d.recordedTrades(), seen);
  return {
    open_orders: orders.length,
    adopted,
    canceled,
    trades,
    unsettled_fills: unsettled + older.unsettled,
    trades_beyond_lookback: older.read,
    trades_not_found: older.missing.length,
    halted_markets: older.halted,
    positions: positions.length,
    collateral_usdc: collateral.balance,
  };
}

/**
 * The trades an open order (its matched size) or a recorded fill names that the lookback's listing
 * did not hold: read one by one (the trades endpoint takes an id), their unsettled fills carried
 * like the listing's. The venue's trade records can lag its orders, so one it does not return is
 * read again, `missing_trade_reads` times in all; one still missing then can never send its
 * answer: a critical TRADE_NOT_FOUND names it, and the market of an open order naming it is halted
 * (its orders, positions and ledger cannot be reconciled while a trade of its is unknown).
 */
async function readOlderTrades(d: ReconcileDeps, orders: readonly OpenOrder[], recorded: readonly string[], seen: ReadonlySet<string>): Promise<{ read: number; unsettled: number; missing: string[]; halted: string[] }> {
  const ids = [...new Set([...orders.flatMap((o) => o.associate_trades ?? []), ...recorded])].filter((id) => !seen.has(id)).sort();
  let unsettled = 0;
  let missing = ids;
  for (let attempt = 1; missing.length && attempt <= d.cfg.reconcile.missing_trade_reads; attempt++) {
    if (attempt > 1) await d.pause(attempt - 1);
    const still: string[] = [];
    for (const id of missing) {
      const found = await d.session.trade(id);
      if (!found.length) still.push(id);
      for (const t of found) unsettled += takeTrade(d, t, true);
    }
    missing = still;
  }
  const halted = new Map<string, string[]>();
  for (const id of missing) {
    const market = orders.filter((o) => o.associate_trades?.includes(id)).map((o) => d.marketOfToken(o.asset_id))[0];
    if (market !== undefined) halted.set(market, [...(halted.get(market) ?? []), id]);
  }
  const reads = `${d.cfg.reconcile.missing_trade_reads} read(s)`;
  for (const [market, trades] of [...halted].sort(([a], [b]) => a.localeCompare(b))) {
    const reason = `trade(s) ${trades.join(', ')} named by an open order were not found at the venue in ${reads}`;
    d.haltMarket(market, reason);
    d.alert({ severity: 'critical', code: 'TRADE_NOT_FOUND', market_id: market, message: `${market}: ${reason} (their CONFIRMED/FAILED cannot reach the ledger); market halted` });
  }
  const unplaced = missing.filter((id) => ![...halted.values()].some((t) => t.includes(id)));
  if (unplaced.length) {
    d.alert({ severity: 'critical', code: 'TRADE_NOT_FOUND', message: `trade(s) ${unplaced.join(', ')} named by a recorded fill were not found at the venue in ${reads} (their CONFIRMED/FAILED cannot reach the ledger; no open order names their market)` });
  }
  return { read: ids.length, unsettled, missing, halted: [...halted.keys()].sort() };
}

export async function resyncFromVenue(d: ReconcileDeps): Promise<void> {
  const orders = await d.session.openOrders();
  await handleUnknown(d, orders);
  await applyTrades(d);
  const open = new Set(orders.map((o) => o.id));
  // Live at helios but no longer open at the venue: its own record says what became of it.
  for (const o of d.tracker.live()) {
    if (!o.venueId || open.has(o.venueId) || o.status === 'pending') continue;
    const v = await d.session.order(o.venueId);
    if (v) d.tracker.onVenueOrder(v);
  }
}

async function handleUnknown(d: ReconcileDeps, orders: readonly OpenOrder[]): Promise<{ adopted: string[]; canceled: string[] }> {
  const unknown: OpenOrder[] = [];
  for (const v of orders) {
    if (d.tracker.getByVenue(v.id)) d.tracker.onVenueOrder(v);
    else unknown.push(v);
  }
  if (!unknown.length) return { adopted: [], canceled: [] };
  if (d.cfg.reconcile.unknown_orders === 'adopt') {
    const adopted = unknown.map((v) => d.adopt(v).req.client_order_id);
    d.alert({ severity: 'warning', code: 'UNKNOWN_VENUE_ORDER', message: `adopted ${adopted.length} venue order(s) helios did not place` });
    return { adopted, canceled: [] };
  }
  const r = await d.session.cancel(unknown.map((v) => v.id));
  d.alert({ severity: 'warning', code: 'UNKNOWN_VENUE_ORDER', message: `canceled ${r.canceled.length} venue order(s) helios did not place` });
  const left = Object.keys(r.not_canceled);
  if (left.length) throw new Error(`could not cancel venue orders helios did not place: ${left.join(', ')}`);
  return { adopted: [], canceled: r.canceled };
}

/** Trade statuses the venue may still answer FAILED. */
const UNSETTLED = new Set(['MATCHED', 'MINED', 'RETRYING']);

/**
 * The recent trades into the tracker. At start-up (`carryUnsettled`) the orders of an earlier
 * process's trades that are still unsettled are carried too (the positions the ledger is rebuilt
 * from already hold those trades): the positions then name them, their CONFIRMED or FAILED is
 * applied once, and a reconciliation can read them again by id. Only then, while nothing trades.
 */
async function applyTrades(d: ReconcileDeps, carryUnsettled = false): Promise<{ trades: number; unsettled: number; seen: Set<string> }> {
  const trades = await d.session.trades(Math.floor(d.clock.now() / 1000) - d.cfg.reconcile.trades_lookback_s);
  let unsettled = 0;
  for (const t of trades) unsettled += takeTrade(d, t, carryUnsettled);
  return { trades: trades.length, unsettled, seen: new Set(trades.map((t) => t.id)) };
}

/** One trade into the tracker, its account's unsettled fills carried first when asked; how many were. */
function takeTrade(d: ReconcileDeps, t: Trade, carryUnsettled: boolean): number {
  let unsettled = 0;
  if (carryUnsettled && UNSETTLED.has(t.status.toUpperCase())) {
    for (const m of ownMatches(t, d.session.apiCreds.key)) {
      d.carry(m);
      unsettled++;
    }
  }
  d.tracker.onVenueTrade(t);
  return unsettled;
}

/** One look at an order whose answer was lost: true when the venue's record (order or trades) settled it. */
export async function checkInFlight(d: ReconcileDeps, o: TrackedOrder): Promise<boolean> {
  const v = await d.session.order(o.venueId!);
  if (v) d.tracker.onVenueOrder(v);
  await applyTrades(d);
  if (!v && o.filled <= 0) return false;
  if (o.status === 'pending') d.tracker.setStatus(o, o.filled > 0 ? 'partially_filled' : 'open', null);
  return true;
}

/**
 * The answers the tracker holds for these fills (a listener may have missed them); one it holds as
 * only matched has its trade read again, and an answer found there comes on the stream. A read
 * that fails leaves that fill to a later reconciliation (its asker bounds how often and how many).
 */
export async function readFillAnswers(d: ReconcileDeps, fillIds: readonly string[]): Promise<FillAnswer[]> {
  const out: FillAnswer[] = [];
  for (const id of fillIds) {
    const answer = d.tracker.answerOf(id);
    const trade = answer ? null : d.tracker.unansweredTrade(id);
    if (answer) out.push(answer);
    else if (trade) await readTrade(d, trade).catch(() => undefined);
  }
  return out;
}

/** The trades of a match the post answered with, read once (the user channel may not have them). */
export async function readTrade(d: ReconcileDeps, tradeId: string): Promise<void> {
  for (const t of await d.session.trade(tradeId)) d.tracker.onVenueTrade(t);
}
