/**
 * Hand-written validating decoder for the Polymarket market channel (hot path: no zod here).
 *
 * A frame is one JSON object, a JSON array of objects (the initial dump), or a text frame (`PONG`,
 * `NO NEW ASSETS`). Every historical `price_change` shape is normalized to per-level changes. A frame
 * with any malformed part yields an error and no messages, so nothing half-valid reaches a book;
 * decoding never throws.
 *
 * Failures are signalled through a module-level slot instead of exceptions or result objects so the
 * valid path allocates only the messages it returns.
 */
import type {
  BestBidAskMessage,
  BookMessage,
  BookSide,
  EventMessageRef,
  LastTradePriceMessage,
  MarketMessage,
  MarketResolvedMessage,
  NewMarketMessage,
  PriceChangeMessage,
  PriceLevelChange,
  PriceSize,
  TickSizeChangeMessage,
} from '../../domain/market/messages.ts';
import { numericField } from './decimal.ts';
import { isEpochMs, MAX_EPOCH_MS } from './epoch-ms.ts';
import { describeValue, isJsonObject } from './json-value.ts';
import { scanPriceChangeFrame } from './price-change-scanner.ts';

export { MalformedFrameReporter, type MalformedSample, type MalformedFrameReporterOptions } from './malformed-frame-reporter.ts';

export type DecodeErrorReason =
  | 'empty_frame'
  | 'invalid_json'
  | 'unknown_text_frame'
  | 'not_an_object'
  | 'missing_event_type'
  | 'unknown_event_type'
  | 'missing_field'
  | 'invalid_field';

export interface DecodeError {
  reason: DecodeErrorReason;
  /** Where in the message, e.g. `price_changes[1].price`; '' for the frame itself. */
  path: string;
  /** Index of the offending element in an array frame; -1 for a single object or text frame. */
  element: number;
  message: string;
}

export interface DecodeResult {
  messages: MarketMessage[];
  error: DecodeError | null;
}

const PONG: MarketMessage = Object.freeze({ kind: 'pong' }) as MarketMessage;
const NO_NEW_ASSETS: MarketMessage = Object.freeze({ kind: 'no_new_assets' }) as MarketMessage;

/** Decode one raw WebSocket frame. */
export function decodeMarketFrame(raw: string): DecodeResult {
  const first = firstSignificantChar(raw);
  if (first === -1) return failure('empty_frame', '', -1, 'empty frame');
  if (first === 123 /* { */) {
    const fast = scanPriceChangeFrame(raw);
    if (fast !== null) return { messages: [fast], error: null };
  } else if (first !== 91 /* [ */) {
    return decodeTextFrame(raw);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return failure('invalid_json', '', -1, (err as Error).message);
  }
  return decodeMarketValue(value);
}

/** Decode a frame that is already parsed (a `.json` capture, or one element of an array frame). */
export function decodeMarketValue(value: unknown): DecodeResult {
  if (Array.isArray(value)) {
    const messages: MarketMessage[] = [];
    for (let i = 0; i < value.length; i++) {
      const msg = decodeObject(value[i]);
      if (msg === null) return failure(failReason, failPath, i, failMessage);
      messages.push(msg);
    }
    return { messages, error: null };
  }
  const msg = decodeObject(value);
  if (msg === null) return failure(failReason, failPath, -1, failMessage);
  return { messages: [msg], error: null };
}

function decodeTextFrame(raw: string): DecodeResult {
  const text = raw.trim();
  if (text === 'PONG') return { messages: [PONG], error: null };
  if (text === 'NO NEW ASSETS') return { messages: [NO_NEW_ASSETS], error: null };
  return failure('unknown_text_frame', '', -1, `unknown text frame ${JSON.stringify(text.slice(0, 40))}`);
}

function firstSignificantChar(raw: string): number {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return c;
  }
  return -1;
}

function failure(reason: DecodeErrorReason, path: string, element: number, message: string): DecodeResult {
  return { messages: [], error: { reason, path, element, message } };
}

// ---- failure slot -------------------------------------------------------------------------------

let failReason: DecodeErrorReason = 'invalid_field';
let failPath = '';
let failMessage = '';

function fail(reason: DecodeErrorReason, path: string, message: string): null {
  failReason = reason;
  failPath = path;
  failMessage = `${path ? path + ': ' : ''}${message}`;
  return null;
}

