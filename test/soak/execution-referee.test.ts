import { describe, expect, it } from 'vitest';
import { RealOrderTracker } from '../../src/adapters/execution/real-tracker.ts';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { judgeExecution, journalPositions, positionMismatches, tradeIdOfFill, type ProcessWindow, type VenueRecords } from '../../src/domain/soak/execution-referee.ts';
import { parseFaultList, FaultListError, CLOB_FAULT_CLASSES } from '../../src/domain/soak/fault-classes.ts';
import type { RefereeRecord } from '../../src/domain/soak/referee.ts';
import { soakSchedule } from '../../src/domain/soak/schedule.ts';
import { failedFigures, REAL_MUST_BE_ZERO, type SoakSummary } from '../../src/domain/soak/summary.ts';

/**
 * The real-execution referee's rules, each on a journal and venue record built to break exactly
 * one of them: a lost fill, a double-counted fill (twice MATCHED, or a FAILED one kept), a
 * duplicate order at the venue, an order after failing closed, a position apart from the venue's.
 */

const clock = new VirtualClock(1_000);
const factory = new EventFactory(clock, ulidGenerator(seededRng(3)));
const ONE: ProcessWindow[] = [{ index: 0, start_ms: 0, end_ms: 100_000 }];

function rec(instance: number, seq: number, at: number, event: ReturnType<EventFactory['make']>): RefereeRecord {
  return { instance, seq, event: { ...event, ts_ingest: at } as RefereeRecord['event'] };
}

function fill(at: number, client: string, trade: string, status: 'MATCHED' | 'CONFIRMED' | 'FAILED', instance = 0): RefereeRecord {
  return rec(instance, at, at, factory.make('FILL', { client_order_id: client, fill_id: `${client}:${trade}`, status, side: 'BUY', price: 0.5, size: 10, fee_usdc: 0, liquidity: 'taker', strategy: 'temporal' }, { market_id: 'm1', token_id: 'y1' }));
}

function order(at: number, client: string, venueId: string | null, instance = 0): RefereeRecord {
  return rec(instance, at, at, factory.make('ORDER_UPDATE', { client_order_id: client, venue_order_id: venueId, status: venueId ? 'open' : 'pending', side: 'BUY', order_type: 'FAK', price: 0.5, size: 10, filled_size: 0, strategy: 'temporal', reason: null }, { market_id: 'm1', token_id: 'y1' }));
}

const venue = (over: Partial<VenueRecords> = {}): VenueRecords => ({
  orders: [{ id: '0xo1', accepted_ms: 1_000 }],
  trades: [{ id: 'trade-1', order_id: '0xo1', status: 'CONFIRMED', status_ms: { MATCHED: 1_000, CONFIRMED: 1_400 } }],
  duplicate_submissions: 0,
  ...over,
});

/** A clean life: the order, its fill matched then confirmed. */
const clean = (): RefereeRecord[] => [order(900, 'c1', null), order(1_000, 'c1', '0xo1'), fill(1_010, 'c1', 'trade-1', 'MATCHED'), fill(1_410, 'c1', 'trade-1', 'CONFIRMED')];

const zero = (v: ReturnType<typeof judgeExecution>) => ({ lost: v.lost_fills, double: v.double_counted_fills, dup: v.venue_duplicate_orders, closed: v.orders_while_failed_closed });

