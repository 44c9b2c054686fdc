/**
 * Which path each frame of the e2e benchmark's tape takes through the connection's books: the venue
 * simulator's order flow (same markets, seed and options as `e2e`, no sockets), its initial dump
 * applied first, then every frame handed over as bytes: read in place, or decoded by the general
 * decoder (by message type of what it decoded).
 *
 * `node --import tsx bench/support/e2e-tape-paths.ts [FRAMES] [MARKETS] [SEED]`
 */
import { BusSink } from '../../src/adapters/bus/bus-sink.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { decodeMarketFrame, MalformedFrameReporter } from '../../src/adapters/polymarket/market-decoder.ts';
import { TapePublisher } from '../../src/adapters/polymarket/tape-publisher.ts';
import { loadConfig } from '../../src/config/load.ts';
import { bestPriceTriggerLevels } from '../../src/config/best-price-levels.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { SyntheticMarkets, syntheticMarketSpecs } from '../../src/sim/venue/synthetic-markets.ts';

const frames = Number(process.argv[2] ?? 100_000);
const marketCount = Number(process.argv[3] ?? 100);
const seed = Number(process.argv[4] ?? 9);

const { config } = loadConfig({ env: {}, overrides: {} });
const clock = new VirtualClock(1_760_000_000_000);
const bus = new InMemoryBus(config.bus, clock);
const publisher = new TapePublisher(new BusSink(bus), new EventFactory(clock, ulidGenerator(seededRng(5))), clock, {
  topLevels: config.market_tape.top_n_levels,
  imbalanceLevels: config.market_tape.imbalance_levels,
  emitL2Delta: config.market_tape.emit_l2_delta,
  snapshotIntervalMs: config.market_tape.snapshot_interval_ms,
  bestPriceFlushMs: 0,
  bestPriceLevels: config.market_tape.best_price_levels,
});
const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 50 }), { bestPriceLevels: bestPriceTriggerLevels(config.market_tape) });
// As VenueSimulator builds its flow (its defaults).
const markets = new SyntheticMarkets(syntheticMarketSpecs(marketCount), seededRng(seed ^ 0x5eed), { bookAfterTradeProb: 0.3, bareDecimalProb: 0.05 });
const tokens = syntheticMarketSpecs(marketCount).flatMap((m) => [m.yes, m.no]);
books.subscribed(tokens);
books.handleFrame(JSON.stringify(markets.dumpFrame(tokens).body));

const general = new Map<string, number>();
let inPlace = 0;
let total = 0;
while (total < frames) {
  for (const frame of markets.step()) {
    const text = JSON.stringify(frame.body);
    const decodedBefore = books.metrics.messages;
    const spy = (books as unknown as { handleDecoded: (raw: string, at: number) => unknown }).handleDecoded;
    let decoded = false;
    (books as unknown as { handleDecoded: (raw: string, at: number) => unknown }).handleDecoded = function (raw: string, at: number) {
      decoded = true;
      return spy.call(this, raw, at);
    };
    books.handleFrameBytes(Buffer.from(text));
    delete (books as unknown as { handleDecoded?: unknown }).handleDecoded;
    total++;
    if (!decoded) {
      inPlace++;
      continue;
    }
    const kinds = decodeMarketFrame(text).messages.map((m) => m.kind);
    const key = `${kinds.join('+') || 'none'}${kinds.length === 1 && kinds[0] === 'price_change' ? (/"price":"?\./.test(text) ? ' (bare decimal)' : '') : ''}`;
    general.set(key, (general.get(key) ?? 0) + 1);
    void decodedBefore;
  }
}
const pct = (n: number) => `${((100 * n) / total).toFixed(2)} %`;
console.log(`${total} frames: read in place ${inPlace} (${pct(inPlace)}), general decoder ${total - inPlace} (${pct(total - inPlace)})`);
for (const [k, n] of [...general].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${n} (${pct(n)})`);
