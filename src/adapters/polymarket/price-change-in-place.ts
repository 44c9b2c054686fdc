import type { LevelChangeBatch } from '../../domain/book/level-change-batch.ts';
import type { MarketBooks } from '../../domain/book/market-books.ts';
import { scanPriceChangeBytesInPlace, scanPriceChangeInPlace } from './price-change-scanner.ts';
import { NO_HASH, type ScannedPriceChange } from './scanned-price-change.ts';

/**
 * The market tape's hot path: a price_change frame in the venue's layout whose tokens all have a
 * book already is read straight into `batch`, each change's token found where its id stands in the
 * frame's bytes (`MarketBooks.getInBytes`): no message objects, no id strings sliced out or hashed.
 *
 * true means `books.applyBatch(batch)` does exactly what applying `decodeMarketFrame(raw)`'s
 * message would; false means "not handled" (another shape, an unknown token, a market the token's
 * book does not know yet, anything unusual): the caller decodes the frame the general way, which
 * also reports malformed frames. Like the scanner, this must never accept text JSON.parse would
 * reject or read differently: every string kept verbatim is shown plain, the ids and the market by
 * matching plain strings already known, the hashes by the venue layout reader (which also reads
 * every other character of the frame exactly: no escape can hide anywhere).
 */
export function readPriceChangeInto(raw: string, books: MarketBooks, batch: LevelChangeBatch): boolean {
  return readScannedInto(scanPriceChangeInPlace(raw), books, batch);
}

/**
 * readPriceChangeInto for the frame's UTF-8 bytes as the socket hands them over: a frame read here
 * never becomes text. Only ASCII frames are read, so the bytes say what their decoded text says.
 */
export function readPriceChangeBytesInto(frame: Uint8Array, books: MarketBooks, batch: LevelChangeBatch): boolean {
  return readScannedInto(scanPriceChangeBytesInPlace(frame), books, batch);
}

function readScannedInto(scanned: ScannedPriceChange | null, books: MarketBooks, batch: LevelChangeBatch): boolean {
  if (scanned === null || scanned.count === 0 || scanned.bytes === null) return false;
  const bytes = scanned.bytes;
  batch.reset(scanned.timestamp);
  for (let i = 0; i < scanned.count; i++) {
    const state = books.getInBytes(bytes, scanned.assetStart[i]!, scanned.assetEnd[i]!);
    // The general path would register the token or give it the frame's market.
    if (state === undefined || state.market === null) return false;
    const hashStart = scanned.hashStart[i]!;
    // A fresh string of its own (the book keeps it): a slice of `raw` would keep the whole frame alive.
    const hash = hashStart === NO_HASH ? null : latin1Of(bytes).toString('latin1', hashStart, scanned.hashEnd[i]!);
    batch.add(state, scanned.buy[i] === 1 ? 'BUY' : 'SELL', scanned.price[i]!, scanned.size[i]!, scanned.bestBid[i]!, scanned.bestAsk[i]!, hash);
  }
  // The frame's market is written as the first token's (plain) market: it needs no character check.
  const market = batch.states[0]!.marketBytes();
  return market !== null && market.length === scanned.marketEnd - scanned.marketStart && market.matchesAt(bytes, scanned.marketStart, scanned.marketEnd);
}

let viewed: DataView | null = null;
let viewedBuffer: Buffer = Buffer.alloc(0);

/** The reader's bytes as a Buffer (made again only when the reader grew its storage). */
function latin1Of(bytes: DataView): Buffer {
  if (bytes !== viewed) {
    viewed = bytes;
    viewedBuffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return viewedBuffer;
}