describe('the real-execution referee', () => {
  it('finds nothing wrong with a clean record, and says what it looked at', () => {
    const v = judgeExecution(clean(), venue(), ONE);
    expect(zero(v)).toEqual({ lost: 0, double: 0, dup: 0, closed: 0 });
    expect(v).toMatchObject({ venue_orders: 1, venue_trades: 1, trades_confirmed: 1, trades_failed: 0 });
  });

  it('detects a lost fill: CONFIRMED at the venue, never final in helios', () => {
    const v = judgeExecution(clean().slice(0, 3), venue(), ONE);
    expect(v.lost_fills).toBe(1);
    expect(v.examples.join('\n')).toMatch(/trade-1.*never a final fill/);
    // A trade confirmed after the process that placed it had ended is left to the position check.
    const ended = judgeExecution(clean().slice(0, 3), venue(), [{ index: 0, start_ms: 0, end_ms: 1_200 }]);
    expect(ended.lost_fills).toBe(0);
    expect(ended.confirmed_after_process_end).toBe(1);
  });

  it('detects a double-counted fill: the same trade MATCHED twice, or a FAILED one kept', () => {
    const twice = [...clean(), fill(1_420, 'c1', 'trade-1', 'MATCHED')];
    expect(judgeExecution(twice, venue(), ONE).double_counted_fills).toBe(1);
    const failedTrade = venue({ trades: [{ id: 'trade-1', order_id: '0xo1', status: 'FAILED', status_ms: { MATCHED: 1_000, FAILED: 1_200 } }] });
    // Voided by helios: fine.
    expect(judgeExecution([...clean().slice(0, 3), fill(1_210, 'c1', 'trade-1', 'FAILED')], failedTrade, ONE).double_counted_fills).toBe(0);
    // Kept (never voided while the process lived), or even confirmed: counted.
    expect(judgeExecution(clean().slice(0, 3), failedTrade, ONE).double_counted_fills).toBe(1);
    expect(judgeExecution(clean(), failedTrade, ONE).double_counted_fills).toBe(1);
  });

  it('detects a duplicate order at the venue: a signed order sent again, or one client id on two venue orders', () => {
    expect(judgeExecution(clean(), venue({ duplicate_submissions: 1 }), ONE).venue_duplicate_orders).toBe(1);
    const two = venue({ orders: [{ id: '0xo1', accepted_ms: 1_000 }, { id: '0xo2', accepted_ms: 1_100 }] });
    const v = judgeExecution([...clean(), order(1_100, 'c1', '0xo2')], two, ONE);
    expect(v.venue_duplicate_orders).toBe(1);
    expect(v.examples.join('\n')).toMatch(/c1: 2 orders at the venue/);
  });

  it('detects an order the venue accepted after the process failed closed (and only in that process)', () => {
    const halt = rec(0, 1_500, 1_500, factory.make('HALT', { scope: 'global', reason: 'execution failed closed: 2 heartbeats in a row failed' }));
    const late = venue({ orders: [{ id: '0xo1', accepted_ms: 1_000 }, { id: '0xo3', accepted_ms: 1_600 }] });
    expect(judgeExecution([...clean(), halt], late, ONE).orders_while_failed_closed).toBe(1);
    // The next life (restarted) may trade again.
    const lives: ProcessWindow[] = [{ index: 0, start_ms: 0, end_ms: 1_550 }, { index: 1, start_ms: 1_590, end_ms: 100_000 }];
    expect(judgeExecution([...clean(), halt], late, lives).orders_while_failed_closed).toBe(0);
    // An operator's HALT is not failing closed.
    const operator = rec(0, 1_500, 1_500, factory.make('HALT', { scope: 'global', reason: 'operator' }));
    expect(judgeExecution([...clean(), operator], late, ONE).orders_while_failed_closed).toBe(0);
  });

  it('compares positions token by token, the journal’s last POSITION winning', () => {
    const pos = (at: number, token: string, shares: number, instance = 0) => rec(instance, at, at, factory.make('POSITION', { shares, avg_cost: 0.5, realized_pnl: 0, unrealized_pnl: 0, fees_paid: 0, by_strategy: {} }, { market_id: 'm1', token_id: token }));
    const helios = journalPositions([pos(1, 'y1', 10), pos(2, 'n1', 5), pos(3, 'y1', 20, 1)]);
    expect([...helios]).toEqual([['y1', 20], ['n1', 5]]);
    expect(positionMismatches(helios, new Map([['y1', 20], ['n1', 5]]), 0.01)).toEqual([]);
    expect(positionMismatches(helios, new Map([['y1', 20]]), 0.01)).toEqual([{ token_id: 'n1', helios: 5, venue: 0 }]);
    expect(positionMismatches(new Map(), new Map([['y1', 3]]), 0.01)).toEqual([{ token_id: 'y1', helios: 0, venue: 3 }]);
  });

  it('reads the trade id out of the fill ids the real adapter makes', () => {
    const events: ExecutionEvent[] = [];
    const t = new RealOrderTracker({ emit: (e) => events.push(e), feeFor: () => ({ rate: 0, exponent: 1, taker_only: true }), nowSeconds: () => 0, expirationBufferS: 60 });
    const o = t.add({ client_order_id: 'temporal:m1:7', market_id: 'm1', token_id: 'y1', side: 'BUY', order_type: 'FAK', price: 0.5, size: 10, strategy: 'temporal', expires_at_ms: null });
    t.bind(o, '0xo1');
    t.onVenueTrade({ id: 'trade-42', status: 'MATCHED', taker_order_id: '0xo1', size: '10', price: '0.5' });
    const f = events.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
    expect(f).toHaveLength(1);
    expect(tradeIdOfFill(f[0]!.fill_id)).toBe('trade-42');
  });
});

