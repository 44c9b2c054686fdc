import { z } from 'zod';
import { verifyRestBookHash, type RestBookHashCheck } from '../../domain/book/book-hash.ts';
import type { BookMessage, PriceSize } from '../../domain/market/messages.ts';
import { parseDecimal } from './decimal.ts';

/**
 * REST `GET /book` (and each element of `POST /books`) → a `BookMessage` the book registry applies
 * like a WebSocket snapshot, plus the check of the documented summary hash (the only place the
 * venue's hash can be verified).
 */
const level = z.object({ price: z.string(), size: z.string() });
const restBookSchema = z.object({
  market: z.string().min(1),
  asset_id: z.string().min(1),
  timestamp: z.string(),
  hash: z.string(),
  bids: z.array(level),
  asks: z.array(level),
  // The four fields below joined the answer in 2026; older answers cannot have their hash checked.
  min_order_size: z.string().optional(),
  tick_size: z.string().optional(),
  neg_risk: z.boolean().optional(),
  last_trade_price: z.string().optional(),
});

export interface RestBook {
  book: BookMessage;
  min_order_size: number | null;
  neg_risk: boolean | null;
  /** null when the answer lacks the fields the hash covers. */
  hash_check: RestBookHashCheck | null;
}

export type RestBookResult = { ok: true; value: RestBook } | { ok: false; error: string };

export function decodeRestBook(value: unknown): RestBookResult {
  const parsed = restBookSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  const a = parsed.data;
  const timestamp = parseDecimal(a.timestamp);
  if (timestamp !== timestamp) return { ok: false, error: `timestamp: not a number: ${a.timestamp}` };
  const bids = levels(a.bids, 'bids');
  if (typeof bids === 'string') return { ok: false, error: bids };
  const asks = levels(a.asks, 'asks');
  if (typeof asks === 'string') return { ok: false, error: asks };
  const tick = optionalDecimal(a.tick_size);
  if (tick !== null && !(tick > 0)) return { ok: false, error: `tick_size: not a positive number: ${a.tick_size}` };
  const hashable =
    a.min_order_size !== undefined && a.tick_size !== undefined && a.neg_risk !== undefined && a.last_trade_price !== undefined;
  return {
    ok: true,
    value: {
      book: {
        kind: 'book',
        market: a.market,
        asset_id: a.asset_id,
        timestamp,
        bids,
        asks,
        hash: a.hash === '' ? null : a.hash,
        tick_size: tick,
        last_trade_price: optionalDecimal(a.last_trade_price),
      },
      min_order_size: optionalDecimal(a.min_order_size),
      neg_risk: a.neg_risk ?? null,
      hash_check: hashable
        ? verifyRestBookHash({
            ...a,
            min_order_size: a.min_order_size!,
            tick_size: a.tick_size!,
            neg_risk: a.neg_risk!,
            last_trade_price: a.last_trade_price!,
          })
        : null,
    },
  };
}

function levels(raw: ReadonlyArray<{ price: string; size: string }>, side: string): PriceSize[] | string {
  const out: PriceSize[] = [];
  for (let i = 0; i < raw.length; i++) {
    const price = parseDecimal(raw[i]!.price);
    const size = parseDecimal(raw[i]!.size);
    if (!(price >= 0) || !(size >= 0)) return `${side}[${i}]: not a price/size pair: ${JSON.stringify(raw[i])}`;
    out.push([price, size]);
  }
  return out;
}

function optionalDecimal(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const n = parseDecimal(text);
  return n === n ? n : null;
}
