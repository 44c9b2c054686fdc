import { describe, expect, it } from 'vitest';
import { PacedClock } from '../../src/adapters/clock/paced-clock.ts';

const START = 1_000_000;

/** A clock paced by a real time the test moves by hand; the interval is not left running (the test ticks). */
function pacedClock(speed: number, opts: { budgetMs?: number } = {}) {
  const real = { ms: 0 };
  const clock = new PacedClock(START, speed, { tickMs: 10, budgetMs: opts.budgetMs, realNow: () => real.ms });
  clock.startPacing();
  clock.stopPacing();
  return { clock, real };
}

/** A timer every virtual ms whose work costs `costMs` of real time, as simulated flow at a high speed does. */
function everyVirtualMs(clock: PacedClock, real: { ms: number }, cost: { ms: number }): { fired: number } {
  const count = { fired: 0 };
  const fire = () => {
    count.fired++;
    real.ms += cost.ms;
    clock.setTimeout(fire, 1);
  };
  clock.setTimeout(fire, 1);
  return count;
}

describe('PacedClock', () => {
  it('hands the event loop back once an advance has spent its budget of real time; the clock falls behind, then catches up', () => {
    const { clock, real } = pacedClock(1_000, { budgetMs: 5 });
    const cost = { ms: 1 };
    const timers = everyVirtualMs(clock, real, cost);
    real.ms = 10;
    clock.tick();
    // 10 real ms at 1000× is 10 000 virtual ms of timers, 10 real s of work: five fit the budget.
    expect(timers.fired).toBe(5);
    expect(clock.now()).toBe(START + 5);
    expect(clock.lagMs()).toBeGreaterThan(9_000);
    cost.ms = 0;
    clock.tick();
    expect(clock.now()).toBe(START + real.ms * 1_000);
    expect(clock.lagMs()).toBe(0);
  });

  it('reports the lag its latest advance left, not the fraction of a tick any clock trails between two advances', () => {
    const { clock, real } = pacedClock(1_000);
    real.ms = 10;
    clock.tick();
    expect(clock.now()).toBe(START + 10_000);
    // 5 real ms into the next tick at 1000×: a clock keeping its pace, not 5 000 ms behind it.
    real.ms = 15;
    expect(clock.lagMs()).toBe(0);
  });

  it('paced to a shared timeline: aims at the timeline\'s now, and its lag is measured against it, also while held', () => {
    const { clock, real } = pacedClock(1_000, { budgetMs: 5 });
    const timeline = { now: START };
    clock.startPacing(() => timeline.now);
    clock.stopPacing();
    // The timeline runs on (the other processes' pace) while this process's own real time barely moves.
    timeline.now = START + 60_000;
    real.ms = 1;
    clock.tick();
    expect(clock.now()).toBe(START + 60_000);
    expect(clock.lagMs()).toBe(0);

    const cost = { ms: 1 };
    const timers = everyVirtualMs(clock, real, cost);
    timeline.now = START + 70_000;
    clock.tick();
    expect(timers.fired).toBe(5);
    expect(clock.lagMs()).toBe(70_000 - 60_005);

    let held = true;
    clock.holdWhile(() => held);
    timeline.now = START + 80_000;
    clock.tick();
    expect(clock.lagMs()).toBe(80_000 - 60_005);

    // Caught up without jumping: every timer owed fires, each at its own virtual time.
    held = false;
    cost.ms = 0;
    clock.tick();
    expect(clock.now()).toBe(START + 80_000);
    expect(timers.fired).toBe(80_000 - 60_000);
    expect(clock.lagMs()).toBe(0);
  });

  it('stands still while held, and stops an advance at the timer after which the hold begins', () => {
    const { clock, real } = pacedClock(1_000);
    const timers = everyVirtualMs(clock, real, { ms: 0 });
    let held = true;
    clock.holdWhile(() => held || timers.fired >= 3);
    real.ms = 10;
    clock.tick();
    expect(clock.now()).toBe(START);
    expect(timers.fired).toBe(0);
    held = false;
    clock.tick();
    expect(timers.fired).toBe(3);
    expect(clock.now()).toBe(START + 3);
  });
});
