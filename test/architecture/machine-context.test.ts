import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, setup, type AnyActorRef } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { feedTimingsFrom } from '../../src/machines/feed-connection/context.ts';
import { feedConnectionMachine } from '../../src/machines/feed-connection/feed-connection.machine.ts';
import { createMarketGroupMachine } from '../../src/machines/market-group/market-group.machine.ts';
import { supervisorMachine } from '../../src/machines/supervisor/supervisor.machine.ts';
import { systemMachine } from '../../src/machines/system/system.machine.ts';

/**
 * Machine context is plain data: the inspector serialises it, a snapshot must survive JSON. No
 * clock, no function, no RNG closure: time and configuration come through input and events.
 */
function expectPlain(actor: AnyActorRef): void {
  const context = actor.getSnapshot().context as Record<string, unknown>;
  const functions: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'function') functions.push(at);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(context, 'context');
  expect(functions).toEqual([]);
  expect(JSON.parse(JSON.stringify(context))).toEqual(context);
}

const { config } = loadConfig({ env: {} });
const policy = config.daemon.restart;

describe('machine context is plain data', () => {
  it('system root and supervisors', () => {
    const clock = new VirtualClock(0);
    const never = fromPromise<void, { name: string }>(() => new Promise<void>(() => {}));
    const sys = createActor(systemMachine.provide({ actors: { supervisor: supervisorMachine.provide({ actors: { child: never } }) } }), { clock, input: { components: ['a'], policy } }).start();
    expectPlain(sys);
    for (const child of Object.values(sys.getSnapshot().children)) expectPlain(child as AnyActorRef);
    sys.stop();
  });

  it('feed connection (its backoff jitter is a seed and a state number, not a generator)', () => {
    const actor = createActor(feedConnectionMachine, { clock: new VirtualClock(0), input: { timings: feedTimingsFrom(config.market_tape), jitterSeed: 7 } });
    expectPlain(actor);
  });

  it('market group (restart intensity counted with timers, not timestamps)', () => {
    const noop = setup({}).createMachine({});
    const group = createActor(createMarketGroupMachine({ supervision: config.trading.supervision, market: noop, respawnInput: (_i, l) => l, watchdogMs: 1000 }), { clock: new VirtualClock(0), input: { group_id: 'g' } }).start();
    expectPlain(group);
    group.stop();
  });
});
