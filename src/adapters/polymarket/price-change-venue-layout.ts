import { AsciiBytes } from '../../domain/book/ascii-bytes.ts';
import { isEpochMs } from './epoch-ms.ts';
import { NO_HASH, type ScannedPriceChange } from './scanned-price-change.ts';

/**
 * A price_change frame laid out exactly as the venue writes it (docs example: compact, keys in
 * this order, best_bid/best_ask optional per change; side before size is read too), from its bytes.
 *
 * Why bytes: the frame is copied once, natively, into a reused buffer; after that the fixed
 * stretches of text ('","price":"' …) are compared eight bytes at a time (`AsciiBytes`) and the
 * numbers read from byte loads, where the same work on the string costs a native call per stretch
 * (`indexOf`, ~20 ns) and a representation dispatch per `charCodeAt`. Only ASCII frames are read
 * (then byte i is character i, so the spans written into `out` index the string as well); anything
 * else is refused.
 *
 * Refusing is always safe (the caller falls back to the key-by-key scanner or the general decoder);
 * accepting must mean the text is valid JSON that JSON.parse reads the same way. Every byte is
 * accounted for: fixed stretches compared exactly, numbers as digits with at most one '.', every
 * string (market, asset ids, hashes) refused if it holds a control character, a backslash or a
 * byte above 0x7f; what the market and the asset ids say is left to the caller, who matches them
 * against plain strings it knows.
 */
export class VenueLayoutReader {
  private bytes = new Uint8Array(2048);
  private view = new DataView(this.bytes.buffer);
  private readonly encoder = new TextEncoder();
  /** Where the last decimal stopped (the index of its closing quote when it succeeded). */
  private stop = 0;
  /** The frame's timestamp, read as the changes' numbers are: into a column. */
  private readonly timestamp = new Float64Array(1);

  /** A frame's text, encoded into the reader's buffer: only ASCII frames are read. */
  read(raw: string, out: ScannedPriceChange): boolean {
    const n = raw.length;
    if (!endsLikePriceChange(n, raw.charCodeAt(n - 1), raw.charCodeAt(n - 3), raw.charCodeAt(n - 9))) return false;
    const { read, written } = this.encoder.encodeInto(raw, this.room(n));
    // UTF-8 spends more than one byte on every non-ASCII character: equal counts mean pure ASCII.
    if (read !== n || written !== n) return false;
    return this.readLaidOut(n, out);
  }

  /**
   * A frame's UTF-8 bytes as the socket hands them over (no text made of them), copied into the
   * reader's buffer (the sentinel needs room past the end, and the socket's buffer may hold the
   * next frame there). A byte above 0x7f is refused wherever it stands, so an accepted frame is
   * ASCII and reads as its decoded text would.
   */
  readBytes(frame: Uint8Array, out: ScannedPriceChange): boolean {
    const n = frame.length;
    if (!endsLikePriceChange(n, frame[n - 1] ?? 0, frame[n - 3] ?? 0, frame[n - 9] ?? 0)) return false;
    this.room(n).set(frame);
    return this.readLaidOut(n, out);
  }

  /** The buffer, large enough for a frame of n bytes and the spare ones past it. */
  private room(n: number): Uint8Array {
    // Spare bytes: a 0 sentinel ends every loop that looks for a quote or a digit, and a group of
    // four read at the sentinel stays inside the buffer.
    if (n + 4 > this.bytes.length) this.allocate(n + 4);
    return this.bytes;
  }

