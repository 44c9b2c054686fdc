import { fillFee, type FeeSchedule } from './fees.ts';
import { unheardMatched, type OrderRecord } from './orders.ts';
import { pairImbalance, type PairImbalance } from './pair-arb.ts';
import { applyFill, knowsFill, strategyHolding, type Ledger, type LedgerFill } from './pnl-ledger.ts';

/**
 * What a market holds as the venue reports it matched, for deciding what to buy, hedge or unwind
 * next. The venue's order update (status filled, size_matched) and its trade are separate
 * messages, and the trade may come after, 10–50 s late: a leg whose fill is not heard yet is held
 * all the same, and deciding on the ledger alone would buy it a second time. So each order's
 * matched shares not yet heard as fills are added to the ledger, as a match at the order's limit
 * (the worst price it can fill at) with its taker fee. The ledger itself (PnL, positions) keeps
 * only the fills heard; once heard a fill replaces the estimate, and a FAILED one leaves the
 * shares out of both. Returns `ledger` itself when nothing is owed.
 */
export function matchedLedger(ledger: Ledger, orders: Readonly<Record<string, OrderRecord>>, fee: FeeSchedule): Ledger {
  const owed = owedOrders(orders);
  if (!owed.length) return ledger;
  let out = ledger;
  for (const id of owed) {
    const o = orders[id]!;
    const size = unheardMatched(o);
    out = applyFill(out, {
      fill_id: `unheard:${id}`,
      token_id: o.token_id,
      strategy: o.strategy,
      side: o.side,
      price: o.price,
      size,
      fee_usdc: fillFee(size, o.price, 'taker', fee),
      status: 'MATCHED',
    });
  }
  return out;
}

/**
 * The pair-arbitrage leg left naked as matched at the venue (null: none): the one rule for the
 * market actor's naked-leg clock and the soak referee's judgement of it.
 */
export function matchedPairImbalance(
  ledger: Ledger,
  orders: Readonly<Record<string, OrderRecord>>,
  market: { yes_token: string; no_token: string; fee: FeeSchedule },
): PairImbalance | null {
  const l = matchedLedger(ledger, orders, market.fee);
  return pairImbalance(strategyHolding(l, market.yes_token, 'pair_arb'), strategyHolding(l, market.no_token, 'pair_arb'));
}

/**
 * The orders once `fill` is heard (call it before the ledger applies the fill): its order counts
 * its shares as heard the first time the ledger hears of the fill, whatever its status.
 */
export function ordersHearing(ledger: Ledger, orders: Readonly<Record<string, OrderRecord>>, fill: LedgerFill & { client_order_id: string }): Record<string, OrderRecord> {
  const o = orders[fill.client_order_id];
  if (!o || knowsFill(ledger, fill.fill_id)) return orders;
  return { ...orders, [o.client_order_id]: { ...o, heard_size: o.heard_size + fill.size } };
}

const NONE_OWED: readonly string[] = [];
const owedByOrders = new WeakMap<object, readonly string[]>();

/**
 * The ids (sorted) of the orders owed fills, once per orders object: every decision and state
 * guard asks, and a market's orders change far less often than its books.
 */
function owedOrders(orders: Readonly<Record<string, OrderRecord>>): readonly string[] {
  let owed = owedByOrders.get(orders);
  if (owed === undefined) {
    const ids: string[] = [];
    for (const id in orders) if (unheardMatched(orders[id]!) > 1e-9) ids.push(id);
    owed = ids.length ? ids.sort() : NONE_OWED;
    owedByOrders.set(orders, owed);
  }
  return owed;
}