/** A required field that is not what it should be: missing when undefined or null, else invalid. */
function failRequired(v: unknown, path: string, expected: string): null {
  return v === undefined || v === null
    ? fail('missing_field', path, 'required')
    : fail('invalid_field', path, `expected ${expected}, got ${describeValue(v)}`);
}

/**
 * Where a field sits: `at` names the enclosing array ('' at top level) and `index` the element, so
 * the path string is only built when something fails.
 */
function pathOf(at: string, index: number, key: string): string {
  return at === '' ? key : `${at}[${index}].${key}`;
}

// ---- field readers: return a sentinel (null / NaN) and fill the failure slot ---------------------

type Obj = Record<string, unknown>;

function requireString(o: Obj, key: string, at: string, index: number): string | null {
  const v = o[key];
  if (typeof v === 'string' && v.length > 0) return v;
  return failRequired(v, pathOf(at, index, key), 'a non-empty string');
}

/** A string field that may be missing or empty: null then. */
function optionalString(o: Obj, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function requireNumber(o: Obj, key: string, at: string, index: number): number {
  const v = o[key];
  const n = numericField(v);
  if (n === n) return n;
  fail(v === undefined || v === null ? 'missing_field' : 'invalid_field', pathOf(at, index, key), `expected a decimal, got ${describeValue(v)}`);
  return NaN;
}

/** Missing, null and "" mean "not sent" (null); anything else must be a decimal (NaN = malformed). */
function optionalNumber(o: Obj, key: string, at: string, index: number): number | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  const n = numericField(v);
  if (n === n) return n;
  fail('invalid_field', pathOf(at, index, key), `expected a decimal, got ${describeValue(v)}`);
  return NaN;
}

function requireNonNegative(o: Obj, key: string, at: string, index: number): number {
  const n = requireNumber(o, key, at, index);
  if (n >= 0) return n;
  if (n === n) fail('invalid_field', pathOf(at, index, key), `expected ≥ 0, got ${n}`);
  return NaN;
}

/** Epoch milliseconds: before 1970 or past year 9999 is malformed, not a time to order books by. */
function requireTimestamp(o: Obj, key: string): number {
  const n = requireNumber(o, key, '', -1);
  if (n !== n) return NaN;
  if (isEpochMs(n)) return n;
  fail('invalid_field', key, `expected epoch milliseconds between 0 and ${MAX_EPOCH_MS} (year 9999), got ${n}`);
  return NaN;
}

function requireSide(o: Obj, key: string, at: string, index: number): BookSide | null {
  const v = o[key];
  if (v === 'BUY' || v === 'SELL') return v;
  return failRequired(v, pathOf(at, index, key), 'BUY or SELL');
}

function requireStringArray(o: Obj, key: string): string[] | null {
  const v = o[key];
  if (!Array.isArray(v)) return failRequired(v, key, 'an array of strings');
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') return fail('invalid_field', `${key}[${i}]`, `expected a string, got ${describeValue(v[i])}`);
  }
  return v as string[];
}

// ---- messages -----------------------------------------------------------------------------------

function decodeObject(value: unknown): MarketMessage | null {
  if (!isJsonObject(value)) return fail('not_an_object', '', `expected an object, got ${describeValue(value)}`);
  const o = value;
  const type = o.event_type;
  switch (type) {
    case 'price_change':
      return decodePriceChange(o);
    case 'book':
    case 'last_trade_price':
    case 'best_bid_ask':
    case 'tick_size_change':
      return decodeTokenEvent(o, type);
    case 'new_market':
      return decodeNewMarket(o);
    case 'market_resolved':
      return decodeMarketResolved(o);
    case undefined:
    case null:
      return fail('missing_event_type', 'event_type', 'required');
    default:
      return fail('unknown_event_type', 'event_type', `not a market-channel event: ${describeValue(type)}`);
  }
}

/** The events about one token open with `market`, `asset_id`, `timestamp`: read once here, in that order (the first bad one is the error). */
function decodeTokenEvent(o: Obj, type: 'book' | 'last_trade_price' | 'best_bid_ask' | 'tick_size_change'): MarketMessage | null {
  const market = requireString(o, 'market', '', -1);
  if (market === null) return null;
  const asset_id = requireString(o, 'asset_id', '', -1);
  if (asset_id === null) return null;
  const timestamp = requireTimestamp(o, 'timestamp');
  if (timestamp !== timestamp) return null;
  switch (type) {
    case 'book':
      return decodeBook(o, market, asset_id, timestamp);
    case 'last_trade_price':
      return decodeLastTradePrice(o, market, asset_id, timestamp);
    case 'best_bid_ask':
      return decodeBestBidAsk(o, market, asset_id, timestamp);
    case 'tick_size_change':
      return decodeTickSizeChange(o, market, asset_id, timestamp);
  }
}