describe('the real-execution fault classes and figures', () => {
  it('takes the CLOB classes only with real execution, and paper_fill_failed only with paper', () => {
    expect(parseFaultList('all', false)).not.toContain('clob_rest_errors');
    const real = parseFaultList('all', false, 'real');
    for (const c of CLOB_FAULT_CLASSES) expect(real).toContain(c);
    expect(real).not.toContain('paper_fill_failed');
    expect(() => parseFaultList('clob_matched_failed', false)).toThrow(FaultListError);
    expect(() => parseFaultList('clob_matched_failed', false)).toThrow(/needs --execution real/);
    expect(() => parseFaultList('paper_fill_failed', false, 'real')).toThrow(/needs paper execution/);
  });

  it('arms the CLOB classes in the first interval and heartbeats last, halfway', () => {
    const s = soakSchedule({ duration_ms: 90_000, seed: 7, faults: [...CLOB_FAULT_CLASSES], checkpoint_every_ms: 25_000, kill_every_ms: 240_000 });
    const armed = s.flatMap((a) => (a.kind === 'clob' ? [a] : []));
    expect(armed.map((a) => a.fault)).toEqual([...CLOB_FAULT_CLASSES]);
    for (const a of armed.slice(0, -1)) expect(a.at_ms).toBeLessThan(25_000);
    expect(armed.at(-1)!.at_ms).toBe(45_000);
    // Asked for a moment an order is likely (a planned opportunity), the heartbeats are refused from then, still last.
    const asked = soakSchedule({ duration_ms: 180_000, seed: 7, faults: [...CLOB_FAULT_CLASSES], checkpoint_every_ms: 25_000, kill_every_ms: 240_000, heartbeat_at_ms: 67_500 });
    expect(asked.filter((a) => a.kind === 'clob').at(-1)).toEqual({ at_ms: 67_500, kind: 'clob', fault: 'clob_heartbeat_stop' });
    expect(soakSchedule({ duration_ms: 90_000, seed: 7, faults: ['frame_drop'], checkpoint_every_ms: 25_000, kill_every_ms: 240_000 }).some((a) => a.kind === 'clob')).toBe(false);
  });

  it('fails a real soak on each of its figures, and a paper soak never on them', () => {
    const base = { orders_while_unsynced: 0, orders_while_stale: 0, orders_while_halted: 0, lost_events: 0, duplicate_orders: 0, unhandled_errors: 0, book_mismatches: 0, naked_legs: 0, paper_overfills: 0 } as SoakSummary;
    const real: SoakSummary = { ...base, execution: 'real', orders_while_failed_closed: 0, venue_duplicate_orders: 0, lost_fills: 0, double_counted_fills: 0, position_mismatches: 0 };
    expect(failedFigures(real)).toEqual([]);
    for (const k of REAL_MUST_BE_ZERO) expect(failedFigures({ ...real, [k]: 1 })).toEqual([k]);
    // A real soak that did not measure a figure fails rather than passing on nothing.
    expect(failedFigures({ ...base, execution: 'real' })).toEqual([...REAL_MUST_BE_ZERO]);
    expect(failedFigures({ ...base, execution: 'paper' })).toEqual([]);
  });
});
