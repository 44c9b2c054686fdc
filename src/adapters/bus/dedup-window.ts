/**
 * Remembers the last `capacity` event ids; a consumer drops an event it has already seen.
 *
 * The ids sit in a ring (oldest evicted by the newest) indexed by an open-addressing table of typed
 * arrays, all allocated once: recording an id allocates nothing. The `Set`s this replaces (two
 * generations, the older let go whole) grew a new table from empty every `capacity` ids, ~65 bytes
 * per event for the young generation on the consumer's hot path; one `Set` with a delete per insert
 * was worse (every delete left a tombstone, and the table was rebuilt every few thousand events).
 */
export class DedupWindow {
  /** The ids in arrival order from `head` (the oldest once full). */
  private readonly ids: (string | undefined)[];
  private readonly hashes: Int32Array;
  /** Open addressing, linear probing: 0 is empty, otherwise 1 + the id's ring position. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    let size = 16;
    // At most half full: probes stay short.
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(capacity === 0 ? 0 : size);
    this.mask = size - 1;
  }

  /** True when the id was seen within the window; records it otherwise. */
  isDuplicate(id: string): boolean {
    if (this.capacity === 0) return false;
    const hash = hashOf(id);
    const table = this.table;
    for (let s = hash & this.mask; table[s] !== 0; s = (s + 1) & this.mask) {
      if (this.ids[table[s]! - 1] === id) return true;
    }
    let at: number;
    if (this.count === this.capacity) {
      at = this.head;
      this.unindex(at);
      this.head = (this.head + 1) % this.capacity;
    } else {
      at = (this.head + this.count) % this.capacity;
      this.count++;
    }
    this.ids[at] = id;
    this.hashes[at] = hash;
    let s = hash & this.mask;
    while (table[s] !== 0) s = (s + 1) & this.mask;
    table[s] = at + 1;
    return false;
  }

  /** Takes ring position `at` out of the table, shifting back the entries probed past it (no tombstones). */
  private unindex(at: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = this.hashes[at]! & mask;
    while (table[hole] !== at + 1) hole = (hole + 1) & mask;
    for (let s = (hole + 1) & mask; table[s] !== 0; s = (s + 1) & mask) {
      const home = this.hashes[table[s]! - 1]! & mask;
      // The entry at `s` may fill the hole only if its home slot is not within (hole, s], cyclically.
      const staysPut = hole <= s ? hole < home && home <= s : hole < home || home <= s;
      if (staysPut) continue;
      table[hole] = table[s]!;
      hole = s;
    }
    table[hole] = 0;
  }
}

/** Code units hashed, from the end: where ids differ (a ULID's random part, a counter's digits). */
const HASHED_TAIL = 12;

/** FNV-1a over the id's length and its last HASHED_TAIL UTF-16 code units. */
function hashOf(id: string): number {
  let h = Math.imul(0x811c9dc5 ^ id.length, 0x01000193);
  for (let i = Math.max(0, id.length - HASHED_TAIL); i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h;
}
