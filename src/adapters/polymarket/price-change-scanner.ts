/**
 * Fast path for the most frequent frame: a single current-format `price_change` object. It reads the
 * frame text directly (no JSON.parse, no intermediate objects) and either returns exactly the message
 * the general decoder would produce, or null, meaning "not handled": the caller then runs the general
 * decoder, which also owns every error report. So the scanner may bail out on anything unusual
 * (escapes, whitespace other than spaces, numbers written as JSON numbers, unknown nested fields,
 * duplicate keys, other event types) without loss of correctness; it must only never accept text
 * JSON.parse would reject, nor read it differently.
 */
import type { BookSide, PriceChangeMessage, PriceLevelChange } from '../../domain/market/messages.ts';
import { decimalStop, fastDecimal } from './decimal.ts';
import { isEpochMs } from './epoch-ms.ts';

/**
 * A control character or a backslash anywhere sends the frame to the general decoder. Past this
 * check every string ends at its next quote (no escapes) and needs no content check (JSON forbids
 * raw control characters inside strings). One native regex pass is far cheaper than checking
 * characters one by one in JS.
 */
const NEEDS_GENERAL_DECODER = /[\x00-\x1f\\]/;

/** Marks an optional decimal sent as "" or null (prices are never negative, so -1 cannot collide). */
const EMPTY = -1;

/**
 * Keys are recognized by packing their characters 7 bits each into two doubles (chars 0–6, 7–13):
 * exact for ASCII keys of up to 14 characters, and injective because no character is 0. One pass
 * over the key, then plain number comparisons: no substring, no per-candidate string compare.
 * Longer or non-ASCII keys pack to NaN and match nothing.
 */
function packA(word: string): number {
  let a = 0;
  for (let i = 0; i < word.length && i < 7; i++) a = a * 128 + word.charCodeAt(i);
  return a;
}
function packB(word: string): number {
  let b = 0;
  for (let i = 7; i < word.length; i++) b = b * 128 + word.charCodeAt(i);
  return b;
}
const MARKET_A = packA('market');
const TIMESTAMP_A = packA('timestamp');
const TIMESTAMP_B = packB('timestamp');
const EVENT_TYPE_A = packA('event_type');
const EVENT_TYPE_B = packB('event_type');
const PRICE_CHANGE_A = packA('price_change');
const PRICE_CHANGE_B = packB('price_change');
const PRICE_CHANGES_A = packA('price_changes');
const PRICE_CHANGES_B = packB('price_changes');
const ASSET_ID_A = packA('asset_id');
const ASSET_ID_B = packB('asset_id');
const PRICE_A = packA('price');
const SIZE_A = packA('size');
const SIDE_A = packA('side');
const HASH_A = packA('hash');
const BEST_BID_A = packA('best_bid');
const BEST_BID_B = packB('best_bid');
const BEST_ASK_A = packA('best_ask');
const BEST_ASK_B = packB('best_ask');
const BUY_A = packA('BUY');
const SELL_A = packA('SELL');

class FrameScanner {
  src = '';
  pos = 0;
  /** Content span of the last string read: src[strStart, strEnd). */
  strStart = 0;
  strEnd = 0;
  /** The last key, packed (see packA/packB). */
  keyA = 0;
  keyB = 0;

  scan(raw: string): PriceChangeMessage | null {
    if (NEEDS_GENERAL_DECODER.test(raw)) return null;
    this.src = raw;
    this.pos = 0;
    let msg = this.frameInVenueLayout();
    if (msg === null) {
      this.pos = 0;
      msg = this.frame();
    }
    this.src = '';
    return msg;
  }

