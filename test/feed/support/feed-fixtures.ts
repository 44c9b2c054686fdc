import { loadConfig } from '../../../src/config/load.ts';
import type { VirtualClock } from '../../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../../src/adapters/polymarket/malformed-frame-reporter.ts';
import { TapePublisher } from '../../../src/adapters/polymarket/tape-publisher.ts';
import { EventFactory } from '../../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../../src/domain/events/ids.ts';
import { CollectingSink } from '../../../src/domain/events/sink.ts';
import { seededRng } from '../../../src/domain/util/random.ts';
import type { MarketTapeConfig } from '../../../src/config/sections/market-tape.ts';
import { syntheticMarketSpecs, type SimMarketSpec } from '../../../src/sim/venue/synthetic-markets.ts';

/** The shipped defaults with timings shrunk so real-socket tests run in well under a second per cycle. */
export function fastTapeConfig(overrides: Partial<MarketTapeConfig> = {}): MarketTapeConfig {
  const base = loadConfig({ env: {} }).config.market_tape;
  return {
    ...base,
    ping_interval_ms: 150,
    max_missed_pongs: 3,
    connect_timeout_ms: 1_000,
    subscribe_timeout_ms: 2_000,
    stale_after_ms: 250,
    idle_timeout_ms: 700,
    data_signal_interval_ms: 40,
    backoff_initial_ms: 20,
    backoff_max_ms: 300,
    rest_timeout_ms: 1_000,
    rest_max_attempts: 8,
    rest_backoff_initial_ms: 5,
    rest_backoff_max_ms: 60,
    reconcile_interval_ms: 250,
    snapshot_interval_ms: 200,
    best_price_flush_ms: 50,
    malformed_sample_interval_ms: 60_000,
    ...overrides,
  };
}

/** `n` binary markets with distinct fair values, alternating tick sizes. */
export function simMarkets(n: number): SimMarketSpec[] {
  return syntheticMarketSpecs(n);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One connection's books publishing into a collecting sink, on the given virtual clock. */
export function connectionBooksForTest(clock: VirtualClock, seed = 1): { books: ConnectionBooks; sink: CollectingSink; reporter: MalformedFrameReporter } {
  const sink = new CollectingSink();
  const publisher = new TapePublisher(sink, new EventFactory(clock, ulidGenerator(seededRng(seed))), clock, {
    topLevels: 10,
    imbalanceLevels: 5,
    emitL2Delta: true,
    snapshotIntervalMs: 1_000,
    bestPriceFlushMs: 100,
  });
  const reporter = new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 100 });
  return { books: new ConnectionBooks(publisher, reporter), sink, reporter };
}
