import { dataViewOf, Fragment } from './byte-fragment.ts';

/**
 * JSON with a stable key order, so two equal events always serialize to the same bytes (replay
 * compares files byte for byte): the envelope's fields in a fixed order, every nested object with
 * its keys sorted.
 *
 * Written straight as UTF-8 bytes by `StableJsonWriter`: the journal recorder serializes every
 * event on the hot path, and building the line as a string first (a rope of many small strings,
 * flattened, then encoded) cost several times the bytes themselves and most of the garbage per
 * recorded event. The string forms below go through the same writer, so there is one serializer.
 */
const ENVELOPE_ORDER = [
  'schema_version',
  'event_id',
  'correlation_id',
  'causation_id',
  'ch',
  'type',
  'ts_ingest',
  'ts_source',
  'market_id',
  'token_id',
  'station_id',
  'match_id',
  'window_id',
  'payload',
] as const;
const ENVELOPE_KEYS = new Set<string>(ENVELOPE_ORDER);
/** `"key":` for each envelope key, and the same led by a comma. */
const ENVELOPE_FIRST = ENVELOPE_ORDER.map((k) => `"${k}":`);
const ENVELOPE_NEXT = ENVELOPE_ORDER.map((k) => `,"${k}":`);
const WINDOW_ID_INDEX = ENVELOPE_ORDER.indexOf('window_id');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const DOT = 0x2e;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const INT32_LIMIT = 2 ** 31;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type ByteAllocator = (size: number) => Uint8Array;

/**
 * Appends stable JSON to a growable byte array. `bytes[0, pos)` is what was written; the array is
 * replaced (by `allocate`, doubling) when a write needs more room, so read `bytes` after writing.
 */
export class StableJsonWriter {
  private buffer: Uint8Array;
  /** `bytes` as a DataView, for `fragment`'s word stores. */
  private view: DataView;
  pos = 0;

  constructor(
    capacity: number,
    private readonly allocate: ByteAllocator = (size) => new Uint8Array(size),
  ) {
    this.buffer = allocate(Math.max(16, capacity));
    this.view = dataViewOf(this.buffer);
  }

  get bytes(): Uint8Array {
    return this.buffer;
  }