  /**
   * The frame's n bytes, in the buffer. Every byte is accounted for: the fixed stretches compared,
   * the numbers read as digits, and every string (market, asset ids, hashes) plain ASCII up to its
   * closing quote (see plainEnd), so nothing but ASCII is ever accepted.
   */
  private readLaidOut(n: number, out: ScannedPriceChange): boolean {
    const bytes = this.bytes;
    bytes[n] = 0;
    const view = this.view;
    if (!FRAME_START.matchesAt(view, 0, n)) return false;
    const marketEnd = this.plainEnd(FRAME_START.length);
    if (marketEnd <= FRAME_START.length || !CHANGES_START.matchesAt(view, marketEnd, n)) return false;
    out.count = 0;
    let p = marketEnd + CHANGES_START.length;
    // p is at '{' of a change or at the ']' closing the list.
    if (bytes[p] !== 93 /* ] */) {
      for (;;) {
        if (!CHANGE_START.matchesAt(view, p, n)) return false;
        p = this.change(p + CHANGE_START.length, n, out);
        if (p < 0) return false;
        if (bytes[p] !== 44 /* , */) break;
        p++;
      }
    }
    if (!TIMESTAMP.matchesAt(view, p, n)) return false;
    this.decimal(p + TIMESTAMP.length, this.timestamp, 0);
    const timestamp = this.timestamp[0]!;
    // An implausible time is left to the general decoder, which reports it.
    if (!isEpochMs(timestamp)) return false;
    const end = this.stop;
    if (end + FRAME_END.length !== n || !FRAME_END.matchesAt(view, end, n)) return false;
    out.bytes = view;
    out.marketStart = FRAME_START.length;
    out.marketEnd = marketEnd;
    out.timestamp = timestamp;
    return true;
  }

  /**
   * One change whose asset id starts at p (just past '{"asset_id":"'), read into out's next row
   * (its numbers straight into their columns: a double passed on or returned from a call that is
   * not inlined is a new heap number each time); the index past its '}', or -1.
   */
  private change(p: number, n: number, out: ScannedPriceChange): number {
    const bytes = this.bytes;
    const view = this.view;
    const row = out.nextRow();
    const assetStart = p;
    const assetEnd = this.plainEnd(assetStart);
    if (assetEnd <= assetStart || !PRICE.matchesAt(view, assetEnd, n)) return -1;
    if (!this.decimal(assetEnd + PRICE.length, out.price, row)) return -1;
    let e = this.stop;
    let buy: number;
    let hashStart: number;
    if (SIZE.matchesAt(view, e, n)) {
      if (!this.decimal(e + SIZE.length, out.size, row)) return -1;
      e = this.stop;
      if (SIDE_BUY.matchesAt(view, e, n)) {
        buy = 1;
        hashStart = e + SIDE_BUY.length;
      } else if (SIDE_SELL.matchesAt(view, e, n)) {
        buy = 0;
        hashStart = e + SIDE_SELL.length;
      } else {
        return -1;
      }
    } else {
      // Side before size: the order of nautilus' hand-converted samples, read here too.
      if (BUY_SIZE.matchesAt(view, e, n)) {
        buy = 1;
        p = e + BUY_SIZE.length;
      } else if (SELL_SIZE.matchesAt(view, e, n)) {
        buy = 0;
        p = e + SELL_SIZE.length;
      } else {
        return -1;
      }
      if (!this.decimal(p, out.size, row)) return -1;
      e = this.stop;
      if (!HASH.matchesAt(view, e, n)) return -1;
      hashStart = e + HASH.length;
    }
    const hashEnd = this.plainEnd(hashStart);
    if (hashEnd < 0) return -1;
    if (bytes[hashEnd + 1] === 125 /* } */) {
      // Without the best_bid/best_ask pair: the recorded export's layout.
      out.bestBid[row] = NaN;
      out.bestAsk[row] = NaN;
      e = hashEnd + 1;
    } else {
      if (!BEST_BID.matchesAt(view, hashEnd, n)) return -1;
      p = hashEnd + BEST_BID.length;
      if (bytes[p] === 34) {
        out.bestBid[row] = NaN;
        e = p;
      } else {
        if (!this.decimal(p, out.bestBid, row)) return -1;
        e = this.stop;
      }
      if (!BEST_ASK.matchesAt(view, e, n)) return -1;
      p = e + BEST_ASK.length;
      if (bytes[p] === 34) {
        out.bestAsk[row] = NaN;
        e = p;
      } else {
        if (!this.decimal(p, out.bestAsk, row)) return -1;
        e = this.stop;
      }
      if (bytes[e + 1] !== 125 /* } */) return -1;
      e++;
    }
    out.addSpans(row, assetStart, assetEnd, buy, hashEnd === hashStart ? NO_HASH : hashStart, hashEnd);
    return e + 1;
  }

