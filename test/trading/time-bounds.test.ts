import { describe, expect, it } from 'vitest';
import { haltCauses } from '../../src/domain/trading/halt-causes.ts';
import type { MarketStateName } from '../../src/domain/trading/market-states.ts';
import { newOrderRecord, type OrderRecord } from '../../src/domain/trading/orders.ts';
import { emptyLedger, type Ledger } from '../../src/domain/trading/pnl-ledger.ts';
import { plan } from '../../src/domain/trading/plan.ts';
import { policyFromTruth } from '../../src/domain/trading/policy.ts';
import { emptySignals, type MarketSignals } from '../../src/domain/trading/signals.ts';
import { firstChangeOnGrid, timeChangesDecision, type TimedMarketView } from '../../src/domain/trading/time-bounds.ts';
import { book, bookSignal, defaultSections, spec, truthSignal } from './support.ts';

const cfg = defaultSections().trading;
const T0 = 1_000_000;

interface Scenario extends TimedMarketView {
  state: MarketStateName;
  ledger: Ledger;
}

function haltAt(m: Scenario, nowMs: number): readonly string[] {
  return haltCauses(m.spec as ReturnType<typeof spec>, m.signals as MarketSignals, [], cfg, nowMs);
}

/** The market as it stands after deciding at `nowMs`: holding the halt causes of that time. */
function decidedAt(m: Scenario, nowMs: number): Scenario {
  return { ...m, halt: haltAt(m, nowMs) };
}

/** What a decision at `nowMs` concludes: the halt causes, then the plan taken with them. */
function decisionAt(m: Scenario, nowMs: number): string {
  const halt = haltAt(m, nowMs);
  const p = plan({ state: m.state, spec: m.spec as ReturnType<typeof spec>, signals: m.signals as MarketSignals, ledger: m.ledger, orders: { ...m.orders }, seq: 10, synced: true, finalizing: false, awaitBook: false, haltCauses: halt, nowMs, nakedSinceMs: m.nakedSinceMs, entriesHeldUntilMs: m.entriesHeldUntilMs, cfg });
  return JSON.stringify({ halt, p });
}

/**
 * Walks time in steps as the watchdog pulses do, deciding again only where `timeChangesDecision`
 * says time changed something: every step it lets pass must decide exactly as the last decision.
 * Returns how many decisions it asked for (each found a real change or was conservative).
 */
function walk(m: Scenario, untilMs: number, stepMs: number): { asked: number; changed: number } {
  let from = T0;
  let last = decisionAt(m, from);
  let asked = 0;
  let changed = 0;
  for (let t = T0 + stepMs; t <= untilMs; t += stepMs) {
    const now = decisionAt(m, t);
    if (!timeChangesDecision(decidedAt(m, from), from, t)) {
      expect(now, `skipped at +${t - T0} ms`).toBe(last);
      continue;
    }
    asked++;
    if (now !== last) changed++;
    from = t;
    last = now;
  }
  return { asked, changed };
}

function signals(over: Partial<MarketSignals>): MarketSignals {
  return { ...emptySignals(), books: { Y: bookSignal('Y', book([[0.6, 50]], [[0.62, 50]]), T0), N: bookSignal('N', book([[0.36, 50]], [[0.38, 50]]), T0 + 2000) }, ...over };
}

function restingOrder(placedAt: number): Record<string, OrderRecord> {
  const o = newOrderRecord({ kind: 'place', client_order_id: 'm1-tp-9', market_id: 'm1', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.6, size: 5, strategy: 'temporal', expires_at_ms: null }, placedAt);
  return { [o.client_order_id]: { ...o, status: 'open' } };
}

describe('time alone changing a decision (what the watchdog pulses for)', () => {
  it("a decision it calls unchanged is unchanged: books and truth aging, a policy expiring, an order overstaying, a halt's cool-down ending", () => {
    const policy = policyFromTruth(truthSignal('live', 0.7), { Y: 'teamA', N: 'teamB' }, { edge_threshold: 0.5, max_order_usdc: 5, max_position_usdc: 5, ttl_ms: 4_000 }, T0);
    const scenarios: Scenario[] = [
      { state: 'IDLE', spec: spec(), signals: signals({ policy, truth: { payload: truthSignal('live', 0.7), ts_ms: T0 + 500 } }), orders: {}, nakedSinceMs: null, halt: [], entriesHeldUntilMs: null, cfg, ledger: emptyLedger() },
      { state: 'TEMPORAL_ACTIVE', spec: spec(), signals: signals({ policy }), orders: restingOrder(T0 + 1_250), nakedSinceMs: null, halt: [], entriesHeldUntilMs: null, cfg, ledger: emptyLedger() },
      // Out of a halt early (a naked leg closed), held back until its cool-down ends mid-walk.
      { state: 'IDLE', spec: spec(), signals: signals({ policy, truth: { payload: truthSignal('live', 0.7), ts_ms: T0 + 500 } }), orders: {}, nakedSinceMs: null, halt: [], entriesHeldUntilMs: T0 + 7_500, cfg, ledger: emptyLedger() },
      { state: 'IDLE', spec: spec({ fair_source: { kind: 'nowcast', station_id: 'KNYC', bucket_label: '80-81', date: '2025-07-15' } as never }), signals: signals({}), orders: {}, nakedSinceMs: T0, halt: [], entriesHeldUntilMs: null, cfg, ledger: emptyLedger() },
    ];
    let changed = 0;
    for (const m of scenarios) {
      // 1 s pulses and odd steps that land between the bounds alike.
      for (const step of [1000, 333]) {
        const r = walk(m, T0 + 60_000, step);
        // It asks only when something may change: a handful of times in a minute, not at every step.
        expect(r.asked).toBeLessThanOrEqual(6);
        changed += r.changed;
      }
    }
    // Not vacuous: time did change decisions (books and truth grew stale, the policy expired, the order overstayed).
    expect(changed).toBeGreaterThanOrEqual(10);
    // Where a sleeping watchdog wakes: the first grid point a scan finds, for grids through and off the bounds.
    for (const m of scenarios) {
      for (const [origin, period] of [[T0, 1000], [T0 - 7, 333], [T0 + 1, 4096]] as const) {
        for (const from of [T0, T0 + 4_000, T0 + 12_345]) {
          let scan = origin + (Math.floor((from - origin) / period) + 1) * period;
          const held = decidedAt(m, from);
          while (scan < from + 3_600_000 && !timeChangesDecision(held, from, scan)) scan += period;
          const found = firstChangeOnGrid(held, from, origin, period);
          expect(found, `grid ${origin}+k×${period} from +${from - T0}`).toBe(scan < from + 3_600_000 ? scan : null);
        }
      }
    }
  });

  it('nothing that ages, nothing to ask: a market with no inputs and no orders never needs a pulse', () => {
    const m: Scenario = { state: 'IDLE', spec: spec(), signals: emptySignals(), orders: {}, nakedSinceMs: null, halt: [], entriesHeldUntilMs: null, cfg, ledger: emptyLedger() };
    expect(timeChangesDecision(m, T0, T0 + 3 * 86_400_000)).toBe(false);
  });
});