function decodePriceChange(o: Obj): PriceChangeMessage | null {
  const market = requireString(o, 'market', '', -1);
  if (market === null) return null;
  const timestamp = requireTimestamp(o, 'timestamp');
  if (timestamp !== timestamp) return null;
  const current = o.price_changes;
  if (current !== undefined) {
    const changes = decodeLevelChanges(current, 'price_changes', null, null);
    if (changes === null) return null;
    return { kind: 'price_change', market, timestamp, format: 'price_changes', changes };
  }
  const assetId = requireString(o, 'asset_id', '', -1);
  if (assetId === null) return null;
  const hash = optionalString(o, 'hash');
  const intermediate = o.changes;
  if (intermediate !== undefined) {
    const changes = decodeLevelChanges(intermediate, 'changes', assetId, hash);
    if (changes === null) return null;
    return { kind: 'price_change', market, timestamp, format: 'changes', changes };
  }
  const change = decodeLevelChange(o, assetId, hash, '', -1);
  if (change === null) return null;
  return { kind: 'price_change', market, timestamp, format: 'flat', changes: [change] };
}

/** The array of level changes under `key`; `assetId`/`hash` as for `decodeLevelChange`. */
function decodeLevelChanges(list: unknown, key: 'price_changes' | 'changes', assetId: string | null, hash: string | null): PriceLevelChange[] | null {
  if (!Array.isArray(list)) return fail('invalid_field', key, `expected an array, got ${describeValue(list)}`);
  const changes: PriceLevelChange[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    if (!isJsonObject(entry)) return fail('invalid_field', `${key}[${i}]`, `expected an object, got ${describeValue(entry)}`);
    const change = decodeLevelChange(entry, assetId, hash, key, i);
    if (change === null) return null;
    changes.push(change);
  }
  return changes;
}

/** `assetId`/`hash` come from the enclosing frame in the older shapes, from the entry in the current one. */
function decodeLevelChange(e: Obj, assetId: string | null, hash: string | null, at: string, i: number): PriceLevelChange | null {
  const asset_id = assetId ?? requireString(e, 'asset_id', at, i);
  if (asset_id === null) return null;
  const side = requireSide(e, 'side', at, i);
  if (side === null) return null;
  const price = requireNonNegative(e, 'price', at, i);
  if (price !== price) return null;
  const size = requireNonNegative(e, 'size', at, i);
  if (size !== size) return null;
  const best_bid = optionalNumber(e, 'best_bid', at, i);
  if (best_bid !== best_bid) return null;
  const best_ask = optionalNumber(e, 'best_ask', at, i);
  if (best_ask !== best_ask) return null;
  return { asset_id, side, price, size, best_bid, best_ask, hash: hash ?? optionalString(e, 'hash') };
}

function decodeLevels(o: Obj, key: 'bids' | 'asks'): PriceSize[] | null {
  const v = o[key];
  if (!Array.isArray(v)) return failRequired(v, key, 'an array of levels');
  const levels: PriceSize[] = [];
  for (let i = 0; i < v.length; i++) {
    const level: unknown = v[i];
    if (!isJsonObject(level)) return fail('invalid_field', `${key}[${i}]`, `expected {price,size}, got ${describeValue(level)}`);
    const price = requireNonNegative(level, 'price', key, i);
    if (price !== price) return null;
    const size = requireNonNegative(level, 'size', key, i);
    if (size !== size) return null;
    levels.push([price, size]);
  }
  return levels;
}

function decodeBook(o: Obj, market: string, asset_id: string, timestamp: number): BookMessage | null {
  const bids = decodeLevels(o, 'bids');
  if (bids === null) return null;
  const asks = decodeLevels(o, 'asks');
  if (asks === null) return null;
  const tick_size = optionalNumber(o, 'tick_size', '', -1);
  if (tick_size !== tick_size) return null;
  if (tick_size !== null && !(tick_size > 0)) return fail('invalid_field', 'tick_size', `expected > 0, got ${tick_size}`);
  const last_trade_price = optionalNumber(o, 'last_trade_price', '', -1);
  if (last_trade_price !== last_trade_price) return null;
  return { kind: 'book', market, asset_id, timestamp, bids, asks, hash: optionalString(o, 'hash'), tick_size, last_trade_price };
}

