import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventWindowManager, type WindowRules } from '../../src/domain/storage/windows.ts';
import { EventWindowManager as ReferenceWindows } from '../support/reference/windows.ts';
import { WINDOW_DEFAULTS } from './support/recorder.ts';
import { T0 } from './support/synthetic.ts';

/**
 * The window manager against the one it replaced (kept in test/support/reference): the same
 * transitions, the same window for every event and the same open windows, for any stream of book,
 * weather and QC events over a few tokens and markets, with time moving by events and by `advance`.
 */
const RULES: WindowRules = { ...WINDOW_DEFAULTS, shock_ticks: 2, shock_lookback_ms: 400, shock_ms: 900, spread_regime_ms: 700, depth_cliff_ms: 500, metar_ms: 1_200, qc_outlier_ms: 800 };

// Near one another: whether a move passes shock_ticks depends on which mid is the reference.
const price = fc.option(fc.integer({ min: 46, max: 54 }).map((c) => c / 100), { nil: null, freq: 6 });
const ids = fc.record({ token_id: fc.option(fc.constantFrom('t1', 't2', 't3'), { nil: undefined, freq: 5 }), market_id: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }) });
const levels = fc.array(fc.tuple(fc.integer({ min: 1, max: 99 }).map((c) => c / 100), fc.integer({ min: 0, max: 500 })), { maxLength: 6 });

type Step = { dt: number; advanceOnly: boolean; event: Omit<HeliosEvent, 'ts_ingest'> };

const step: fc.Arbitrary<Step> = fc.record({
  // Bursts on one time (rings that grow), steps that land exactly on the lookback, long gaps.
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 }), fc.constantFrom(100, 200, 400), fc.integer({ min: 0, max: 2_000 })),
  advanceOnly: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  event: fc.oneof(
    fc.tuple(ids, price, price, fc.constantFrom('L2_DELTA', 'BEST_PRICE')).map(([m, bid, ask, type]) => ({ ...m, type, payload: { best_bid: bid, best_ask: ask } })),
    fc.tuple(ids, price, levels, levels, fc.constantFrom(0.01, 0.001)).map(([m, mid, bids, asks, tick]) => ({
      ...m,
      type: 'L2_SNAPSHOT',
      payload: { tick_size: tick, mid, spread: mid === null ? null : 0.02, bids, asks },
    })),
    fc.tuple(ids, fc.constantFrom(0.01, 0.001)).map(([m, tick]) => ({ ...m, type: 'TICK_SIZE_CHANGE', payload: { new_tick_size: tick } })),
    fc.constant({ station_id: 'KLGA', type: 'METAR_OBS', payload: {} }),
    fc.constantFrom('outlier_likely', 'ok').map((state) => ({ station_id: 'KLGA', type: 'QC_STATE', payload: { state, previous: state === 'ok' ? 'outlier_likely' : 'ok' } })),
    fc.tuple(ids).map(([m]) => ({ ...m, type: 'TRADE', payload: {} })),
  ) as fc.Arbitrary<Omit<HeliosEvent, 'ts_ingest'>>,
});

describe('event windows: the same as the implementation they replaced', () => {
  it('transitions, each event\'s window and the open windows agree for any stream', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), (steps) => {
        const now = new EventWindowManager(RULES);
        const ref = new ReferenceWindows(RULES);
        let t = T0;
        let n = 0;
        for (const s of steps) {
          t += s.dt;
          if (s.advanceOnly) {
            expect(now.advance(t)).toEqual(ref.advance(t));
            continue;
          }
          const event = { ...s.event, event_id: `e${++n}`, correlation_id: `c${n}`, ts_ingest: t } as unknown as HeliosEvent;
          expect(now.observe(event, t)).toEqual(ref.observe(event, t));
          expect(now.windowFor(event)).toEqual(ref.windowFor(event));
        }
        expect(now.active()).toEqual(ref.active());
        expect(now.closeAll(t + 1)).toEqual(ref.closeAll(t + 1));
        expect(now.windowFor({ token_id: 't1', market_id: 'm1' } as HeliosEvent)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('one busy token: long bursts inside the lookback and steps landing exactly on it agree too', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            // Mostly the same or the next few milliseconds (a token's ring grows past its first 16), sometimes the lookback exactly.
            fc.oneof({ weight: 12, arbitrary: fc.constantFrom(0, 1, 5) }, { weight: 1, arbitrary: fc.constantFrom(100, 399, 400, 401) }),
            fc.integer({ min: 45, max: 55 }),
          ),
          { minLength: 20, maxLength: 400 },
        ),
        (steps) => {
          const now = new EventWindowManager(RULES);
          const ref = new ReferenceWindows(RULES);
          let t = T0;
          steps.forEach(([dt, c], n) => {
            t += dt;
            const event = { type: 'BEST_PRICE', token_id: 't1', event_id: `e${n}`, correlation_id: `c${n}`, ts_ingest: t, payload: { best_bid: c / 100, best_ask: (c + 1) / 100 } } as unknown as HeliosEvent;
            expect(now.observe(event, t)).toEqual(ref.observe(event, t));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
