import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import type { CarriedTrading } from '../../src/domain/trading/carried-state.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import type { DispatchInput } from '../../src/runtime/trading/dispatch-pump.ts';
import { TradingNode, type TradedMarket } from '../../src/runtime/trading/trading-node.ts';
import { defaultSections, spec } from './support.ts';

/**
 * Markets that live, resolve and are retired, fed to a paper trading node only through its
 * dispatch pump (the one path of live, replay and backtest): bus events and ticks on the node's
 * virtual clock.
 */

export const T0 = Date.UTC(2025, 6, 15, 16, 0, 0);
export const HOUR = 3_600_000;
/** One market's life: discovered, a mispriced pair locked, resolved; the next one starts after it. */
export const LIFE_MS = 20_000;
/** A locked pair of 20 shares a leg at 0.45 + 0.45 paid out 1 per pair. */
export const PAIR_PROFIT = 20 * (1 - 0.9);

export function marketSpec(i: number): MarketSpec {
  return spec({ market_id: `m${i}`, yes_token: `Y${i}`, no_token: `N${i}`, fair_source: { kind: 'none' }, strategies: { pair_arb: true, temporal: false } });
}

/** When a market's life resolves it, after its start. */
export const RESOLVES_AFTER = 17_000;

/**
 * The bus inputs of one market's life from `at`: discovery, then a pair at 0.45 + 0.45 every
 * 500 ms, which it locks once the reconciliation (every 10 s) let it trade, its resolution to YES.
 */
export function marketLife(events: EventFactory, clock: VirtualClock, i: number, at: number, station: string | null = null): DispatchInput[] {
  const m = marketSpec(i);
  const out: DispatchInput[] = [];
  const ev = (t: number, make: () => HeliosEvent) => {
    clock.advanceTo(t);
    out.push({ kind: 'event', event: make() });
  };
  const snapshots = (from: number, n: number) => {
    for (let k = 0; k < n; k++) {
      for (const token of [m.yes_token, m.no_token]) {
        const payload = { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 100]], asks: [[0.45, 100]], best_bid: 0.44, best_ask: 0.45, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
        ev(from + 500 * k, () => events.make('L2_SNAPSHOT', payload as never, { market_id: m.market_id, token_id: token }));
      }
    }
  };
  ev(at, () => events.make('MARKET_DISCOVERED', { spec: m, station_id: station, match_id: null, event_slug: null }, { market_id: m.market_id }));
  snapshots(at + 100, 30);
  out.push({ kind: 'tick', t: at + 16_000 });
  ev(at + RESOLVES_AFTER, () => events.make('MARKET_RESOLVED', { winning_token_id: m.yes_token, winning_outcome: null }, { market_id: m.market_id }));
  out.push({ kind: 'tick', t: at + 19_000 });
  return out;
}

export function inputFactory(startMs = T0, seed = 5) {
  const clock = new VirtualClock(startMs);
  return { clock, events: new EventFactory(clock, ulidGenerator(seededRng(seed))) };
}

/**
 * A paper trading node on its own virtual clock, fed only through its pump; `retired` records what
 * it let go of. `opts`: a later session's start, the markets it is built with, what it carries and
 * any other setting.
 */
export function node(retentionMs: number, opts: { startMs?: number; markets?: TradedMarket[]; carried?: CarriedTrading; tune?: (cfg: ReturnType<typeof defaultSections>) => void } = {}) {
  const cfg = defaultSections();
  cfg.execution.paper.fail_probability = 0;
  cfg.trading.resolved_market_retention_ms = retentionMs;
  opts.tune?.(cfg);
  const clock = new VirtualClock(opts.startMs ?? T0);
  const sink = new CollectingSink();
  const retired: Array<{ market: TradedMarket; topics: string[]; at: number }> = [];
  const n = new TradingNode({
    config: cfg,
    clock,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(1))),
    markets: opts.markets ?? [],
    ...(opts.carried ? { carried: opts.carried } : {}),
    onMarketRetired: (market, topics) => retired.push({ market, topics, at: clock.now() }),
    onError: (err) => {
      throw err;
    },
  });
  return { node: n, clock, sink, retired, cfg };
}

export async function feed(n: TradingNode, inputs: readonly DispatchInput[]): Promise<void> {
  for (const i of inputs) n.push(i);
  await n.drained();
}
