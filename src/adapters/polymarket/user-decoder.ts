/**
 * Hand-written validating decoder for the Polymarket USER channel (our orders and trades,
 * notes/polymarket.md §2). Same contract as the market decoder: a frame is one JSON object, a JSON
 * array of them, or the text `PONG`; a frame with any malformed part yields an error and no
 * messages; decoding never throws and never touches its input.
 *
 * Real frames do not always carry `event_type` (captures and some producers omit it): `type` then
 * tells (`TRADE` → trade, `PLACEMENT` / `UPDATE` / `CANCELLATION` → order). When both are present
 * they must agree. The user channel is low volume, so clarity wins over the allocation-free style
 * of the market decoder's hot path.
 */
import type { BookSide } from '../../domain/market/messages.ts';
import {
  ORDER_EVENT_TYPES,
  ORDER_STATUSES,
  ORDER_TIME_IN_FORCE,
  TRADE_STATUSES,
  TRADER_SIDES,
  type MakerOrderFill,
  type OrderStatus,
  type UserMessage,
  type UserOrderMessage,
  type UserTradeMessage,
} from '../../domain/market/user-messages.ts';
import { numericField } from './decimal.ts';
import { describeValue, isJsonObject } from './json-value.ts';
import type { DecodeError, DecodeErrorReason } from './market-decoder.ts';

export type { DecodeError, DecodeErrorReason } from './market-decoder.ts';

export interface UserDecodeResult {
  messages: UserMessage[];
  error: DecodeError | null;
}

const PONG: UserMessage = Object.freeze({ kind: 'pong' }) as UserMessage;
const SIDES: readonly BookSide[] = ['BUY', 'SELL'];
const ORDER_TYPES_ON_WIRE: readonly string[] = ORDER_EVENT_TYPES;
/** Longest first, so `CANCELED_MARKET_RESOLVED` wins over `CANCELED` + detail. */
const STATUSES_LONGEST_FIRST = [...ORDER_STATUSES].sort((a, b) => b.length - a.length);
/** Below this an epoch number is in seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;
/** The largest time a JS Date can hold. */
const MAX_EPOCH_MS = 8.64e15;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T/;

/** Decode one raw WebSocket frame of the user channel. */
export function decodeUserFrame(raw: string): UserDecodeResult {
  const text = raw.trim();
  if (text === '') return failure({ reason: 'empty_frame', path: '', element: -1, message: 'empty frame' });
  const first = text.charCodeAt(0);
  if (first !== 123 /* { */ && first !== 91 /* [ */) {
    if (text === 'PONG') return { messages: [PONG], error: null };
    return failure({ reason: 'unknown_text_frame', path: '', element: -1, message: `unknown text frame ${JSON.stringify(text.slice(0, 40))}` });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return failure({ reason: 'invalid_json', path: '', element: -1, message: (err as Error).message });
  }
  return decodeUserValue(value);
}

/** Decode a frame that is already parsed (a `.json` capture, or one element of an array frame). */
export function decodeUserValue(value: unknown): UserDecodeResult {
  if (Array.isArray(value)) {
    const messages: UserMessage[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = decodeObject(value[i], i);
      if (r.error !== null) return failure(r.error);
      messages.push(r.message);
    }
    return { messages, error: null };
  }
  const r = decodeObject(value, -1);
  return r.error !== null ? failure(r.error) : { messages: [r.message], error: null };
}

function failure(error: DecodeError): UserDecodeResult {
  return { messages: [], error };
}

type Obj = Record<string, unknown>;
type One<T> = { message: T; error: null } | { message: null; error: DecodeError };

/**
 * Reads the fields of one object. The first problem is kept and later reads return placeholders,
 * so a decoder reads every field straight through and checks `error` once at the end.
 */
class FieldReader {
  error: DecodeError | null = null;

  constructor(
    private readonly o: Obj,
    /** Path prefix of this object ('' at top level, e.g. `maker_orders[2]`). */
    private readonly at: string,
    /** Index of the object in an array frame; -1 for a single object. */
    readonly element: number,
  ) {}

  fail(reason: DecodeErrorReason, key: string, message: string): void {
    if (this.error !== null) return;
    const path = this.at === '' ? key : key === '' ? this.at : `${this.at}.${key}`;
    this.error = { reason, path, element: this.element, message: `${path ? path + ': ' : ''}${message}` };
  }

  private absent(v: unknown): boolean {
    return v === undefined || v === null;
  }

  /** A required non-empty string. */
  string(key: string): string {
    const v = this.o[key];
    if (typeof v === 'string' && v.length > 0) return v;
    if (this.absent(v)) this.fail('missing_field', key, 'required');
    else this.fail('invalid_field', key, `expected a non-empty string, got ${describeValue(v)}`);
    return '';
  }

