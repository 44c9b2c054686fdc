import type { ExecutionConfig } from '../../config/sections/trading.ts';
import type { ExecutionAdapter, FillAnswer } from '../../adapters/execution/execution-adapter.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { knowsFill, sharesByToken } from '../../domain/trading/pnl-ledger.ts';
import { unansweredFills } from '../../domain/trading/resolved-retention.ts';
import { describeMismatch, reconcileMarket, resolvedCloseOut, type Mismatch, type VenueOrderView } from '../../domain/trading/reconcile.ts';
import type { OrderRecord } from '../../domain/trading/orders.ts';
import type { MarketTradingContext } from '../../machines/market-trading/context.ts';
import type { MarketInputEvent } from '../../machines/market-trading/events.ts';
import type { StartedWork } from './started-work.ts';

export interface ReconcileReport {
  checked: number;
  breaks: Array<{ market_id: string; mismatches: Mismatch[] }>;
}

/** What reconciliation reads from the runtime and tells it. */
export interface ReconcileHost {
  adapter: ExecutionAdapter;
  work: StartedWork;
  cfg: ExecutionConfig['reconcile'];
  now(): number;
  marketIds(): string[];
  spec(marketId: string): MarketSpec;
  market(marketId: string): { state: string; context: MarketTradingContext } | undefined;
  /** A neg-risk set leg in flight belongs to the event coordinator, not to the market actor. */
  ownedElsewhere(clientOrderId: string): boolean;
  alert(severity: 'warn' | 'critical', code: string, message: string, marketId: string): void;
  /** A live order the venue no longer lists (past the grace) is over here (closed out, or dropped by a rebuild): what was reserved for it is free. */
  closedOut(order: OrderRecord): void;
  send(marketId: string, event: MarketInputEvent): void;
  /** The venue's answer to a fill that never heard it (a resolved market's, or a live one's long pending), read again: to its market. */
  answered(answer: FillAnswer): void;
  /** A market was rebuilt with the venue's open orders `orders`: risk counts the ones it never checked. */
  adopted(marketId: string, orders: readonly VenueOrderView[]): void;
  /** Cancels re-sent so far per resolved market's order the venue still lists (kept across runs). */
  cancelRetries: CancelRetries;
  /** Of the live markets' fills still pending (by market; null: its ledger unreadable now), those to ask the venue about now (FillAnswerAsks.due). */
  fillAsksDue(nowMs: number, pendingByMarket: ReadonlyMap<string, readonly string[] | null>): string[];
  /** A fill given up while its market was live: not asked about again once the market resolved either. */
  isAnswerGivenUp(fillId: string): boolean;
}

/**
 * How many times reconciliation has re-sent the cancel of a resolved market's order the venue still
 * lists. A venue that keeps rejecting it would otherwise be retried every interval forever, unseen.
 */
export class CancelRetries {
  private readonly sent = new Map<string, number>();

  /** One more cancel of `clientOrderId` re-sent: how many so far. */
  count(clientOrderId: string): number {
    const n = (this.sent.get(clientOrderId) ?? 0) + 1;
    this.sent.set(clientOrderId, n);
    return n;
  }

  /** Orders no longer resting at the venue (cancelled at last, closed out, their market gone) are forgotten. */
  keepOnly(resting: ReadonlySet<string>): void {
    for (const id of this.sent.keys()) if (!resting.has(id)) this.sent.delete(id);
  }
}

/**
 * Every live market's expected orders and positions against the venue's: a market that disagrees
 * is rebuilt from the venue (RECONCILE_BREAK), one that agrees and was not yet synced (or had
 * broken) is told RECONCILED. At start this is what lets the markets trade. A resolved market's
 * orders still live here are closed out from the venue's answer (CLOSE_OUT), and the venue is asked
 * again for its fills still unanswered, so it settles for good; so is it for a live market's fills
 * pending past `fill_answer_after_ms` (a MATCHED trade can still FAIL), a bounded few per run, until
 * `fill_answer_timeout_ms` gives one up (FillAnswerAsks).
 */
