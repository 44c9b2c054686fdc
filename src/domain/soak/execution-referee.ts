import type { RefereeRecord } from './referee.ts';

/**
 * The real-execution half of the soak referee (`helios soak --execution real`): the venue's own
 * records (the stand-in CLOB's orders and trades) against the daemon's journal. Every figure must
 * be 0:
 * - orders_while_failed_closed: orders the venue accepted from a daemon process after its adapter
 *   failed closed (the global HALT it published says when);
 * - venue_duplicate_orders: the same order submitted twice (a signed order the venue already
 *   held, sent again), or one client order id bound to two orders the venue accepted;
 * - lost_fills: a venue trade that reached CONFIRMED without helios recording it as a final
 *   (CONFIRMED) fill — unless the process that placed it had ended before it confirmed (its next
 *   life rebuilds the position from the venue: the position figure judges that);
 * - double_counted_fills: one trade's fill counted (MATCHED) more than once in a process, or a
 *   trade the venue FAILED whose fill helios kept (never voided, or even confirmed) while alive;
 * - position_mismatches: helios's position per token against the venue's (positionMismatches,
 *   at every checkpoint and at the end).
 */

export interface VenueOrderRecord {
  id: string;
  /** When the venue accepted it (ms, the venue's clock: the wall clock the processes' spans use). */
  accepted_ms: number;
}

export interface VenueTradeRecord {
  id: string;
  order_id: string;
  status: string;
  /** When it reached each status. */
  status_ms: Partial<Record<string, number>>;
}

/** One daemon process by wall time. */
export interface ProcessWindow {
  index: number;
  start_ms: number;
  end_ms: number;
}

export interface VenueRecords {
  orders: readonly VenueOrderRecord[];
  trades: readonly VenueTradeRecord[];
  /** Submissions of an order the venue already held. */
  duplicate_submissions: number;
}

export interface ExecutionVerdict {
  orders_while_failed_closed: number;
  venue_duplicate_orders: number;
  lost_fills: number;
  double_counted_fills: number;
  /** What was looked at, so a zero is not taken for a pass over nothing. */
  venue_orders: number;
  venue_trades: number;
  trades_confirmed: number;
  trades_failed: number;
  /** Confirmed after the process that placed the order had ended (judged by positions instead). */
  confirmed_after_process_end: number;
  examples: string[];
}

/** The reason of the HALT the daemon publishes when its real adapter fails closed (apps/daemon/real-execution.ts). */
export const FAIL_CLOSED_REASON = 'execution failed closed';
const MAX_EXAMPLES = 20;

/** The trade a real fill belongs to: the adapter names fills `${client_order_id}:${trade_id}` (real-tracker.ts). */
export function tradeIdOfFill(fillId: string): string {
  return fillId.slice(fillId.lastIndexOf(':') + 1);
}

/** The process alive at `ms` (the latest one started by then). */
function processAt(windows: readonly ProcessWindow[], ms: number): ProcessWindow | undefined {
  let found: ProcessWindow | undefined;
  for (const w of windows) if (w.start_ms <= ms) found = w;
  return found;
}

