import type { LevelChangeBatch } from '../../domain/book/level-change-batch.ts';
import type { MarketBooks } from '../../domain/book/market-books.ts';
import { scanPriceChangeInPlace } from './price-change-scanner.ts';
import { NO_HASH } from './scanned-price-change.ts';

/**
 * The market tape's hot path: a price_change frame in the venue's layout whose tokens all have a
 * book already is read straight into `batch`, each change's token found where its id stands in the
 * frame (`MarketBooks.getInText`): no message objects, no id strings sliced out or hashed.
 *
 * true means `books.applyBatch(batch)` does exactly what applying `decodeMarketFrame(raw)`'s
 * message would; false means "not handled" (another shape, an unknown token, a market the token's
 * book does not know yet, anything unusual): the caller decodes the frame the general way, which
 * also reports malformed frames. Like the scanner, this must never accept text JSON.parse would
 * reject or read differently: every string kept verbatim is shown plain, the ids and the market by
 * matching plain strings already known, the hashes character by character.
 */
export function readPriceChangeInto(raw: string, books: MarketBooks, batch: LevelChangeBatch): boolean {
  // No escapes anywhere (one native search): past this, a string's content is what it says, and
  // only raw control characters (invalid JSON) remain to be ruled out in the hashes.
  if (raw.indexOf('\\') !== -1) return false;
  const scanned = scanPriceChangeInPlace(raw);
  if (scanned === null || scanned.count === 0) return false;
  batch.reset(scanned.timestamp);
  for (let i = 0; i < scanned.count; i++) {
    const state = books.getInText(raw, scanned.assetStart[i]!, scanned.assetEnd[i]!);
    // The general path would register the token or give it the frame's market.
    if (state === undefined || state.market === null) return false;
    const hashStart = scanned.hashStart[i]!;
    let hash: string | null = null;
    if (hashStart !== NO_HASH) {
      const hashEnd = scanned.hashEnd[i]!;
      if (hasControlChar(raw, hashStart, hashEnd)) return false;
      hash = raw.slice(hashStart, hashEnd);
    }
    batch.add(state, scanned.buy[i] === 1 ? 'BUY' : 'SELL', scanned.price[i]!, scanned.size[i]!, scanned.bestBid[i]!, scanned.bestAsk[i]!, hash);
  }
  // The frame's market is written as the first token's (plain) market: it needs no character check.
  const market = batch.states[0]!.plainMarket();
  // slice + === compares natively; startsWith measured ~2.5× slower on ids this long.
  return market !== null && market.length === scanned.marketEnd - scanned.marketStart && raw.slice(scanned.marketStart, scanned.marketEnd) === market;
}

function hasControlChar(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