  /**
   * The frame exactly as the venue lays it out (docs example: compact, keys in this order): fixed
   * stretches of text are compared in place and values read up to their closing quote, with no
   * per-key work. Any departure returns null and the key-by-key reader below takes over.
   */
  private frameInVenueLayout(): PriceChangeMessage | null {
    const src = this.src;
    if (!same(src, 0, '{"market":"')) return null;
    const marketEnd = src.indexOf('"', 11);
    if (marketEnd <= 11 || !same(src, marketEnd, '","price_changes":')) return null;
    this.pos = marketEnd + 18;
    const changes = this.changes();
    if (changes === null) return null;
    if (!same(src, this.pos, ',"timestamp":"')) return null;
    const timestamp = fastDecimal(src, this.pos + 14, -1);
    const tsEnd = decimalStop();
    // An implausible time is left to the general decoder, which reports it.
    if (!isEpochMs(timestamp) || !same(src, tsEnd, '","event_type":"price_change"}') || tsEnd + 30 !== src.length) return null;
    return { kind: 'price_change', market: src.slice(11, marketEnd), timestamp, format: 'price_changes', changes };
  }

  private frame(): PriceChangeMessage | null {
    const src = this.src;
    this.skipSpaces();
    if (src.charCodeAt(this.pos) !== 123 /* { */) return null;
    this.pos++;
    let market: string | null = null;
    let timestamp = NaN;
    let changes: PriceLevelChange[] | null = null;
    let eventTypeSeen = false;
    for (;;) {
      if (!this.key()) return null;
      const ka = this.keyA;
      const kb = this.keyB;
      if (ka === MARKET_A && kb === 0) {
        if (market !== null || !this.string() || this.strEnd === this.strStart) return null;
        market = src.slice(this.strStart, this.strEnd);
      } else if (ka === TIMESTAMP_A && kb === TIMESTAMP_B) {
        if (timestamp === timestamp || !this.string()) return null;
        timestamp = fastDecimal(src, this.strStart, this.strEnd);
        if (!isEpochMs(timestamp)) return null;
      } else if (ka === EVENT_TYPE_A && kb === EVENT_TYPE_B) {
        if (eventTypeSeen || !this.key0()) return null;
        if (this.keyA !== PRICE_CHANGE_A || this.keyB !== PRICE_CHANGE_B) return null;
        eventTypeSeen = true;
      } else if (ka === PRICE_CHANGES_A && kb === PRICE_CHANGES_B) {
        if (changes !== null) return null;
        changes = this.changes();
        if (changes === null) return null;
      } else {
        return null;
      }
      const c = this.separator();
      if (c === 44 /* , */) continue;
      if (c !== 125 /* } */) return null;
      break;
    }
    this.skipSpaces();
    if (this.pos !== src.length || market === null || timestamp !== timestamp || changes === null || !eventTypeSeen) return null;
    return { kind: 'price_change', market, timestamp, format: 'price_changes', changes };
  }

  private changes(): PriceLevelChange[] | null {
    const src = this.src;
    if (src.charCodeAt(this.pos) !== 91 /* [ */) return null;
    this.pos++;
    const changes: PriceLevelChange[] = [];
    this.skipSpaces();
    if (src.charCodeAt(this.pos) === 93 /* ] */) {
      this.pos++;
      return changes;
    }
    for (;;) {
      this.skipSpaces();
      const change = this.changeInVenueLayout() ?? this.change();
      if (change === null) return null;
      changes.push(change);
      const c = this.separator();
      if (c === 44 /* , */) continue;
      return c === 93 /* ] */ ? changes : null;
    }
  }