export function judgeExecution(records: readonly RefereeRecord[], venue: VenueRecords, windows: readonly ProcessWindow[]): ExecutionVerdict {
  const v: ExecutionVerdict = {
    orders_while_failed_closed: 0,
    venue_duplicate_orders: venue.duplicate_submissions,
    lost_fills: 0,
    double_counted_fills: 0,
    venue_orders: venue.orders.length,
    venue_trades: venue.trades.length,
    trades_confirmed: 0,
    trades_failed: 0,
    confirmed_after_process_end: 0,
    examples: [],
  };
  const example = (text: string) => {
    if (v.examples.length < MAX_EXAMPLES) v.examples.push(text);
  };
  if (venue.duplicate_submissions) example(`${venue.duplicate_submissions} submission(s) of an order the venue already held`);

  const failedClosedAt = new Map<number, number>();
  /** Per process, per trade: MATCHED fills counted, and whether helios voided or confirmed it. */
  const fills = new Map<string, { matched: number; failed: boolean; confirmed: boolean }>();
  const confirmedAnywhere = new Set<string>();
  const venueIdsOf = new Map<string, Set<string>>();
  for (const { instance, event: e } of records) {
    if (e.type === 'HALT' && e.payload.scope === 'global' && e.payload.reason.startsWith(FAIL_CLOSED_REASON) && !failedClosedAt.has(instance)) failedClosedAt.set(instance, e.ts_ingest);
    else if (e.type === 'ORDER_UPDATE' && e.payload.venue_order_id) {
      const ids = venueIdsOf.get(e.payload.client_order_id) ?? new Set<string>();
      ids.add(e.payload.venue_order_id);
      venueIdsOf.set(e.payload.client_order_id, ids);
    } else if (e.type === 'FILL') {
      const trade = tradeIdOfFill(e.payload.fill_id);
      const key = `${instance}|${trade}`;
      const f = fills.get(key) ?? { matched: 0, failed: false, confirmed: false };
      if (e.payload.status === 'MATCHED') f.matched++;
      else if (e.payload.status === 'FAILED') f.failed = true;
      else {
        f.confirmed = true;
        confirmedAnywhere.add(trade);
      }
      fills.set(key, f);
      if (e.payload.status === 'MATCHED' && f.matched === 2) {
        v.double_counted_fills++;
        example(`trade ${trade}: counted twice as MATCHED in process ${instance} (${e.payload.fill_id})`);
      }
    }
  }

  const accepted = new Map(venue.orders.map((o) => [o.id, o]));
  for (const o of venue.orders) {
    const p = processAt(windows, o.accepted_ms);
    const closedAt = p ? failedClosedAt.get(p.index) : undefined;
    if (p && closedAt !== undefined && o.accepted_ms >= closedAt && o.accepted_ms <= p.end_ms) {
      v.orders_while_failed_closed++;
      example(`order ${o.id} accepted ${o.accepted_ms - closedAt} ms after process ${p.index} failed closed`);
    }
  }
  for (const [client, ids] of [...venueIdsOf.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const atVenue = [...ids].filter((id) => accepted.has(id));
    if (atVenue.length > 1) {
      v.venue_duplicate_orders += atVenue.length - 1;
      example(`client order ${client}: ${atVenue.length} orders at the venue (${atVenue.sort().join(', ')})`);
    }
  }

  for (const t of venue.trades) {
    const placedBy = processAt(windows, accepted.get(t.order_id)?.accepted_ms ?? t.status_ms.MATCHED ?? 0);
    if (t.status === 'CONFIRMED') {
      v.trades_confirmed++;
      if (confirmedAnywhere.has(t.id)) continue;
      const at = t.status_ms.CONFIRMED ?? Infinity;
      if (placedBy && at > placedBy.end_ms) {
        v.confirmed_after_process_end++;
        continue;
      }
      v.lost_fills++;
      example(`trade ${t.id} (order ${t.order_id}) CONFIRMED at the venue, never a final fill in helios`);
    } else if (t.status === 'FAILED') {
      v.trades_failed++;
      if (!placedBy) continue;
      const f = fills.get(`${placedBy.index}|${t.id}`);
      const failedAt = t.status_ms.FAILED ?? Infinity;
      if (f && (f.confirmed || (f.matched > 0 && !f.failed && failedAt <= placedBy.end_ms))) {
        v.double_counted_fills++;
        example(`trade ${t.id} FAILED at the venue, its fill kept by process ${placedBy.index}${f.confirmed ? ' (even confirmed)' : ''}`);
      }
    }
  }
  return v;
}

export interface PositionMismatch {
  token_id: string;
  helios: number;
  venue: number;
}

/** Tokens whose helios position differs from the venue's by more than `tolerance` shares (a token absent on one side holds 0 there). */
export function positionMismatches(helios: ReadonlyMap<string, number>, venue: ReadonlyMap<string, number>, tolerance: number): PositionMismatch[] {
  const tokens = [...new Set([...helios.keys(), ...venue.keys()])].sort();
  const out: PositionMismatch[] = [];
  for (const token_id of tokens) {
    const h = helios.get(token_id) ?? 0;
    const x = venue.get(token_id) ?? 0;
    if (Math.abs(h - x) > tolerance) out.push({ token_id, helios: h, venue: x });
  }
  return out;
}

/** helios's position per token as its journal last stated it (POSITION events, any process: the latest wins). */
export function journalPositions(records: readonly RefereeRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { event: e } of records) if (e.type === 'POSITION' && e.token_id) out.set(e.token_id, e.payload.shares);
  return out;
}
