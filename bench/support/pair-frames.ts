import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import { BusBookMirror } from '../../src/domain/book/bus-book-mirror.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TradingRouter } from '../../src/runtime/trading/trading-router.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections, spec } from '../../test/trading/support.ts';

const MARKETS = 100;

/**
 * The trading router and its market actors on a stream of price_change frames, each moving a
 * market's two books (two L2_DELTAs, then the two BEST_PRICEs of the turn), with the first
 * BEST_PRICE marked `partner_follows` (one decision per frame) or not (two, as before the mark).
 */
export class PairFrames {
  private constructor(
    private readonly router: TradingRouter,
    private readonly runtime: TradingRuntime,
    private readonly inputs: readonly HeliosEvent[],
  ) {}

  static async build(frames: number, marked: boolean): Promise<PairFrames> {
    const clock = new VirtualClock(1_700_000_000_000);
    const cfg = defaultSections();
    const events = new EventFactory(clock, ulidGenerator(seededRng(3)));
    const sink = { emit() {} };
    const paper = new PaperExecutionAdapter({ clock, cfg: cfg.execution.paper, bookFor: () => undefined });
    const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: paper, sink, events });
    const router = new TradingRouter({ runtime, paper: null, mirror: new BusBookMirror(), clock, cfg: cfg.trading, events, publish: sink, inferMarkets: false });
    for (let m = 0; m < MARKETS; m++) {
      // Asks summing past 1: nothing to buy, so every decision is one that changes nothing.
      router.addMarket({ spec: spec({ market_id: `m${m}`, yes_token: `Y${m}`, no_token: `N${m}`, strategies: { pair_arb: true, temporal: false } }), station_id: null, match_id: null });
      for (const token of [`Y${m}`, `N${m}`]) {
        const book = { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.4, 100], [0.39, 100]] as Array<[number, number]>, asks: [[0.62, 100], [0.63, 100]] as Array<[number, number]> };
        router.route(events.make('L2_SNAPSHOT', { ...book, best_bid: 0.4, best_ask: 0.62, mid: null, spread: null, microprice: null, imbalance: null, hash: null }, { market_id: `m${m}`, token_id: token }));
      }
    }
    await runtime.start();
    const rng = seededRng(7);
    const inputs: HeliosEvent[] = [];
    for (let f = 0; f < frames; f++) {
      const m = Math.floor(rng() * MARKETS);
      const size = 50 + Math.floor(rng() * 100);
      const ids = (token: string) => ({ market_id: `m${m}`, token_id: token });
      for (const token of [`Y${m}`, `N${m}`]) inputs.push(events.make('L2_DELTA', { resync_epoch_id: 1, side: 'BUY', price: 0.4, size, best_bid: 0.4, best_ask: 0.62 }, ids(token)));
      const best = { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: size, best_ask: 0.62, best_ask_size: 100, updates_coalesced: 1 };
      inputs.push(events.make('BEST_PRICE', marked ? { ...best, partner_follows: true as const } : best, ids(`Y${m}`)));
      inputs.push(events.make('BEST_PRICE', best, ids(`N${m}`)));
    }
    return new PairFrames(router, runtime, inputs);
  }

  /** Routes every frame; µs per frame. */
  run(): number {
    const t = performance.now();
    for (const e of this.inputs) this.router.route(e);
    const ms = performance.now() - t;
    this.runtime.stop();
    return (ms * 1000) / (this.inputs.length / 4);
  }
}