  /** Missing, null and "" mean "not sent"; anything but a string is malformed. */
  optionalString(key: string): string | null {
    const v = this.o[key];
    if (this.absent(v) || v === '') return null;
    if (typeof v === 'string') return v;
    this.fail('invalid_field', key, `expected a string, got ${describeValue(v)}`);
    return null;
  }

  /** A required decimal (string or JSON number) within [min, max]. */
  decimal(key: string, min: number, max = Infinity): number {
    const v = this.o[key];
    const n = numericField(v);
    if (n !== n) {
      this.fail(this.absent(v) ? 'missing_field' : 'invalid_field', key, `expected a decimal, got ${describeValue(v)}`);
      return 0;
    }
    if (n < min || n > max) this.fail('invalid_field', key, `expected a decimal in [${min}, ${max}], got ${n}`);
    return n;
  }

  /** Missing, null and "" → `empty`; otherwise a decimal ≥ min. */
  optionalDecimal<E extends number | null>(key: string, min: number, empty: E): number | E {
    const v = this.o[key];
    if (this.absent(v) || v === '') return empty;
    return this.decimal(key, min);
  }

  /** One of `values`, exactly as spelled. */
  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.o[key];
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    if (this.absent(v)) this.fail('missing_field', key, 'required');
    else this.fail('invalid_field', key, `expected one of ${values.join(', ')}, got ${describeValue(v)}`);
    return values[0]!;
  }

  optionalOneOf<T extends string>(key: string, values: readonly T[]): T | null {
    const v = this.o[key];
    if (this.absent(v) || v === '') return null;
    return this.oneOf(key, values);
  }

  /**
   * A time as epoch ms: a number or decimal string in seconds or milliseconds, or ISO-8601 text.
   * `zeroIsNull` for fields where "0" means "none" (an order without expiry).
   */
  epoch(key: string, required: boolean, zeroIsNull = false): number | null {
    const v = this.o[key];
    if (this.absent(v) || v === '') {
      if (required) this.fail('missing_field', key, 'required');
      return null;
    }
    let ms: number;
    if (typeof v === 'string' && ISO_TIME.test(v)) {
      ms = Date.parse(v);
    } else {
      const n = numericField(v);
      ms = n < SECONDS_BELOW ? Math.round(n * 1000) : n;
    }
    if (!(ms >= 0 && ms <= MAX_EPOCH_MS)) {
      this.fail('invalid_field', key, `expected a time (epoch s/ms or ISO-8601), got ${describeValue(v)}`);
      return null;
    }
    return zeroIsNull && ms === 0 ? null : ms;
  }

  /** Missing or null → []; otherwise an array of non-empty strings. */
  stringList(key: string): string[] {
    const v = this.o[key];
    if (this.absent(v)) return [];
    if (!Array.isArray(v)) {
      this.fail('invalid_field', key, `expected an array of strings, got ${describeValue(v)}`);
      return [];
    }
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'string' || v[i] === '') {
        this.fail('invalid_field', `${key}[${i}]`, `expected a non-empty string, got ${describeValue(v[i])}`);
        return [];
      }
    }
    return (v as string[]).slice();
  }

  /** A non-negative integer (number or decimal string); missing, null or "" → null. */
  optionalIndex(key: string): number | null {
    const v = this.o[key];
    if (this.absent(v) || v === '') return null;
    const n = numericField(v);
    if (Number.isSafeInteger(n) && n >= 0) return n;
    this.fail('invalid_field', key, `expected an integer ≥ 0, got ${describeValue(v)}`);
    return null;
  }
}

function decodeObject(value: unknown, element: number): One<UserOrderMessage | UserTradeMessage> {
  const r = new FieldReader(isJsonObject(value) ? value : {}, '', element);
  if (!isJsonObject(value)) {
    r.fail('not_an_object', '', `expected an object, got ${describeValue(value)}`);
    return { message: null, error: r.error! };
  }
  const eventType = value.event_type;
  const type = value.type;
  const kindFromType = type === 'TRADE' ? 'trade' : typeof type === 'string' && ORDER_TYPES_ON_WIRE.includes(type) ? 'order' : null;
  let kind: 'order' | 'trade';
  if (eventType === 'order' || eventType === 'trade') {
    kind = eventType;
    if (kindFromType !== null && kindFromType !== kind) {
      r.fail('invalid_field', 'type', `${describeValue(type)} is not a type of ${kind} events`);
      return { message: null, error: r.error! };
    }
  } else if (eventType === undefined || eventType === null) {
    if (kindFromType === null) {
      r.fail('missing_event_type', 'event_type', 'required (and type does not tell: ' + describeValue(type) + ')');
      return { message: null, error: r.error! };
    }
    kind = kindFromType;
  } else {
    r.fail('unknown_event_type', 'event_type', `not a user-channel event: ${describeValue(eventType)}`);
    return { message: null, error: r.error! };
  }
  const message = kind === 'order' ? decodeOrder(value, r) : decodeTrade(value, r);
  return r.error !== null ? { message: null, error: r.error } : { message, error: null };
}