function decodeLastTradePrice(o: Obj, market: string, asset_id: string, timestamp: number): LastTradePriceMessage | null {
  const price = requireNonNegative(o, 'price', '', -1);
  if (price !== price) return null;
  const size = requireNonNegative(o, 'size', '', -1);
  if (size !== size) return null;
  let side: BookSide | null = null;
  if (o.side !== undefined && o.side !== null && o.side !== '') {
    side = requireSide(o, 'side', '', -1);
    if (side === null) return null;
  }
  const fee_rate_bps = optionalNumber(o, 'fee_rate_bps', '', -1);
  if (fee_rate_bps !== fee_rate_bps) return null;
  return {
    kind: 'last_trade_price',
    market,
    asset_id,
    timestamp,
    price,
    size,
    side,
    fee_rate_bps,
    transaction_hash: optionalString(o, 'transaction_hash'),
  };
}

function decodeTickSizeChange(o: Obj, market: string, asset_id: string, timestamp: number): TickSizeChangeMessage | null {
  const old_tick_size = requireNumber(o, 'old_tick_size', '', -1);
  if (old_tick_size !== old_tick_size) return null;
  const new_tick_size = requireNumber(o, 'new_tick_size', '', -1);
  if (new_tick_size !== new_tick_size) return null;
  if (!(new_tick_size > 0)) return fail('invalid_field', 'new_tick_size', `expected > 0, got ${new_tick_size}`);
  return { kind: 'tick_size_change', market, asset_id, timestamp, old_tick_size, new_tick_size };
}

function decodeBestBidAsk(o: Obj, market: string, asset_id: string, timestamp: number): BestBidAskMessage | null {
  const best_bid = optionalNumber(o, 'best_bid', '', -1);
  if (best_bid !== best_bid) return null;
  const best_ask = optionalNumber(o, 'best_ask', '', -1);
  if (best_ask !== best_ask) return null;
  const spread = optionalNumber(o, 'spread', '', -1);
  if (spread !== spread) return null;
  return { kind: 'best_bid_ask', market, asset_id, timestamp, best_bid, best_ask, spread };
}

/** Gamma ids arrive as strings or numbers depending on the producer. */
function idField(o: Obj, key: string): string | null {
  const v = o[key];
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function decodeNewMarket(o: Obj): NewMarketMessage | null {
  const market = requireString(o, 'market', '', -1);
  if (market === null) return null;
  const id = idField(o, 'id');
  if (id === null) return fail(o.id === undefined ? 'missing_field' : 'invalid_field', 'id', 'expected a market id');
  const timestamp = requireTimestamp(o, 'timestamp');
  if (timestamp !== timestamp) return null;
  const assets_ids = requireStringArray(o, 'assets_ids');
  if (assets_ids === null) return null;
  const outcomes = requireStringArray(o, 'outcomes');
  if (outcomes === null) return null;
  let tags: string[] = [];
  if (o.tags !== undefined && o.tags !== null) {
    const t = requireStringArray(o, 'tags');
    if (t === null) return null;
    tags = t;
  }
  const tick_size = optionalNumber(o, 'order_price_min_tick_size', '', -1);
  if (tick_size !== tick_size) return null;
  let event: EventMessageRef | null = null;
  const ev = o.event_message;
  if (isJsonObject(ev)) {
    event = { id: idField(ev, 'id'), ticker: optionalString(ev, 'ticker'), slug: optionalString(ev, 'slug'), title: optionalString(ev, 'title') };
  }
  return {
    kind: 'new_market',
    id,
    market,
    timestamp,
    question: optionalString(o, 'question'),
    slug: optionalString(o, 'slug'),
    assets_ids,
    outcomes,
    tags,
    tick_size,
    group_item_title: optionalString(o, 'group_item_title'),
    event,
  };
}

function decodeMarketResolved(o: Obj): MarketResolvedMessage | null {
  const market = requireString(o, 'market', '', -1);
  if (market === null) return null;
  const timestamp = requireTimestamp(o, 'timestamp');
  if (timestamp !== timestamp) return null;
  const assets_ids = requireStringArray(o, 'assets_ids');
  if (assets_ids === null) return null;
  return {
    kind: 'market_resolved',
    id: idField(o, 'id'),
    market,
    timestamp,
    assets_ids,
    winning_asset_id: optionalString(o, 'winning_asset_id'),
    winning_outcome: optionalString(o, 'winning_outcome'),
  };
}
