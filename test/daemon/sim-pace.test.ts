import { describe, expect, it } from 'vitest';
import { PacedClock } from '../../src/adapters/clock/paced-clock.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { SimPaceWatch } from '../../src/apps/daemon/sim-pace.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';

const START = Date.UTC(2026, 0, 29, 17);
const MAX_LAG_MS = 5_000;
const CAUGHT_UP_LAG_MS = 1_000;

/**
 * A scale-out process's simulated clock paced to a shared timeline the test moves by hand, with a
 * timer every virtual ms whose work costs `cost.ms` of the process's real time (also moved by hand):
 * at 1 real ms per timer the 5 ms budget of an advance fires five, and the clock falls behind.
 */
function laggingProcess() {
  const real = { ms: 0 };
  const timeline = { now: START };
  const cost = { ms: 0 };
  const clock = new PacedClock(START, 1_000, { tickMs: 10, budgetMs: 5, realNow: () => real.ms });
  clock.startPacing(() => timeline.now);
  clock.stopPacing();
  const fire = () => {
    real.ms += cost.ms;
    clock.setTimeout(fire, 1);
  };
  clock.setTimeout(fire, 1);
  const metrics = createMetrics();
  const sink = new CollectingSink();
  const watch = new SimPaceWatch({
    lagMs: () => clock.lagMs(),
    maxLagMs: MAX_LAG_MS,
    caughtUpLagMs: CAUGHT_UP_LAG_MS,
    metrics,
    factory: new EventFactory(clock, ulidGenerator(seededRng(3))),
    sink: () => sink,
  });
  /** The timeline moves `ms` on; the process ticks its clock, then its health loop checks. */
  const advance = (ms: number) => {
    timeline.now += ms;
    clock.tick();
    watch.check();
  };
  const alerts = () => sink.events.flatMap((e) => (e.type === 'ALERT' ? [{ severity: e.payload.severity, code: e.payload.code }] : []));
  const gauge = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0]?.value;
  return { clock, cost, watch, advance, alerts, gauge };
}

describe('a simulated process that cannot keep its --speed (daemon.sim.max_lag_ms)', () => {
  it('says how far behind the shared timeline it is, alerts once when past max_lag_ms, and once more when caught up', async () => {
    const p = laggingProcess();
    p.advance(3_000);
    expect(p.watch.report()).toEqual({ lag_ms: 0, max_lag_ms: MAX_LAG_MS, caught_up_lag_ms: CAUGHT_UP_LAG_MS, behind: false, worst_lag_ms: 0 });
    expect(await p.gauge('sim_clock_max_lag_ms')).toBe(MAX_LAG_MS);

    // Work now costs 1 real ms per virtual ms: each advance gets 5 virtual ms done of the timeline's 4 000.
    p.cost.ms = 1;
    p.advance(4_000);
    expect(p.clock.lagMs()).toBe(4_000 - 5);
    expect(p.alerts()).toEqual([]);
    p.advance(4_000);
    expect(p.clock.lagMs()).toBe(8_000 - 10);
    expect(await p.gauge('sim_clock_lag_ms')).toBe(8_000 - 10);
    expect(p.watch.report()).toMatchObject({ lag_ms: 8_000 - 10, behind: true, worst_lag_ms: 8_000 - 10 });
    expect(p.alerts()).toEqual([{ severity: 'warn', code: 'SIM_CLOCK_BEHIND' }]);
    // Further behind: no alert per check.
    p.advance(4_000);
    p.advance(4_000);
    expect(p.alerts()).toHaveLength(1);

    // The work gets cheap again: the clock fires every timer it owes and is back on the timeline.
    p.cost.ms = 0;
    p.advance(10);
    expect(p.clock.lagMs()).toBe(0);
    expect(await p.gauge('sim_clock_lag_ms')).toBe(0);
    expect(p.watch.report()).toMatchObject({ lag_ms: 0, behind: false, worst_lag_ms: 16_000 - 20 });
    expect(p.alerts()).toEqual([
      { severity: 'warn', code: 'SIM_CLOCK_BEHIND' },
      { severity: 'info', code: 'SIM_CLOCK_CAUGHT_UP' },
    ]);
  });

  it('does not alert again for a lag wobbling around max_lag_ms: caught up means back within caught_up_lag_ms', () => {
    const lag = { ms: 0 };
    const sink = new CollectingSink();
    const clock = new PacedClock(START, 1);
    const watch = new SimPaceWatch({ lagMs: () => lag.ms, maxLagMs: MAX_LAG_MS, caughtUpLagMs: CAUGHT_UP_LAG_MS, metrics: createMetrics(), factory: new EventFactory(clock, ulidGenerator(seededRng(3))), sink: () => sink });
    for (const ms of [MAX_LAG_MS, MAX_LAG_MS + 1, MAX_LAG_MS - 1, MAX_LAG_MS + 1, CAUGHT_UP_LAG_MS + 1, MAX_LAG_MS + 1]) {
      lag.ms = ms;
      watch.check();
    }
    expect(sink.events.map((e) => e.type === 'ALERT' && e.payload.code)).toEqual(['SIM_CLOCK_BEHIND']);
    lag.ms = CAUGHT_UP_LAG_MS;
    watch.check();
    lag.ms = MAX_LAG_MS;
    watch.check();
    expect(sink.events.map((e) => e.type === 'ALERT' && e.payload.code)).toEqual(['SIM_CLOCK_BEHIND', 'SIM_CLOCK_CAUGHT_UP']);
  });
});