  set bytes(bytes: Uint8Array) {
    this.buffer = bytes;
    this.view = dataViewOf(bytes);
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.buffer.length - this.pos < n) this.grow(n);
  }

  private grow(n: number): void {
    let capacity = this.buffer.length * 2;
    while (capacity - this.pos < n) capacity *= 2;
    const next = this.allocate(capacity);
    next.set(this.buffer.subarray(0, this.pos));
    this.bytes = next;
  }

  /** Text that is ASCII and needs no escaping (this module's and the caller's fixed fragments). */
  ascii(text: string): void {
    const n = text.length;
    this.room(n);
    const b = this.buffer;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, as UTF-8 (no quoting or escaping). */
  utf8(text: string): void {
    this.room(3 * text.length);
    this.pos += encoder.encodeInto(text, this.buffer.subarray(this.pos)).written;
  }

  /** A JSON string: printable ASCII is copied as it is read; anything else goes through `JSON.stringify`. */
  string(text: string): void {
    const n = text.length;
    if (n >= QUOTED_MIN_LENGTH) return this.raw(quotedBytes(text));
    this.room(n + 2);
    const b = this.buffer;
    let p = this.pos;
    b[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.utf8(JSON.stringify(text));
        return;
      }
      b[p++] = c;
    }
    b[p++] = QUOTE;
    this.pos = p;
  }

  /** As `JSON.stringify` writes a number (non-finite ones as null). */
  number(value: number): void {
    if (Number.isInteger(value) && value > -MAX_SAFE && value < MAX_SAFE) this.integer(value);
    else if (!Number.isFinite(value)) this.ascii('null');
    else if (!this.shortDecimal(value)) this.ascii(String(value));
  }

  /**
   * A non-integer with at most six decimals (prices, sizes, rates), digits written straight: what
   * `String` gives, without its string (a conversion and an allocation per number on the hot path).
   * The fewest decimals `d` for which `m / 10^d` is the value exactly is JavaScript's shortest
   * round-trip spelling: below 1e9 two such decimals are further apart than the value's rounding
   * interval, so no other spelling of `d` decimals exists, and none with fewer reads back as the
   * value. Those decimals are found in one step: below 1e9, `abs * 10^6` is within a quarter of the
   * integer `m * 10^(6-d)` when `m / 10^d` is the value, so the value has at most six decimals
   * exactly when `round(abs * 10^6) / 10^6` is the value, and `d` is six less the trailing zeros.
   * False (nothing written) outside [1e-6, 1e9) or with more decimals.
   */
  private shortDecimal(value: number): boolean {
    const abs = value < 0 ? -value : value;
    if (!(abs >= 1e-6 && abs < 1e9)) return false;
    const micros = Math.round(abs * 1e6);
    if (micros / 1e6 !== abs) return false;
    const whole = Math.floor(micros / 1e6);
    // Below 10^6 (int32); not 0, as the value is not an integer.
    let frac = (micros - whole * 1e6) | 0;
    let d = 6;
    for (let q = (frac / 10) | 0; frac === q * 10; q = (frac / 10) | 0) {
      frac = q;
      d--;
    }
    if (value < 0) this.byte(MINUS);
    this.room(17);
    this.smallInteger(whole);
    const b = this.buffer;
    b[this.pos] = DOT;
    for (let i = d; i >= 1; i--) {
      const q = (frac / 10) | 0;
      b[this.pos + i] = ZERO + (frac - q * 10);
      frac = q;
    }
    this.pos += d + 1;
    return true;
  }

  /** A safe integer's digits, without a string in between. */
  integer(value: number): void {
    this.room(17);
    let v = value;
    if (v < 0) {
      this.buffer[this.pos++] = MINUS;
      v = -v;
    }
    if (v < INT32_LIMIT) return this.smallInteger(v);
    // Two halves each in int32 range (timestamps, ids): integer division there is a multiply,
    // where a double takes a division and a floor per digit.
    const high = Math.floor(v / 1e8);
    this.smallInteger(high);
    let low = v - high * 1e8;
    const b = this.buffer;
    let p = this.pos + 8;
    this.pos = p;
    for (let i = 0; i < 8; i++) {
      const q = (low / 10) | 0;
      b[--p] = ZERO + (low - q * 10);
      low = q;
    }
  }

  /** Digits of an integer in [0, 2^31). */
  private smallInteger(value: number): void {
    let v = value | 0;
    let digits = 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) digits++;
    const b = this.buffer;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = (v / 10) | 0;
      b[--p] = ZERO + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  value(value: unknown): void {
    switch (typeof value) {
      case 'number':
        return this.number(value);
      case 'string':
        return this.string(value);
      case 'boolean':
        return this.ascii(value ? 'true' : 'false');
      case 'bigint':
        return this.ascii(value.toString());
      case 'object':
        break;
      default:
        // undefined (in an array), functions, symbols
        return this.ascii('null');
    }
    if (value === null) return this.ascii('null');
    if (Array.isArray(value)) {
      this.room(1);
      this.buffer[this.pos++] = 0x5b;
      for (let i = 0; i < value.length; i++) {
        if (i) this.byte(COMMA);
        this.value(value[i]);
      }
      return this.byte(0x5d);
    }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return this.value((value as { toJSON(): unknown }).toJSON());
    const obj = value as Record<string, unknown>;
    this.byte(0x7b);
    const shape = shapeOf(obj);
    if (shape.lead) this.members(obj, shape.sorted, shape.lead, shape.next);
    else {
      let first = true;
      for (const k of shape.sorted) first = this.member(obj, k, first);
    }
    this.byte(0x7d);
  }

  /**
   * The defined members among `keys`, each led by its precomputed `"k":` (`lead`) or `,"k":`
   * (`next`): the key's bytes are copied, not scanned for escapes on every write. `windowId` fills
   * the member at `windowAt` when the object has no value there.
   */
  private members(
    obj: Record<string, unknown>,
    keys: readonly string[],
    lead: readonly Fragment[],
    next: readonly Fragment[],
    windowAt = -1,
    windowId?: string,
  ): void {
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      let v = obj[keys[i]!];
      if (v === undefined) {
        if (i !== windowAt || windowId === undefined) continue;
        v = windowId;
      }
      this.fragment(first ? lead[i]! : next[i]!);
      first = false;
      this.value(v);
    }
  }

  /** A fragment's bytes: its whole words, then the bytes after them. */
  fragment(f: Fragment): void {
    const bytes = f.bytes;
    const n = bytes.length;
    this.room(n);
    const view = this.view;
    const words = f.words;
    const p = this.pos;
    let i = 0;
    for (; i < words.length; i++) view.setUint32(p + 4 * i, words[i]!, true);
    const b = this.buffer;
    for (i *= 4; i < n; i++) b[p + i] = bytes[i]!;
    this.pos = p + n;
  }

  /** Bytes as they are (a fragment this writer wrote before). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const b = this.buffer;
    let p = this.pos;
    // A key's few bytes in a loop; longer fragments (a journal line's zone fields) with `set`.
    if (n > 32) b.set(bytes, p);
    else for (let i = 0; i < n; i++) b[p + i] = bytes[i]!;
    this.pos = p + n;
  }

  /**
   * An event envelope without its closing brace (a caller may add fields): the known envelope keys
   * in their fixed order, then any other keys sorted. `windowId` fills `window_id` when the event
   * has none (the recorder stamps it in its envelope place).
   */
  envelopeOpen(event: object, windowId?: string): void {
    const obj = event as Record<string, unknown>;
    this.byte(0x7b);
    // An event's envelope keys are its own; another prototype might lend it some (read as before).
    const shape = Object.getPrototypeOf(obj) === Object.prototype ? shapeOf(obj) : null;
    const plan = shape?.lead ? (shape.envelope ??= envelopePlan(shape.keys)) : null;
    if (plan) return this.members(obj, plan.keys, plan.lead, plan.next, plan.windowAt, windowId);
    let first = true;
    for (let i = 0; i < ENVELOPE_ORDER.length; i++) {
      let v = obj[ENVELOPE_ORDER[i]!];
      if (v === undefined && i === WINDOW_ID_INDEX) v = windowId;
      if (v === undefined) continue;
      this.ascii(first ? ENVELOPE_FIRST[i]! : ENVELOPE_NEXT[i]!);
      this.value(v);
      first = false;
    }
    let extras: string[] | undefined;
    for (const k in obj) if (!ENVELOPE_KEYS.has(k) && Object.hasOwn(obj, k)) (extras ??= []).push(k);
    if (!extras) return;
    for (const k of extras.sort()) first = this.member(obj, k, first);
  }

  byte(code: number): void {
    this.room(1);
    this.buffer[this.pos++] = code;
  }

  /** `"k":value` (comma-led unless first) when the value is defined; returns whether still nothing was written. */
  private member(obj: Record<string, unknown>, k: string, first: boolean): boolean {
    const v = obj[k];
    if (v === undefined) return first;
    if (!first) this.byte(COMMA);
    this.string(k);
    this.byte(COLON);
    this.value(v);
    return false;
  }

  /** The bytes written, decoded (for the string forms). */
  text(): string {
    return decoder.decode(this.buffer.subarray(0, this.pos));
  }
}

