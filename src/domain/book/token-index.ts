import { AsciiBytes } from './ascii-bytes.ts';

/**
 * Token id → value, looked up without V8 hashing the id. Token ids are 77-digit strings and every
 * frame carries fresh copies of them: a `Map` lookup hashes all of a fresh string's characters
 * (about 40 % of applying a frame, measured), while ids differ in any handful of characters. This
 * table hashes the id's length and last few characters, then confirms the candidate by comparing
 * characters (natively). It can also look an id up where it stands inside a frame's bytes.
 *
 * Open addressing with linear probing, at most half full. Removal rebuilds the table: ids leave
 * only on unsubscription.
 */

/** How many trailing characters (at most) go into the hash. */
const HASHED_TAIL = 8;

export class TokenIndex<T> {
  private ids: Array<string | undefined> = [];
  private values: Array<T | undefined> = [];
  /** The id's bytes when it can be matched in a raw frame (see isPlainJsonText; ASCII only), else null. */
  private verbatim: Array<AsciiBytes | null> = [];
  private mask = -1;
  private count = 0;

  constructor() {
    this.allocate(16);
  }

  get size(): number {
    return this.count;
  }

  get(id: string): T | undefined {
    const n = id.length;
    for (let slot = hashSpan(id, 0, n) & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.ids[slot];
      if (key === undefined) return undefined;
      if (key.length === n && key === id) return this.values[slot];
    }
  }

  /**
   * The value of the id written verbatim at bytes[start, end) of `bytes` (an ASCII frame's bytes:
   * the content of a JSON string the caller found to end at `end`); undefined when unknown, or
   * known but not matchable as raw text.
   */
  getInBytes(bytes: DataView, start: number, end: number): T | undefined {
    if (start < 0 || end > bytes.byteLength) return undefined;
    const n = end - start;
    for (let slot = hashBytes(bytes, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.ids[slot];
      if (key === undefined) return undefined;
      if (key.length === n && this.verbatim[slot]?.matchesAt(bytes, start, end) === true) return this.values[slot];
    }
  }

  set(id: string, value: T): void {
    this.insert(id, value, undefined);
  }

  delete(id: string): boolean {
    if (this.get(id) === undefined) return false;
    this.refill(this.mask + 1, id);
    return true;
  }

  /** Every id, in no particular order. */
  keys(): string[] {
    const out: string[] = [];
    for (const key of this.ids) if (key !== undefined) out.push(key);
    return out;
  }

  /** `verbatim` undefined: work it out from the id (a new id); else the id's, kept from before. */
  private insert(id: string, value: T, verbatim: AsciiBytes | null | undefined): void {
    const n = id.length;
    let slot = hashSpan(id, 0, n) & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const key = this.ids[slot];
      if (key === undefined) break;
      if (key === id) {
        this.values[slot] = value;
        return;
      }
    }
    this.ids[slot] = id;
    this.values[slot] = value;
    this.verbatim[slot] = verbatim !== undefined ? verbatim : isPlainJsonText(id) ? AsciiBytes.of(id) : null;
    this.count++;
    if (this.count * 2 > this.mask + 1) this.refill((this.mask + 1) * 2, undefined);
  }

  /** The same entries (but `without`) in a table of `capacity` slots. */
  private refill(capacity: number, without: string | undefined): void {
    const ids = this.ids;
    const values = this.values;
    const verbatim = this.verbatim;
    this.allocate(capacity);
    for (let i = 0; i < ids.length; i++) {
      const key = ids[i];
      if (key !== undefined && key !== without) this.insert(key, values[i]!, verbatim[i] ?? null);
    }
  }

  private allocate(capacity: number): void {
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.verbatim = new Array<AsciiBytes | null>(capacity).fill(null);
    this.mask = capacity - 1;
    this.count = 0;
  }
}

/** Hash of text[start, end): its length and last HASHED_TAIL characters. */
function hashSpan(text: string, start: number, end: number): number {
  let h = Math.imul(end - start, 0x9e3779b1);
  const from = end - start > HASHED_TAIL ? end - HASHED_TAIL : start;
  for (let i = from; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

/** hashSpan of ASCII text held as bytes (byte i is character i): the same hash, so the same slot. */
function hashBytes(bytes: DataView, start: number, end: number): number {
  let h = Math.imul(end - start, 0x9e3779b1);
  const from = end - start > HASHED_TAIL ? end - HASHED_TAIL : start;
  for (let i = from; i < end; i++) h = Math.imul(h ^ bytes.getUint8(i), 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * True when the text, written between quotes in a JSON document, means itself: no control
 * character (JSON forbids them raw), no backslash (an escape) and no quote. Only such text may be
 * matched against a frame's raw characters.
 */
export function isPlainJsonText(text: string): boolean {
  return isPlainJsonSpan(text, 0, text.length);
}

/** isPlainJsonText for text[start, end). */
function isPlainJsonSpan(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}
