import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';

describe('VirtualClock', () => {
  it('fires timers in deadline order, including timers created by earlier timers', () => {
    const clock = new VirtualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => {
      fired.push(['a', clock.now()]);
      clock.setTimeout(() => fired.push(['a+500', clock.now()]), 500);
    }, 1_000);
    clock.setTimeout(() => fired.push(['b', clock.now()]), 1_200);
    clock.advanceTo(10_000);
    // SimulatedClock alone would start the nested timer at 10 000; walking deadlines keeps 2 500.
    expect(fired).toEqual([
      ['a', 2_000],
      ['b', 2_200],
      ['a+500', 2_500],
    ]);
    expect(clock.now()).toBe(10_000);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancels timers and refuses to go back in time', () => {
    const clock = new VirtualClock();
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(h);
    clock.advanceBy(100);
    expect(fired).toBe(false);
    expect(() => clock.advanceTo(50)).toThrow(/back in time/);
  });

  it('drives XState `after` transitions deadline by deadline', () => {
    const machine = setup({ delays: { tick: 1_000 } }).createMachine({
      initial: 'a',
      states: { a: { after: { tick: 'b' } }, b: { after: { tick: 'c' } }, c: { after: { tick: 'd' } }, d: {} },
    });
    const clock = new VirtualClock();
    const seen: Array<[string, number]> = [];
    const actor = createActor(machine, { clock });
    actor.subscribe((s) => seen.push([String(s.value), clock.now()]));
    actor.start();
    clock.advanceTo(10_000);
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1_000],
      ['c', 2_000],
      ['d', 3_000],
    ]);
  });

  it('advanceSettling lets what a timer released through a promise run before the next deadline', async () => {
    // A poll loop that awaits between reads: with a plain jump its next timer starts at the target.
    const run = async (advance: (clock: VirtualClock) => Promise<void>) => {
      const clock = new VirtualClock(0);
      const reads: number[] = [];
      const poll = () =>
        clock.setTimeout(() => {
          reads.push(clock.now());
          void Promise.resolve().then(poll);
        }, 1_000);
      poll();
      await advance(clock);
      return { reads, now: clock.now() };
    };
    expect(await run(async (c) => c.advanceSettling(3_500))).toEqual({ reads: [1_000, 2_000, 3_000], now: 3_500 });
    expect(await run(async (c) => c.advanceTo(3_500))).toEqual({ reads: [1_000], now: 3_500 });
  });
});