/**
 * Sorted key lists by shape: objects built by one code path share their key order, so a list seen
 * before is looked up by its first key and compared key by key (no joined signature string per call).
 * The keys are gathered into a reused scratch list, so a shape seen before costs no allocation
 * (`Object.keys` made an array per object written: a few per journal line). A cached shape also
 * holds each sorted key's `"k":` and `,"k":` as UTF-8. Past `SHAPE_LIMIT` shapes (records keyed by
 * ids make a shape each), a new shape is sorted on every write and its keys written as strings.
 */
interface Shape {
  keys: string[];
  sorted: string[];
  /** Per sorted key, `"k":` (the object's first member) and `,"k":`; null for a shape not cached. */
  lead: Fragment[] | null;
  next: Fragment[];
  /** The order `envelopeOpen` writes an object of this shape in, made on its first such write. */
  envelope?: EnvelopePlan;
}

/** An envelope's members in writing order: the envelope keys it has (and `window_id`), then the others sorted. */
interface EnvelopePlan {
  keys: string[];
  lead: Fragment[];
  next: Fragment[];
  /** Where `window_id` is: a window id passed to `envelopeOpen` fills it when the event has none. */
  windowAt: number;
}

function envelopePlan(own: readonly string[]): EnvelopePlan {
  const present = new Set(own);
  const keys: string[] = ENVELOPE_ORDER.filter((k) => present.has(k) || k === 'window_id');
  keys.push(...own.filter((k) => !ENVELOPE_KEYS.has(k)).sort());
  return { keys, lead: keys.map((k) => memberLead(k, false)), next: keys.map((k) => memberLead(k, true)), windowAt: keys.indexOf('window_id') };
}
const shapesByFirstKey = new Map<string, Shape[]>();
let shapeCount = 0;
const SHAPE_LIMIT = 4096;
const scratchKeys: string[] = [];
// Called as a method inside `for-in` (with `Object.hasOwn` there, writing was ~8 % slower).
const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY_SHAPE: Shape = { keys: [], sorted: [], lead: [], next: [] };

