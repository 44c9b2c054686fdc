/**
 * The market tape's events of a synthetic tape (`price-change-tape.ts`), captured once through the
 * connection's books and the market tape publisher (L2_DELTA, BEST_PRICE, sliced L2_SNAPSHOT) with
 * the default config, `FRAMES_PER_TURN` frames to an event-loop turn on a virtual clock: the fixed
 * input of the stage drivers that measure one consumer of those events alone.
 */
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../src/adapters/polymarket/market-decoder.ts';
import { TapePublisher } from '../../src/adapters/polymarket/tape-publisher.ts';
import type { HeliosConfig } from '../../src/config/schema.ts';
import { bestPriceTriggerLevels } from '../../src/config/best-price-levels.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { syntheticTape } from './price-change-tape.ts';

const FRAMES_PER_TURN = 4;
export const TAPE_START_MS = 1_760_000_000_000;

export async function capturedTapeEvents(config: HeliosConfig, frames: number, markets: number): Promise<HeliosEvent[]> {
  const clock = new VirtualClock(TAPE_START_MS);
  const events: HeliosEvent[] = [];
  const publisher = new TapePublisher({ emit: (e) => void events.push(e) }, new EventFactory(clock, ulidGenerator(seededRng(5))), clock, {
    topLevels: config.market_tape.top_n_levels,
    imbalanceLevels: config.market_tape.imbalance_levels,
    emitL2Delta: true,
    snapshotIntervalMs: config.market_tape.snapshot_interval_ms,
    snapshotSlices: config.market_tape.snapshot_slices,
    bestPriceFlushMs: 0,
    bestPriceLevels: config.market_tape.best_price_levels,
  });
  const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 50 }), { bestPriceLevels: bestPriceTriggerLevels(config.market_tape) });
  const tape = syntheticTape({ seed: 11, markets, frames, depth: 10 });
  books.subscribed(tape.snapshots.map((s) => (JSON.parse(s) as { asset_id: string }).asset_id));
  publisher.start(() => books.states(), (id) => books.books.get(id));
  for (const s of tape.snapshots) books.handleFrame(s);
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  for (let i = 0; i < tape.frames.length; i++) {
    books.handleFrameBytes(Buffer.from(tape.frames[i]!));
    if (i % FRAMES_PER_TURN === FRAMES_PER_TURN - 1) {
      clock.advanceTo(clock.now() + 1);
      await turn();
    }
  }
  await turn();
  publisher.stop();
  return events;
}
