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
  /** Of those, the ones the venue did not return: their answer cannot reach the ledger (TRADE_NOT_FOUND warning names them). */
  trades_not_found: number;
  positions: number;
  collateral_usdc: number;
}

export async function reconcileAtStart(d: ReconcileDeps): Promise<StartupReport> {
  const [orders, positions, collateral] = await Promise.all([d.session.openOrders(), d.session.positions(), d.session.collateral()]);
  d.sawPositions(positions);
  const { adopted, canceled } = await handleUnknown(d, orders);
  const { trades, unsettled, seen } = await applyTrades(d, true);
  const older = await readOlderTrades(d, [...orders.flatMap((o) => o.associate_trades ?? []), ...d.recordedTrades()], seen);
  return {
    open_orders: orders.length,
    adopted,
    canceled,
    trades,
    unsettled_fills: unsettled + older.unsettled,
    trades_beyond_lookback: older.read,
    trades_not_found: older.missing.length,
    positions: positions.length,
    collateral_usdc: collateral.balance,
  };
}

/**
 * The trades an open order (its matched size) or a recorded fill names that the lookback's listing
 * did not hold: read one by one (the trades endpoint takes an id), their unsettled fills carried
 * like the listing's. One the venue does not return is told of: its answer can never arrive.
 */
async function readOlderTrades(d: ReconcileDeps, named: readonly string[], seen: ReadonlySet<string>): Promise<{ read: number; unsettled: number; missing: string[] }> {
  const ids = [...new Set(named)].filter((id) => !seen.has(id)).sort();
  let unsettled = 0;
  const missing: string[] = [];
  for (const id of ids) {
    const found = await d.session.trade(id);
    if (!found.length) missing.push(id);
    for (const t of found) unsettled += takeTrade(d, t, true);
  }
  if (missing.length) {
    d.alert({ severity: 'warning', code: 'TRADE_NOT_FOUND', message: `${missing.length} trade(s) older than trades_lookback_s named by an open order or a recorded fill were not found at the venue (their CONFIRMED/FAILED cannot reach the ledger): ${missing.join(', ')}` });
  }
  return { read: ids.length, unsettled, missing };
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
