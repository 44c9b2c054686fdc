/** What the market-actor benchmarks feed an actor: the default trading config, a market, books and signals. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { assign, createActor, setup } from 'xstate';
import type { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { tradingSection, type TradingConfig } from '../../src/config/sections/trading.ts';
import { L2Book } from '../../src/domain/book/l2-book.ts';
import { levelsOf } from '../../src/domain/trading/book-view.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';
import type { BookSignal } from '../../src/domain/trading/signals.ts';
import type { MarketTradingEvent } from '../../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { truthStatePayload } from '../../test/support/events.ts';

export function tradingConfig(): TradingConfig {
  const yaml = parse(readFileSync(fileURLToPath(new URL('../../config/default.yaml', import.meta.url)), 'utf8')) as Record<string, unknown>;
  return tradingSection.parse(yaml.trading);
}

export function marketSpec(id: string): MarketSpec {
  return {
    market_id: id,
    yes_token: `${id}-Y`,
    no_token: `${id}-N`,
    tick_size: 0.01,
    min_order_size: 5,
    fee: { rate: 0.03, exponent: 1, taker_only: true },
    fair_source: { kind: 'truth', outcome_by_token: { [`${id}-Y`]: 'A', [`${id}-N`]: 'B' } },
    strategies: { pair_arb: true, temporal: true },
    admitted: true,
    admission_reason: null,
  };
}

/** Books that keep every strategy evaluating but never trading (YES + NO ≥ 1, no edge). */
export function books(n: number): L2Book[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new L2Book(0.01);
    const ask = 0.5 + (i % 5) / 100;
    b.applySnapshot(
      [
        [ask - 0.01, 100 + i],
        [ask - 0.02, 300],
      ],
      [
        [ask, 100 + i],
        [ask + 0.01, 300],
        [ask + 0.02, 500],
      ],
    );
    return b;
  });
}

export function bookEvent(token: string, b: L2Book, ts: number): MarketTradingEvent {
  const signal: BookSignal = { token_id: token, synced: true, ts_ms: ts, best_bid: b.bestBid()!.price, best_ask: b.bestAsk()!.price, levels: levelsOf(b, Infinity) };
  return { type: 'BOOK', signal, now_ms: ts };
}

export function truthEvent(ts: number): MarketTradingEvent {
  return {
    type: 'TRUTH',
    ts_ms: ts,
    now_ms: ts,
    truth: truthStatePayload({ confidence: 0.6, implied_p: { A: 0.5, B: 0.5 } }),
  };
}

/** The reference actor: a bare XState machine doing one assign per event, started. */
export function bareAssignActor() {
  const m = setup({ types: { context: {} as { n: number }, events: {} as { type: 'BOOK' } } }).createMachine({
    context: { n: 0 },
    on: { BOOK: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  });
  return createActor(m).start();
}

/**
 * A market actor for `spec` on `clock`, started, with a truth signal so that every strategy
 * evaluates; `onIntents` hears the intents of each dispatch (the benchmark books never trade).
 */
export function startMarketActor(spec: MarketSpec, cfg: TradingConfig, clock: VirtualClock, onIntents: (n: number) => void = () => undefined) {
  const machine = marketTradingMachine.provide({ actions: { dispatch: (_a, p) => onIntents(p.intents.length) } });
  const actor = createActor(machine, { clock, input: { spec, cfg, now_ms: clock.now(), synced: true } }).start();
  actor.send(truthEvent(clock.now()));
  return actor;
}
