import { ConnectionBooks } from '../../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../../src/adapters/polymarket/market-decoder.ts';
import { TapePublisher, type TapePublisherOptions } from '../../../src/adapters/polymarket/tape-publisher.ts';
import { CollectingSink, EventFactory, ulidGenerator } from '../../../src/domain/events/index.ts';
import type { Clock } from '../../../src/domain/time/clock.ts';
import { seededRng } from '../../../src/domain/util/random.ts';

/**
 * A market tape on `clock`: the connection's books feeding a publisher into a collecting sink,
 * subscribed to `tokens`. `publisherClock` lets a test watch the publisher's clock reads alone.
 */
export function tapeRig(clock: Clock, tokens: string[], opts: Partial<TapePublisherOptions> = {}, publisherClock: Clock = clock) {
  const sink = new CollectingSink();
  const publisher = new TapePublisher(sink, new EventFactory(clock, ulidGenerator(seededRng(5))), publisherClock, {
    topLevels: 2,
    imbalanceLevels: 2,
    emitL2Delta: false,
    snapshotIntervalMs: 60_000,
    bestPriceFlushMs: 0,
    ...opts,
  });
  const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 50 }));
  books.subscribed(tokens);
  return { sink, publisher, books, frame: (raw: object | string) => books.handleFrame(typeof raw === 'string' ? raw : JSON.stringify(raw)) };
}