/** `CANCELED_order couldn't be fully filled…` → CANCELED plus the venue's reason. */
function splitStatus(o: Obj, r: FieldReader): { status: OrderStatus; detail: string | null } {
  const v = o.status;
  if (typeof v === 'string') {
    for (const s of STATUSES_LONGEST_FIRST) {
      if (v === s) return { status: s, detail: null };
      if (v.length > s.length + 1 && v.startsWith(s) && v.charCodeAt(s.length) === 95 /* _ */) return { status: s, detail: v.slice(s.length + 1) };
    }
  }
  r.oneOf('status', ORDER_STATUSES);
  return { status: 'LIVE', detail: null };
}

function decodeOrder(o: Obj, r: FieldReader): UserOrderMessage {
  const { status, detail } = splitStatus(o, r);
  return {
    kind: 'order',
    type: r.oneOf('type', ORDER_EVENT_TYPES),
    id: r.string('id'),
    market: r.string('market'),
    asset_id: r.string('asset_id'),
    side: r.oneOf('side', SIDES),
    outcome: r.optionalString('outcome'),
    price: r.decimal('price', 0, 1),
    original_size: r.decimal('original_size', 0),
    size_matched: r.optionalDecimal('size_matched', 0, 0),
    status,
    status_detail: detail,
    order_type: r.optionalOneOf('order_type', ORDER_TIME_IN_FORCE),
    associate_trades: r.stringList('associate_trades'),
    owner: r.optionalString('owner'),
    order_owner: r.optionalString('order_owner'),
    maker_address: r.optionalString('maker_address'),
    created_at: r.epoch('created_at', false),
    expiration: r.epoch('expiration', false, true),
    timestamp: r.epoch('timestamp', true) ?? 0,
  };
}

function decodeTrade(o: Obj, r: FieldReader): UserTradeMessage {
  if (o.type !== undefined && o.type !== null && o.type !== 'TRADE') r.fail('invalid_field', 'type', `expected TRADE, got ${describeValue(o.type)}`);
  const trade: UserTradeMessage = {
    kind: 'trade',
    id: r.string('id'),
    taker_order_id: r.string('taker_order_id'),
    market: r.string('market'),
    asset_id: r.string('asset_id'),
    side: r.oneOf('side', SIDES),
    outcome: r.optionalString('outcome'),
    price: r.decimal('price', 0, 1),
    size: r.decimal('size', 0),
    fee_rate_bps: r.optionalDecimal('fee_rate_bps', 0, null),
    status: r.oneOf('status', TRADE_STATUSES),
    trader_side: r.optionalOneOf('trader_side', TRADER_SIDES),
    match_time: r.epoch('match_time', false),
    last_update: r.epoch('last_update', false),
    timestamp: r.epoch('timestamp', true) ?? 0,
    owner: r.optionalString('owner'),
    trade_owner: r.optionalString('trade_owner'),
    maker_address: r.optionalString('maker_address'),
    transaction_hash: r.optionalString('transaction_hash'),
    bucket_index: r.optionalIndex('bucket_index'),
    maker_orders: [],
  };
  const makers = o.maker_orders;
  if (makers === undefined || makers === null || r.error !== null) return trade;
  if (!Array.isArray(makers)) {
    r.fail('invalid_field', 'maker_orders', `expected an array, got ${describeValue(makers)}`);
    return trade;
  }
  for (let i = 0; i < makers.length; i++) {
    const entry: unknown = makers[i];
    if (!isJsonObject(entry)) {
      r.fail('invalid_field', `maker_orders[${i}]`, `expected an object, got ${describeValue(entry)}`);
      return trade;
    }
    const m = new FieldReader(entry, `maker_orders[${i}]`, r.element);
    const fill: MakerOrderFill = {
      order_id: m.string('order_id'),
      asset_id: m.string('asset_id'),
      price: m.decimal('price', 0, 1),
      matched_amount: m.decimal('matched_amount', 0),
      outcome: m.optionalString('outcome'),
      side: m.optionalOneOf('side', SIDES),
      fee_rate_bps: m.optionalDecimal('fee_rate_bps', 0, null),
      owner: m.optionalString('owner'),
      maker_address: m.optionalString('maker_address'),
    };
    if (m.error !== null) {
      r.error = m.error;
      return trade;
    }
    trade.maker_orders.push(fill);
  }
  return trade;
}
