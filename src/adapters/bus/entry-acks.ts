/**
 * A delivery's id names its entry, and its slot when the entry holds several events
 * (`<entry id>:<slot>`); a Redis stream id never contains ':'.
 */
export function slotDeliveryId(entryId: string, slot: number): string {
  return `${entryId}:${slot}`;
}

interface OpenEntry {
  topic: string;
  remaining: number;
  settled: Uint8Array;
}

/**
 * Per-entry acknowledgement accounting for one consumer: an entry holding several events is
 * acknowledged on the server (XACK) once every one of its events was acknowledged here (malformed
 * and duplicate ones included). Settling a slot twice counts once, so a redelivered entry (its
 * own pending re-read after a reconnect) keeps what was already acknowledged.
 */
export class EntryAcks {
  private readonly open = new Map<string, OpenEntry>();
  /** The entry the latest delivery settled belongs to (undefined: not open here). */
  private lastTopic = '';
  private lastEntryId = '';
  private lastEntry: OpenEntry | undefined;

  /**
   * Starts accounting for a multi-event entry (kept as it is when already open); `settledSlots` are
   * slots that never reach the consumer (malformed). Returns true when nothing is left to wait for.
   */
  track(topic: string, entryId: string, size: number, settledSlots: readonly number[]): boolean {
    this.forgetLast();
    const key = keyOf(topic, entryId);
    let entry = this.open.get(key);
    if (!entry) this.open.set(key, (entry = { topic, remaining: size, settled: new Uint8Array(size) }));
    for (const s of settledSlots) this.mark(entry, s);
    if (entry.remaining > 0) return false;
    this.open.delete(key);
    return true;
  }

  /**
   * Settles one delivery by its id (see `slotDeliveryId`). Returns the id of the entry to
   * acknowledge on the server when that completed it (or the delivery was an entry of its own, or
   * its entry is unknown: already completed, a repeated ack, or never tracked here; XACK is
   * idempotent), else null.
   */
  settleDelivery(topic: string, deliveryId: string): string | null {
    const sep = deliveryId.indexOf(':');
    if (sep < 0) return deliveryId;
    // A batch acknowledges an entry's events one after another: its id is cut out and its key
    // built and looked up once per entry, not once per event (that was most of what an ack allocated).
    if (topic !== this.lastTopic || sep !== this.lastEntryId.length || !deliveryId.startsWith(this.lastEntryId)) {
      this.lastTopic = topic;
      this.lastEntryId = deliveryId.slice(0, sep);
      this.lastEntry = this.open.get(keyOf(topic, this.lastEntryId));
    }
    const entryId = this.lastEntryId;
    const entry = this.lastEntry;
    if (!entry) return entryId;
    this.mark(entry, slotAt(deliveryId, sep + 1));
    if (entry.remaining > 0) return null;
    this.open.delete(keyOf(topic, entryId));
    this.forgetLast();
    return entryId;
  }

  /** Whether a slot of an open entry was already settled here (a re-read entry skips it). */
  isSettled(topic: string, entryId: string, slot: number): boolean {
    return this.open.get(keyOf(topic, entryId))?.settled[slot] === 1;
  }

  /** Events acknowledged here whose entries still wait on other events of theirs (backlog). */
  settledWaiting(topic: string): number {
    let n = 0;
    for (const entry of this.open.values()) if (entry.topic === topic) n += entry.settled.length - entry.remaining;
    return n;
  }

  private forgetLast(): void {
    this.lastTopic = '';
    this.lastEntryId = '';
    this.lastEntry = undefined;
  }

  private mark(entry: OpenEntry, slot: number): void {
    if (slot < 0 || slot >= entry.settled.length || entry.settled[slot]) return;
    entry.settled[slot] = 1;
    entry.remaining--;
  }
}

function keyOf(topic: string, entryId: string): string {
  return `${topic}\n${entryId}`;
}

/** The slot number written after the ':' of a delivery id, read without cutting it out. */
function slotAt(deliveryId: string, from: number): number {
  let n = 0;
  for (let i = from; i < deliveryId.length; i++) n = n * 10 + (deliveryId.charCodeAt(i) - 48);
  return n;
}