  /**
   * The closing quote of the string whose content starts at p, or -1 when a byte before it is a
   * raw control character (invalid JSON), a backslash (an escape: strings are kept or matched
   * verbatim) or above 0x7f (not ASCII). Four bytes at a time while none is special (the classic
   * "has a byte below k" bit tricks: they may also flag bytes after the first special one, never
   * miss it), byte by byte from the first group flagged.
   */
  private plainEnd(p: number): number {
    const view = this.view;
    let i = p;
    for (;;) {
      const x = view.getUint32(i, true);
      const quote = x ^ 0x22222222;
      const backslash = x ^ 0x5c5c5c5c;
      if ((x | ((x - 0x20202020) & ~x) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) break;
      i += 4;
    }
    const bytes = this.bytes;
    for (;; i++) {
      const c = bytes[i]!;
      if (c === 34 /* " */) return i;
      if (c < 0x20 || c === 92 /* \ */ || c > 0x7f) return -1;
    }
  }

  /**
   * The decimal from p up to its closing quote: digits with at most one '.', at most 15 digits
   * (then the integer mantissa and 10^k are exact and one division rounds correctly, as Number()
   * does), written to into[at]; false, with NaN there, for anything else (signs, exponents, long
   * digit runs: the general decoder reads those). Sets `stop` to the closing quote.
   */
  private decimal(p: number, into: Float64Array, at: number): boolean {
    const bytes = this.bytes;
    let mantissa = 0;
    let digits = 0;
    let dotAt = -1;
    let i = p;
    for (;; i++) {
      const d = bytes[i]! - 48;
      if (d >= 0 && d <= 9) {
        mantissa = mantissa * 10 + d;
        digits++;
      } else if (d === -2 /* . */ && dotAt === -1) {
        dotAt = i;
      } else {
        break;
      }
    }
    this.stop = i;
    if (bytes[i] !== 34 /* " */ || digits === 0 || digits > 15) {
      into[at] = NaN;
      return false;
    }
    into[at] = dotAt === -1 ? mantissa : mantissa / POW10[i - dotAt - 1]!;
    return true;
  }

  private allocate(size: number): void {
    let capacity = this.bytes.length;
    while (capacity < size) capacity *= 2;
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }
}

/** Longer frames (hundreds of level changes) are left to the general decoder. */
const MAX_FRAME_CHARS = 1 << 18;

/**
 * Every frame is offered here first: books, trades and huge snapshot dumps are turned away before
 * they are copied (the ending `price_change"}`, three characters of it: the last, third and ninth
 * from the end), and so is a price_change too long to be worth a buffer that size kept alive.
 */
function endsLikePriceChange(n: number, last: number, third: number, ninth: number): boolean {
  return n <= MAX_FRAME_CHARS && last === 125 /* } */ && third === 101 /* e */ && ninth === 95 /* _ */;
}

const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** A fixed stretch of the layout. */
function stretch(text: string): AsciiBytes {
  const bytes = AsciiBytes.of(text);
  if (bytes === null) throw new Error(`not ASCII: ${text}`);
  return bytes;
}

const FRAME_START = stretch('{"market":"');
/** From the market's closing quote to the first asset id. */
const CHANGES_START = stretch('","price_changes":[');
const CHANGE_START = stretch('{"asset_id":"');
/** From a closing quote (or, for the size, the value's) to the next value. */
const PRICE = stretch('","price":"');
const SIZE = stretch('","size":"');
const SIDE_BUY = stretch('","side":"BUY","hash":"');
const SIDE_SELL = stretch('","side":"SELL","hash":"');
const BUY_SIZE = stretch('","side":"BUY","size":"');
const SELL_SIZE = stretch('","side":"SELL","size":"');
const HASH = stretch('","hash":"');
const BEST_BID = stretch('","best_bid":"');
const BEST_ASK = stretch('","best_ask":"');
const TIMESTAMP = stretch('],"timestamp":"');
const FRAME_END = stretch('","event_type":"price_change"}');
