import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { RuntimeTick } from '../../src/runtime/trading/runtime-tick.ts';
import { defaultSections } from './support.ts';

const T0 = 1_000_000;
const DAY_MS = 86_400_000;

/** A tick on virtual time that records when it polled and reconciled; `riskAt` is risk's next timed change. */
function rig(venueChangesOnlyThroughUs: boolean) {
  const clock = new VirtualClock(T0);
  const polls: number[] = [];
  const reconciles: number[] = [];
  let riskAt: number | null = null;
  /** The live markets' fills still pending as a reconciliation sees them, and what each reconciliation asked the venue. */
  const pending = new Map<string, string[]>();
  const asked: Array<[number, string[]]> = [];
  const tick: RuntimeTick = new RuntimeTick({
    clock,
    periodMs: 1000,
    reconcileIntervalMs: 10_000,
    graceMs: 5000,
    venueChangesOnlyThroughUs,
    poll: (now) => {
      polls.push(now);
      if (riskAt !== null && now >= riskAt) riskAt = null;
    },
    nextTimedChange: () => riskAt,
    fillAsks: { afterMs: 30_000, maxPerPass: 5, giveUpAfterMs: 3_600_000 },
    answerGivenUp: () => {},
    answerGivenUpEarlier: () => false,
    reconcile: () => {
      reconciles.push(clock.now());
      tick.reconciled(clock.now());
      asked.push([clock.now(), tick.fillAsksDue(clock.now(), pending)]);
    },
  });
  tick.reconciled(T0);
  tick.start();
  return { clock, tick, polls, reconciles, setRisk: (at: number) => (riskAt = at), pending, asked };
}

/** Where reconciliations fall with a tick every period: the first tick an interval after the last. */
function everyPeriod(from: number, to: number): number[] {
  const out: number[] = [];
  let last = from;
  for (let t = from + 1000; t <= to; t += 1000) if (t - last >= 10_000) out.push((last = t));
  return out;
}

describe('the runtime tick (risk poll, venue reconciliation)', () => {
  it('against a venue that can change behind our back, reconciles every interval, whatever happens', () => {
    const r = rig(false);
    r.clock.advanceTo(T0 + 3_600_000);
    expect(r.reconciles).toEqual(everyPeriod(T0, T0 + 3_600_000));
  });

  it('against the paper venue, sleeps through days without activity and reconciles on the same instants once things happen', () => {
    const r = rig(true);
    r.clock.advanceTo(T0 + 3 * DAY_MS);
    // Nothing happened since the start's reconciliation (which sent nothing): none is due again.
    expect(r.reconciles).toEqual([]);
    expect(r.polls.length).toBeLessThan(10);
    // Activity (an order going out) at an odd time: the reconciliations that follow fall where a tick every period puts them.
    const busy = T0 + 3 * DAY_MS + 4_321;
    r.clock.advanceTo(busy);
    r.tick.touch();
    r.clock.advanceTo(busy + 60_000);
    const chain = everyPeriod(T0, busy + 60_000).filter((t) => t > busy);
    // Those until the activity is older than the grace at a reconciliation that ran, and not one more.
    expect(r.reconciles).toEqual(chain.filter((t) => t <= chain.find((c) => c - 5000 > busy)!));
  });

  it('while quiet, polls risk exactly at the first tick its next timed change is due', () => {
    const r = rig(true);
    r.clock.advanceTo(T0 + 60_000);
    r.setRisk(T0 + 3_600_000 + 250);
    // The change was made by activity (a trip on a reject), which touches.
    r.tick.touch();
    r.clock.advanceTo(T0 + DAY_MS);
    // After the tick that follows the activity: the reconciliation it made due, then risk's change.
    expect(r.polls.filter((t) => t > T0 + 62_000)).toEqual([T0 + 70_000, T0 + 3_601_000]);
  });

  it('against the paper venue, wakes for the first reconciliation due once a live market\'s fill is to be asked of the venue, again each interval while it stays pending', () => {
    const r = rig(true);
    r.clock.advanceTo(T0 + 3_600_000 + 4_250);
    expect(r.reconciles).toEqual([]);
    // A reconciliation outside the tick (after a market restarted) sees a fill pending: it is asked 30 s on, at the next reconciliation's instant.
    r.pending.set('m1', ['f1']);
    expect(r.tick.fillAsksDue(r.clock.now(), r.pending)).toEqual([]);
    r.clock.advanceTo(T0 + 3_650_000);
    expect(r.asked).toEqual([
      [T0 + 3_640_000, ['f1']],
      [T0 + 3_650_000, ['f1']],
    ]);
    // Answered: the tick sleeps again.
    r.pending.clear();
    r.clock.advanceTo(T0 + DAY_MS);
    expect(r.reconciles).toEqual([T0 + 3_640_000, T0 + 3_650_000, T0 + 3_660_000]);
  });
});

describe('risk’s next timed change', () => {
  it('is a breaker’s cool-down end, and the next UTC day after a daily-loss kill', () => {
    const cfg = defaultSections().risk;
    const risk = new RiskEngine(cfg);
    expect(risk.nextTimedChange()).toBeNull();
    for (let i = 0; i < cfg.breakers.max_consecutive_rejects; i++) risk.onReject('m1', T0);
    expect(risk.nextTimedChange()).toBe(T0 + cfg.cool_down_ms);
    risk.poll(T0 + cfg.cool_down_ms - 1);
    expect(risk.nextTimedChange()).toBe(T0 + cfg.cool_down_ms);
    risk.poll(T0 + cfg.cool_down_ms);
    expect(risk.nextTimedChange()).toBeNull();
    risk.onPnl(0, T0);
    risk.onPnl(-cfg.daily_loss_limit_usdc - 1, T0);
    expect(risk.state).toBe('HALTED');
    expect(risk.nextTimedChange()).toBe(DAY_MS);
  });
});