function shapeOf(obj: Record<string, unknown>): Shape {
  // Own enumerable keys in property order, as Object.keys gives them.
  let n = 0;
  for (const k in obj) if (hasOwn.call(obj, k)) scratchKeys[n++] = k;
  if (n === 0) return EMPTY_SHAPE;
  const bucket = shapesByFirstKey.get(scratchKeys[0]!);
  if (bucket) {
    for (const shape of bucket) if (sameKeys(shape.keys, scratchKeys, n)) return shape;
  }
  const keys = scratchKeys.slice(0, n);
  const sorted = n < 2 || isSorted(keys) ? keys : keys.slice().sort();
  if (shapeCount >= SHAPE_LIMIT) return { keys, sorted, lead: null, next: [] };
  const shape: Shape = { keys, sorted, lead: sorted.map((k) => memberLead(k, false)), next: sorted.map((k) => memberLead(k, true)) };
  shapeCount++;
  if (bucket) bucket.push(shape);
  else shapesByFirstKey.set(keys[0]!, [shape]);
  return shape;
}

/**
 * Long strings as written, quoted, by the string itself: the ids every market event carries (the
 * 66-character condition id, the 77-digit token id, a window's id) recur line after line, and
 * copying their bytes costs less than reading each character for escapes again. Shorter strings
 * (event ids, types, sides) are read as before; the cache is emptied when full, so ids of markets
 * that left do not stay.
 */
const QUOTED_MIN_LENGTH = 60;
const QUOTED_LIMIT = 4096;
const quoted = new Map<string, Uint8Array>();

function quotedBytes(text: string): Uint8Array {
  let bytes = quoted.get(text);
  if (bytes === undefined) {
    if (quoted.size >= QUOTED_LIMIT) quoted.clear();
    bytes = encoder.encode(JSON.stringify(text));
    quoted.set(text, bytes);
  }
  return bytes;
}

/** `"k":` (or `,"k":`) exactly as `string` and `byte` write it. */
function memberLead(key: string, comma: boolean): Fragment {
  return new Fragment(encoder.encode(`${comma ? ',' : ''}${JSON.stringify(key)}:`));
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** `a` equals the first `n` entries of `b`. */
function sameKeys(a: readonly string[], b: readonly string[], n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One writer reused for the string forms; a nested call (from a `toJSON`) takes its own. */
const scratch = new StableJsonWriter(4096);
let scratchBusy = false;

function asText(write: (w: StableJsonWriter) => void): string {
  if (scratchBusy) {
    const own = new StableJsonWriter(256);
    write(own);
    return own.text();
  }
  scratchBusy = true;
  try {
    scratch.pos = 0;
    write(scratch);
    return scratch.text();
  } finally {
    scratchBusy = false;
    // A writer that grew for one large value does not keep that much for good.
    if (scratch.bytes.length > 1 << 20) scratch.bytes = new Uint8Array(4096);
  }
}

/**
 * `value` as plain JSON data (a JSON round trip: it serializes to the same bytes). For large values
 * serialized once before the hot path runs (the dispatch log's header, the market catalog): V8
 * optimizes this writer on what it serializes first, and the live market objects (built by spreads
 * and field-by-field) left code that wrote every later event at half speed for the life of the
 * process, while parsed copies of them do not (BENCHMARKS.md, seventh pass).
 */
export function plainData<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function stableStringify(value: unknown): string {
  return asText((w) => w.value(value));
}

/** Serialize an event envelope: known envelope keys in fixed order, any extra keys sorted after. */
export function serializeEnvelope(event: object): string {
  return asText((w) => {
    w.envelopeOpen(event);
    w.byte(0x7d);
  });
}
