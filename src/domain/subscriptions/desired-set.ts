/**
 * The desired token set: the single source of truth for what the market feed should be subscribed
 * to. Whoever decides (the scanner policy) writes it; the feed applies change events at once and a
 * reconciliation loop re-reads it to correct drift both ways.
 */
export interface DesiredSet {
  /** Every member, sorted. */
  members(): Promise<string[]>;
  add(ids: readonly string[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Replace the whole set at once (a scanner publishing its full cone). */
  replace(ids: readonly string[]): Promise<void>;
}

/** The desired set when helios runs without Redis. */
export class InMemoryDesiredSet implements DesiredSet {
  private readonly ids = new Set<string>();

  constructor(initial: readonly string[] = []) {
    for (const id of initial) this.ids.add(id);
  }

  async members(): Promise<string[]> {
    return [...this.ids].sort();
  }

  async add(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.ids.add(id);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.ids.delete(id);
  }

  async replace(ids: readonly string[]): Promise<void> {
    this.ids.clear();
    for (const id of ids) this.ids.add(id);
  }
}
