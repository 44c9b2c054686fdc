import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, setup, type AnyActorRef } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingNode } from '../../src/runtime/trading/trading-node.ts';
import { spec } from '../trading/support.ts';
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
  const notData: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'function') notData.push(`${at}: function`);
    else if (v && typeof v === 'object') {
      // A class instance (a book, a clock) is live state behind methods, not data, even when its fields survive JSON.
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) notData.push(`${at}: ${(v as object).constructor.name}`);
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    }
  };
  walk(context, 'context');
  expect(notData).toEqual([]);
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
    const group = createActor(createMarketGroupMachine({ supervision: config.trading.supervision, market: noop, respawnInput: (_i, l) => l, watchdogMs: 1000 }), { clock: new VirtualClock(0), input: { group_id: 'g', now_ms: 0 } }).start();
    expectPlain(group);
    group.stop();
  });

  it('market trading, fed books from the bus by the trading node (the books are values, not the mirror\'s L2Book)', async () => {
    const T0 = 1_700_000_000_000;
    const clock = new VirtualClock(T0);
    const events = new EventFactory(clock, ulidGenerator(seededRng(5)));
    const market = spec({ strategies: { pair_arb: true, temporal: false } });
    const node = new TradingNode({
      config,
      clock,
      sink: new CollectingSink(),
      events,
      markets: [{ spec: market, match_id: null, station_id: null }],
      onError: (err) => {
        throw err;
      },
    });
    await node.start();
    for (const token of [market.yes_token, market.no_token]) {
      const payload = { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.4, 50]], asks: [[0.6, 50]], best_bid: 0.4, best_ask: 0.6, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
      node.emit(events.make('L2_SNAPSHOT', payload as never, { market_id: market.market_id, token_id: token }));
    }
    await node.drained();
    const actor = node.runtime.marketRef(market.market_id)!;
    expect(Object.keys((actor.getSnapshot().context as { signals: { books: object } }).signals.books).sort()).toEqual([market.no_token, market.yes_token].sort());
    expectPlain(actor);
    await node.finish();
  });
});
