import type { HeliosEvent } from '../events/catalog.ts';

/**
 * The soak referee's own rule of which tokens' books are synced, applied to a stream of events:
 * a book is synced by a synced price or snapshot and unsynced by an unsynced one, a resync's start
 * or a gap. The referee applies it to what a process published and to what its trading node
 * consumed (node-books.ts), independently of the trading code's book mirror.
 */
export class TokenSync {
  private readonly synced = new Map<string, boolean>();
  /** Since when (the event's time) an unsynced token has been unsynced. */
  private readonly since = new Map<string, number>();

  observe(e: HeliosEvent): void {
    if (!e.token_id) return;
    switch (e.type) {
      case 'BEST_PRICE':
      case 'L2_SNAPSHOT':
        this.set(e.token_id, e.payload.synced, e.ts_ingest);
        return;
      case 'BOOK_RESYNC_START':
      case 'GAP_DETECTED':
        this.set(e.token_id, false, e.ts_ingest);
        return;
      default:
    }
  }

  isSynced(token: string): boolean {
    return this.synced.get(token) === true;
  }

  /** When the token went unsynced (kept from the first sign until it is synced again); undefined while synced or never seen unsynced. */
  unsyncedSince(token: string): number | undefined {
    return this.since.get(token);
  }

  private set(token: string, synced: boolean, ts: number): void {
    if (synced) this.since.delete(token);
    else if (this.synced.get(token) !== false) this.since.set(token, ts);
    this.synced.set(token, synced);
  }
}
