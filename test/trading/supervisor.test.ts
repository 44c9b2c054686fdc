import { describe, expect, it } from 'vitest';
import { createActor, setup, type Actor, type AnyActorRef } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createMarketGroupMachine, type MarketGroupMachine } from '../../src/machines/market-group/market-group.machine.ts';
import type { MarketTradingInput } from '../../src/machines/market-trading/context.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { policyFromTruth } from '../../src/domain/trading/policy.ts';
import { book, bookSignal, defaultSections, spec, truthSignal } from './support.ts';

const cfg = defaultSections();

/** A real market machine whose dispatch throws while `crashing.on` (a bug in one market). */
function crashingMarket() {
  const crashing = { on: true };
  const market = marketTradingMachine.provide({
    actions: {
      dispatch: (_a, p) => {
        if (crashing.on && p.intents.length) throw new Error('boom');
      },
    },
  });
  return { market, crashing };
}

describe('market group supervisor', () => {
  it('restarts a crashed market with exponential backoff, gives up past the restart intensity, spares siblings', () => {
    const clock = new VirtualClock(1_000_000);
    // A bug in one market must not take the group down.
    const { market } = crashingMarket();
    const respawns: MarketTradingInput[] = [];
    const group = createActor(
      createMarketGroupMachine({
        supervision: { ...cfg.trading.supervision, restart_backoff_min_ms: 100, restart_backoff_max_ms: 1000, max_restarts: 2, restart_window_ms: 60_000 },
        market,
        watchdogMs: 1000,
        respawnInput: (_id, last) => {
          const next = { ...last, seq_start: (last.seq_start ?? 0) + 100 };
          respawns.push(next);
          return next;
        },
      }),
      { clock, input: { group_id: 'g0', now_ms: clock.now() } },
    );
    const emitted: string[] = [];
    group.on('*', (e) => emitted.push(`${e.type}:${e.market_id}${'delay_ms' in e ? `:${e.delay_ms}` : ''}`));
    group.start();
    group.send({ type: 'ADD_MARKET', input: { spec: spec({ market_id: 'bad', strategies: { pair_arb: true, temporal: false } }), cfg: cfg.trading, now_ms: clock.now(), synced: true } });
    group.send({ type: 'ADD_MARKET', input: { spec: spec({ market_id: 'good', strategies: { pair_arb: false, temporal: false } }), cfg: cfg.trading, now_ms: clock.now(), synced: true } });
    const child = (id: string) => group.getSnapshot().children[id] as AnyActorRef | undefined;
    const poke = () => {
      const b = book([[0.44, 100]], [[0.45, 100]]);
      child('bad')?.send({ type: 'BOOK', signal: bookSignal('Y', b, clock.now()), now_ms: clock.now() });
      child('bad')?.send({ type: 'BOOK', signal: bookSignal('N', b, clock.now()), now_ms: clock.now() });
    };
    poke();
    expect(child('bad')).toBeUndefined();
    expect(emitted).toEqual(['MARKET_RESTARTING:bad:100']);
    clock.advanceBy(100);
    expect(child('bad')).toBeDefined();
    expect(respawns[0]!.seq_start).toBe(100);
    poke();
    clock.advanceBy(200);
    poke();
    expect(emitted).toEqual(['MARKET_RESTARTING:bad:100', 'MARKET_RESTARTED:bad', 'MARKET_RESTARTING:bad:200', 'MARKET_RESTARTED:bad', 'MARKET_DOWN:bad']);
    expect(child('bad')).toBeUndefined();
    expect(group.getSnapshot().context.down).toEqual(['bad']);
    expect(group.getSnapshot().status).toBe('active');
    expect(child('good')?.getSnapshot().value).toBe('IDLE');
    group.stop();
  });

  it('one group timer pulses its markets, so a silent feed is noticed without a timer per market', () => {
    const clock = new VirtualClock(1_000_000);
    const market = marketTradingMachine;
    const group = createActor(createMarketGroupMachine({ supervision: cfg.trading.supervision, market, respawnInput: (_i, l) => l, watchdogMs: 1000 }), { clock, input: { group_id: 'g', now_ms: clock.now() } });
    group.start();
    group.send({ type: 'ADD_MARKET', input: { spec: spec(), cfg: cfg.trading, now_ms: clock.now(), synced: true, watchdog: 'parent' } });
    const ref = group.getSnapshot().children.m1 as AnyActorRef;
    ref.send({ type: 'BOOK', signal: bookSignal('Y', book([[0.4, 10]], [[0.6, 10]]), clock.now()), now_ms: clock.now() });
    expect(clock.pendingTimers()).toBe(1);
    clock.advanceBy(cfg.trading.staleness.book_stale_ms + 1000);
    expect(ref.getSnapshot().value).toBe('HALT');
    expect(ref.getSnapshot().context.halt).toEqual(['stale_book']);
    group.stop();
  });

  it('over days without input, markets are pulsed only when time alone changes their decision, and still halt on time', () => {
    const clock = new VirtualClock(1_000_000);
    let watchdogs = 0;
    // Every event the group itself takes other than its two markets: its pulses, however it schedules them.
    let groupEvents = 0;
    const group: Actor<MarketGroupMachine> = createActor(createMarketGroupMachine({ supervision: cfg.trading.supervision, market: marketTradingMachine, respawnInput: (_i, l) => l, watchdogMs: 1000 }), {
      clock,
      input: { group_id: 'g', now_ms: clock.now() },
      inspect: (e) => {
        if (e.type === '@xstate.event' && e.event.type === 'WATCHDOG') watchdogs++;
        if (e.type === '@xstate.event' && e.actorRef === group && !['xstate.init', 'ADD_MARKET'].includes(e.event.type)) groupEvents++;
      },
    });
    group.start();
    for (const id of ['m1', 'm2']) group.send({ type: 'ADD_MARKET', input: { spec: spec({ market_id: id }), cfg: cfg.trading, now_ms: clock.now(), synced: true, watchdog: 'parent' } });
    const refs = ['m1', 'm2'].map((id) => group.getSnapshot().children[id] as AnyActorRef);
    for (const ref of refs) ref.send({ type: 'BOOK', signal: bookSignal('Y', book([[0.4, 10]], [[0.6, 10]]), clock.now()), now_ms: clock.now() });
    // A resolved market takes no pulse, though its last policy expires later: it must not keep the group pulsing.
    group.send({ type: 'ADD_MARKET', input: { spec: spec({ market_id: 'done' }), cfg: cfg.trading, now_ms: clock.now(), synced: true, watchdog: 'parent' } });
    const done = group.getSnapshot().children.done as AnyActorRef;
    const policy = policyFromTruth(truthSignal('live', 0.7), { Y: 'teamA', N: 'teamB' }, { edge_threshold: 0.05, max_order_usdc: 5, max_position_usdc: 5, ttl_ms: 5_000 }, clock.now())!;
    done.send({ type: 'POLICY', policy, now_ms: clock.now() });
    done.send({ type: 'MARKET_RESOLVED', winning_token_id: 'Y', now_ms: clock.now() });
    expect(done.getSnapshot().value).toBe('RESOLVED');
    const stale = cfg.trading.staleness.book_stale_ms;
    // The first pulse past the staleness bound halts them, exactly when a pulse to every market every period did.
    clock.advanceBy(stale);
    expect(refs.map((r) => r.getSnapshot().value)).toEqual(['IDLE', 'IDLE']);
    clock.advanceBy(1000);
    expect(refs.map((r) => r.getSnapshot().value)).toEqual(['HALT', 'HALT']);
    expect(refs.map((r) => r.getSnapshot().context.halt)).toEqual([['stale_book'], ['stale_book']]);
    // Three days on: a pulse every period would be 259,200 group transitions and 2 × 259,200 WATCHDOG ones.
    clock.advanceBy(3 * 86_400_000);
    expect(watchdogs).toBe(2);
    // The first finds nothing due and sleeps to the staleness bound; the one after the halt finds nothing ever due.
    expect(groupEvents).toBe(3);
    expect(group.getSnapshot().context.next_pulse_ms).toBeNull();
    expect(clock.pendingTimers()).toBe(0);
    // A fresh book (the runtime wakes the group with each event to a market) ends the halt, and its staleness is noticed as before.
    group.send({ type: 'WAKE', now_ms: clock.now() });
    refs[0]!.send({ type: 'BOOK', signal: bookSignal('Y', book([[0.4, 10]], [[0.6, 10]]), clock.now()), now_ms: clock.now() });
    expect(group.getSnapshot().context.next_pulse_ms).toBe(clock.now() + 1000);
    expect(refs[0]!.getSnapshot().value).toBe('IDLE');
    clock.advanceBy(stale + 1000);
    expect(refs.map((r) => r.getSnapshot().value)).toEqual(['HALT', 'HALT']);
    group.stop();
  });

  it('a market whose input aged just before an order event halts at that event, not only at the next pulse', () => {
    const clock = new VirtualClock(1_000_000);
    const group = createActor(createMarketGroupMachine({ supervision: cfg.trading.supervision, market: marketTradingMachine, respawnInput: (_i, l) => l, watchdogMs: 1000 }), {
      clock,
      input: { group_id: 'g', now_ms: clock.now() },
    });
    group.start();
    group.send({ type: 'ADD_MARKET', input: { spec: spec(), cfg: cfg.trading, now_ms: clock.now(), synced: true, watchdog: 'parent' } });
    const ref = group.getSnapshot().children['m1'] as AnyActorRef;
    ref.send({ type: 'BOOK', signal: bookSignal('Y', book([[0.4, 10]], [[0.6, 10]]), clock.now()), now_ms: clock.now() });
    // Half a period after the book aged, before the pulse that would notice: the venue repeats an order's update.
    clock.advanceBy(cfg.trading.staleness.book_stale_ms + 500);
    group.send({ type: 'WAKE', now_ms: clock.now() });
    ref.send({ type: 'ORDER_UPDATE', update: { client_order_id: 'done-before', status: 'canceled', filled_size: 0 }, now_ms: clock.now() });
    // The event decides at its own time, with the causes of that time.
    expect(ref.getSnapshot().value).toBe('HALT');
    expect(ref.getSnapshot().context.halt).toEqual(['stale_book']);
    // The group's next pulse finds the market as it left it.
    clock.advanceBy(500);
    expect(ref.getSnapshot().value).toBe('HALT');
    expect(ref.getSnapshot().context.halt).toEqual(['stale_book']);
    group.stop();
  });

  it('a pulse while a market waits out its restart backoff leaves the group and its other markets running', () => {
    const clock = new VirtualClock(1_000_000);
    const { market, crashing } = crashingMarket();
    // Markets pulsed by the group (as the runtime starts them); a backoff spanning several pulses.
    const group = createActor(
      createMarketGroupMachine({ supervision: { ...cfg.trading.supervision, restart_backoff_min_ms: 3000 }, market, respawnInput: (_i, last) => last, watchdogMs: 1000 }),
      { clock, input: { group_id: 'g', now_ms: clock.now() } },
    );
    const errors: string[] = [];
    group.subscribe({ error: (e) => errors.push(String(e)) });
    group.start();
    const input = (id: string): MarketTradingInput => ({ spec: spec({ market_id: id, strategies: { pair_arb: true, temporal: false } }), cfg: cfg.trading, now_ms: clock.now(), synced: true, watchdog: 'parent' });
    group.send({ type: 'ADD_MARKET', input: input('bad') });
    group.send({ type: 'ADD_MARKET', input: input('good') });
    const child = (id: string) => group.getSnapshot().children[id] as AnyActorRef | undefined;
    const b = book([[0.44, 100]], [[0.45, 100]]);
    child('good')!.send({ type: 'BOOK', signal: bookSignal('Y', b, clock.now()), now_ms: clock.now() });
    child('bad')!.send({ type: 'BOOK', signal: bookSignal('Y', b, clock.now()), partner: bookSignal('N', b, clock.now()), now_ms: clock.now() });
    expect(child('bad')).toBeUndefined();
    crashing.on = false;
    clock.advanceBy(3000);
    expect(errors).toEqual([]);
    expect(child('bad')).toBeDefined();
    // The sibling is still pulsed: its book goes stale and it halts on time.
    clock.advanceBy(cfg.trading.staleness.book_stale_ms);
    expect(child('good')!.getSnapshot().value).toBe('HALT');
    group.stop();
  });

  it('refuses markets beyond its capacity', () => {
    const clock = new VirtualClock(0);
    const noop = setup({}).createMachine({});
    const group = createActor(createMarketGroupMachine({ supervision: cfg.trading.supervision, market: noop, respawnInput: (_i, l) => l, watchdogMs: 1000 }), { clock, input: { group_id: 'g', capacity: 2, now_ms: clock.now() } });
    group.start();
    for (const id of ['a', 'b', 'c']) group.send({ type: 'ADD_MARKET', input: { spec: spec({ market_id: id }), cfg: cfg.trading, now_ms: clock.now() } });
    expect(Object.keys(group.getSnapshot().children).sort()).toEqual(['a', 'b']);
    group.stop();
  });
});