  /** One change laid out as the venue writes it (see frameInVenueLayout); null, pos untouched, otherwise. */
  private changeInVenueLayout(): PriceLevelChange | null {
    const src = this.src;
    let p = this.pos;
    if (!same(src, p, '{"asset_id":"')) return null;
    const assetStart = p + 13;
    const assetEnd = src.indexOf('"', assetStart);
    if (assetEnd <= assetStart || !same(src, assetEnd, '","price":"')) return null;
    const price = fastDecimal(src, assetEnd + 11, -1);
    let e = decimalStop();
    if (!(price >= 0) || !same(src, e, '","size":"')) return null;
    const size = fastDecimal(src, e + 10, -1);
    e = decimalStop();
    if (!(size >= 0) || !same(src, e, '","side":"')) return null;
    p = e + 10;
    let side: BookSide;
    if (same(src, p, 'BUY"')) {
      side = 'BUY';
      e = p + 3;
    } else if (same(src, p, 'SELL"')) {
      side = 'SELL';
      e = p + 4;
    } else {
      return null;
    }
    if (!same(src, e, '","hash":"')) return null;
    const hashStart = e + 10;
    const hashEnd = src.indexOf('"', hashStart);
    if (hashEnd === -1) return null;
    let bestBid: number | null = null;
    let bestAsk: number | null = null;
    if (same(src, hashEnd, '"}')) {
      // Frames without the best_bid/best_ask pair (the recorded export's layout): read in place too,
      // or they pay for this attempt and then the key-by-key reader.
      e = hashEnd;
    } else {
      if (!same(src, hashEnd, '","best_bid":"')) return null;
      p = hashEnd + 14;
      bestBid = src.charCodeAt(p) === 34 ? null : fastDecimal(src, p, -1);
      e = bestBid === null ? p : decimalStop();
      if ((bestBid !== null && !(bestBid >= 0)) || !same(src, e, '","best_ask":"')) return null;
      p = e + 14;
      bestAsk = src.charCodeAt(p) === 34 ? null : fastDecimal(src, p, -1);
      e = bestAsk === null ? p : decimalStop();
      if ((bestAsk !== null && !(bestAsk >= 0)) || !same(src, e, '"}')) return null;
    }
    this.pos = e + 2;
    return {
      asset_id: src.slice(assetStart, assetEnd),
      side,
      price,
      size,
      best_bid: bestBid,
      best_ask: bestAsk,
      hash: hashEnd === hashStart ? null : src.slice(hashStart, hashEnd),
    };
  }

  private change(): PriceLevelChange | null {
    const src = this.src;
    if (src.charCodeAt(this.pos) !== 123 /* { */) return null;
    this.pos++;
    let assetId: string | null = null;
    let side: BookSide | null = null;
    let price = NaN;
    let size = NaN;
    let hash: string | null = null;
    let hashSeen = false;
    // NaN = not sent yet; EMPTY = sent as "" or null.
    let bestBid = NaN;
    let bestAsk = NaN;
    for (;;) {
      if (!this.key()) return null;
      const ka = this.keyA;
      const kb = this.keyB;
      if (ka === ASSET_ID_A && kb === ASSET_ID_B) {
        if (assetId !== null || !this.string() || this.strEnd === this.strStart) return null;
        assetId = src.slice(this.strStart, this.strEnd);
      } else if (ka === PRICE_A && kb === 0) {
        if (price === price || !this.string()) return null;
        price = fastDecimal(src, this.strStart, this.strEnd);
        if (!(price >= 0)) return null;
      } else if (ka === SIZE_A && kb === 0) {
        if (size === size || !this.string()) return null;
        size = fastDecimal(src, this.strStart, this.strEnd);
        if (!(size >= 0)) return null;
      } else if (ka === SIDE_A && kb === 0) {
        if (side !== null || !this.key0()) return null;
        if (this.keyA === BUY_A && this.keyB === 0) side = 'BUY';
        else if (this.keyA === SELL_A && this.keyB === 0) side = 'SELL';
        else return null;
      } else if (ka === HASH_A && kb === 0) {
        if (hashSeen || !this.string()) return null;
        hashSeen = true;
        hash = this.strEnd === this.strStart ? null : src.slice(this.strStart, this.strEnd);
      } else if (ka === BEST_BID_A && kb === BEST_BID_B) {
        if (bestBid === bestBid) return null;
        bestBid = this.optionalDecimal();
        if (bestBid !== bestBid) return null;
      } else if (ka === BEST_ASK_A && kb === BEST_ASK_B) {
        if (bestAsk === bestAsk) return null;
        bestAsk = this.optionalDecimal();
        if (bestAsk !== bestAsk) return null;
      } else if (!this.scalar()) {
        return null;
      }
      const c = this.separator();
      if (c === 44 /* , */) continue;
      if (c !== 125 /* } */) return null;
      break;
    }
    if (assetId === null || side === null || price !== price || size !== size) return null;
    return {
      asset_id: assetId,
      side,
      price,
      size,
      best_bid: bestBid === bestBid && bestBid !== EMPTY ? bestBid : null,
      best_ask: bestAsk === bestAsk && bestAsk !== EMPTY ? bestAsk : null,
      hash,
    };
  }