export async function reconcileWithVenue(h: ReconcileHost): Promise<ReconcileReport> {
  const unanswered = [...resolvedUnanswered(h), ...liveUnanswered(h)];
  const asked = unanswered.length && h.adapter.fillAnswers ? h.work.track(h.adapter.fillAnswers(unanswered)) : Promise.resolve([]);
  const [orders, answers] = await Promise.all([h.work.track(h.adapter.fetchOpenOrders()), asked]);
  // Positions last, and nothing awaited between their read and the rebuild: a FAILED heard in
  // between would reach a ledger about to be replaced, then be missed by the rebuild.
  const positions = await h.work.track(h.adapter.fetchPositions());
  const asking = new Set(unanswered);
  for (const a of answers) if (asking.has(a.fill.fill_id)) h.answered(a);
  const now = h.now();
  const report: ReconcileReport = { checked: 0, breaks: [] };
  const resting = new Set<string>();
  for (const id of h.marketIds()) {
    const snap = h.market(id);
    if (!snap) continue;
    if (snap.state === 'RESOLVED') {
      for (const coid of closeOutResolved(h, id, snap.context, orders, now)) resting.add(coid);
      continue;
    }
    const spec = h.spec(id);
    const tokens = [spec.yes_token, spec.no_token];
    const venueOrders = orders.filter((o) => o.market_id === id && !h.ownedElsewhere(o.client_order_id));
    const venuePositions = positions.filter((p) => tokens.includes(p.token_id));
    const mismatches = reconcileMarket({
      expectedOrders: Object.values(snap.context.orders),
      venueOrders,
      expectedShares: sharesByToken(snap.context.ledger),
      venuePositions,
      tokens,
      nowMs: now,
      graceMs: h.cfg.recent_order_grace_ms,
      toleranceShares: h.cfg.position_tolerance_shares,
      knowsFill: (fillId) => knowsFill(snap.context.ledger, fillId),
    });
    report.checked += 1;
    if (mismatches.length) {
      const reason = mismatches.map(describeMismatch).join('; ');
      report.breaks.push({ market_id: id, mismatches });
      h.alert('critical', 'RECONCILE_BREAK', `${id}: ${reason}`, id);
      // The rebuild keeps only the venue's open orders: one it no longer lists ended there (what filled
      // is in its positions), and no answer will free what risk reserved for the rest.
      for (const m of mismatches) if (m.kind === 'missing_at_venue') h.closedOut(snap.context.orders[m.client_order_id]!);
      h.send(id, { type: 'RECONCILE_BREAK', reason, venue_orders: venueOrders, venue_positions: venuePositions });
      h.adopted(id, venueOrders);
    } else if (!snap.context.synced || snap.context.latched.includes('reconcile_break')) {
      h.send(id, { type: 'RECONCILED' });
    }
  }
  h.cancelRetries.keepOnly(resting);
  return report;
}

/** The fills of resolved markets still awaiting their answer (a lost CONFIRMED/FAILED would hold the market forever), by market, then id. */
function resolvedUnanswered(h: ReconcileHost): string[] {
  return h.marketIds().flatMap((id) => {
    const snap = h.market(id);
    return snap?.state === 'RESOLVED' ? unansweredFills(snap.context.ledger).filter((f) => !h.isAnswerGivenUp(f)) : [];
  });
}

/** The live markets' fills pending long enough to ask the venue about now (none when it cannot be asked). */
function liveUnanswered(h: ReconcileHost): string[] {
  if (!h.adapter.fillAnswers) return [];
  const pending = new Map<string, readonly string[] | null>();
  for (const id of h.marketIds()) {
    const snap = h.market(id);
    if (snap?.state !== 'RESOLVED') pending.set(id, snap ? unansweredFills(snap.context.ledger) : null);
  }
  return h.fillAsksDue(h.now(), pending);
}

/**
 * Closes out a resolved market's orders from the venue's open orders, and cancels the venue's orders
 * on its tokens it never placed (whatever `execution.real.reconcile.unknown_orders` says: on a
 * resolved market such an order can only lose); returns its orders still resting there (their cancel re-sent).
 */
function closeOutResolved(h: ReconcileHost, id: string, ctx: MarketTradingContext, venueOrders: readonly VenueOrderView[], now: number): string[] {
  const expectedOrders = Object.values(ctx.orders);
  const tokens = [ctx.spec.yes_token, ctx.spec.no_token];
  const onMarket = venueOrders.filter((o) => (o.market_id === id || tokens.includes(o.token_id)) && !h.ownedElsewhere(o.client_order_id));
  const closeOut = resolvedCloseOut({ expectedOrders, venueOrders: onMarket, nowMs: now, graceMs: h.cfg.recent_order_grace_ms });
  if (!closeOut.gone.length && !closeOut.resting.length && !closeOut.foreign.length) return [];
  for (const v of closeOut.foreign) {
    h.alert('warn', 'UNKNOWN_VENUE_ORDER', `${id}: venue order ${v.client_order_id} (${v.side} ${v.size - v.filled_size} ${v.token_id} @ ${v.price}) was not placed by this market and rests after its resolution: cancelling it`, id);
  }
  for (const coid of closeOut.gone) {
    h.closedOut(ctx.orders[coid]!);
    h.alert('warn', 'ORDER_CLOSED_OUT', `${id}: order ${coid} heard no end after resolution and is no longer open at the venue: closed here`, id);
  }
  for (const coid of closeOut.resting) {
    const attempts = h.cancelRetries.count(coid);
    // Once, at the limit: the cancels go on (the venue may take one yet), the operator knows.
    if (attempts === h.cfg.max_cancel_retries) {
      h.alert('critical', 'ORDER_CANCEL_STUCK', `${id}: order ${coid} still open at the venue after resolution; its cancel re-sent ${attempts} times (still retrying every reconciliation)`, id);
    }
  }
  h.send(id, { type: 'CLOSE_OUT', ...closeOut });
  return closeOut.resting;
}
