/** Where one event sits: its stream entry and its slot in that entry. */
export interface EntrySlot {
  entryId: string;
  /** -1: the entry holds this event alone. */
  slot: number;
}

/**
 * A delivery's id names its entry, and its slot when the entry holds several events
 * (`<entry id>:<slot>`); a Redis stream id never contains ':'.
 */
export function slotDeliveryId(entryId: string, slot: number): string {
  return `${entryId}:${slot}`;
}

export function entrySlotOf(deliveryId: string): EntrySlot {
  const sep = deliveryId.indexOf(':');
  if (sep < 0) return { entryId: deliveryId, slot: -1 };
  return { entryId: deliveryId.slice(0, sep), slot: Number(deliveryId.slice(sep + 1)) };
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

  /**
   * Starts accounting for a multi-event entry (kept as it is when already open); `settledSlots` are
   * slots that never reach the consumer (malformed). Returns true when nothing is left to wait for.
   */
  track(topic: string, entryId: string, size: number, settledSlots: readonly number[]): boolean {
    const key = keyOf(topic, entryId);
    let entry = this.open.get(key);
    if (!entry) this.open.set(key, (entry = { topic, remaining: size, settled: new Uint8Array(size) }));
    for (const s of settledSlots) this.mark(entry, s);
    if (entry.remaining > 0) return false;
    this.open.delete(key);
    return true;
  }

  /** Settles one slot; true when that completed its entry (which then is forgotten). */
  settle(topic: string, entryId: string, slot: number): boolean {
    const key = keyOf(topic, entryId);
    const entry = this.open.get(key);
    // Unknown: already completed (a repeated ack), or never tracked here; XACK is idempotent.
    if (!entry) return true;
    this.mark(entry, slot);
    if (entry.remaining > 0) return false;
    this.open.delete(key);
    return true;
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

  private mark(entry: OpenEntry, slot: number): void {
    if (slot < 0 || slot >= entry.settled.length || entry.settled[slot]) return;
    entry.settled[slot] = 1;
    entry.remaining--;
  }
}

function keyOf(topic: string, entryId: string): string {
  return `${topic}\n${entryId}`;
}