  /** `"key"` then `:`; the key is left packed in keyA/keyB. */
  private key(): boolean {
    this.skipSpaces();
    if (!this.key0()) return false;
    this.skipSpaces();
    if (this.src.charCodeAt(this.pos) !== 58 /* : */) return false;
    this.pos++;
    this.skipSpaces();
    return true;
  }

  /** A string at pos, packed into keyA/keyB instead of being sliced. */
  private key0(): boolean {
    const src = this.src;
    const start = this.pos + 1;
    if (src.charCodeAt(this.pos) !== 34 /* " */) return false;
    const end = src.indexOf('"', start);
    if (end === -1) return false;
    let a = 0;
    let b = 0;
    if (end - start <= 14) {
      const split = end - start < 7 ? end : start + 7;
      let i = start;
      let high = 0;
      for (; i < split; i++) {
        const c = src.charCodeAt(i);
        high |= c;
        a = a * 128 + c;
      }
      for (; i < end; i++) {
        const c = src.charCodeAt(i);
        high |= c;
        b = b * 128 + c;
      }
      if (high >= 128) a = NaN; // non-ASCII: would not pack exactly, and is no key we know
    } else {
      a = NaN;
    }
    this.pos = end + 1;
    this.keyA = a;
    this.keyB = b;
    return true;
  }

  /** The character after a value (spaces skipped), consumed. */
  private separator(): number {
    this.skipSpaces();
    return this.src.charCodeAt(this.pos++);
  }

  /** A string at pos (no escapes possible here, see NEEDS_GENERAL_DECODER). */
  private string(): boolean {
    const src = this.src;
    if (src.charCodeAt(this.pos) !== 34 /* " */) return false;
    const end = src.indexOf('"', this.pos + 1);
    if (end === -1) return false;
    this.strStart = this.pos + 1;
    this.strEnd = end;
    this.pos = end + 1;
    return true;
  }

  /** A decimal string ≥ 0, or "" / null (EMPTY); NaN for anything else. */
  private optionalDecimal(): number {
    const src = this.src;
    if (src.charCodeAt(this.pos) === 110 /* n */) {
      if (!same(src, this.pos, 'null')) return NaN;
      this.pos += 4;
      return EMPTY;
    }
    if (!this.string()) return NaN;
    if (this.strEnd === this.strStart) return EMPTY;
    const v = fastDecimal(src, this.strStart, this.strEnd);
    return v >= 0 ? v : NaN;
  }

  /** An unknown field's value: a string, a JSON number, true, false or null. */
  private scalar(): boolean {
    const src = this.src;
    const c = src.charCodeAt(this.pos);
    if (c === 34) return this.string();
    const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : '';
    if (word !== '') {
      if (!same(src, this.pos, word)) return false;
      this.pos += word.length;
      return true;
    }
    return this.jsonNumber();
  }

  /** JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private jsonNumber(): boolean {
    const src = this.src;
    let i = this.pos;
    if (src.charCodeAt(i) === 45) i++;
    const intStart = i;
    while (isDigit(src.charCodeAt(i))) i++;
    if (i === intStart || (i - intStart > 1 && src.charCodeAt(intStart) === 48)) return false;
    if (src.charCodeAt(i) === 46) {
      const fracStart = ++i;
      while (isDigit(src.charCodeAt(i))) i++;
      if (i === fracStart) return false;
    }
    const e = src.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = src.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      const expStart = i;
      while (isDigit(src.charCodeAt(i))) i++;
      if (i === expStart) return false;
    }
    this.pos = i;
    return true;
  }

  private skipSpaces(): void {
    while (this.src.charCodeAt(this.pos) === 32) this.pos++;
  }
}

/** src[at, at + word.length) === word, without allocating. */
function same(src: string, at: number, word: string): boolean {
  const n = word.length;
  if (at + n > src.length) return false;
  for (let i = 0; i < n; i++) if (src.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const scanner = new FrameScanner();

/** The frame's message when it is a plain current-format price_change; null to use the general decoder. */
export function scanPriceChangeFrame(raw: string): PriceChangeMessage | null {
  return scanner.scan(raw);
}
