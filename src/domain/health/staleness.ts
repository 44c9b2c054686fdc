/**
 * Staleness per feed: the time since each feed last delivered data, judged against a threshold.
 * Only the feeds `judged` names count (by default every configured one): a process reports no
 * staleness for a feed it never reads. Pure: callers pass the current time.
 */
export class StalenessTracker {
  private readonly lastSeen = new Map<string, number>();
  constructor(
    private readonly thresholdsMs: Record<string, number>,
    private readonly judged: () => Iterable<string> = () => Object.keys(thresholdsMs),
  ) {}

  seen(feed: string, at: number): void {
    const prev = this.lastSeen.get(feed);
    if (prev === undefined || at > prev) this.lastSeen.set(feed, at);
  }

  /** Milliseconds since the last data per judged configured feed (null: never seen), sorted by feed. */
  staleness(now: number): Record<string, number | null> {
    const judged = new Set(this.judged());
    const out: Record<string, number | null> = {};
    for (const feed of Object.keys(this.thresholdsMs).sort()) {
      if (!judged.has(feed)) continue;
      const t = this.lastSeen.get(feed);
      out[feed] = t === undefined ? null : Math.max(0, now - t);
    }
    return out;
  }

  /** Judged feeds beyond their threshold (or never seen), sorted. */
  stale(now: number): string[] {
    const s = this.staleness(now);
    return Object.keys(s).filter((f) => s[f] === null || (s[f] as number) > this.thresholdsMs[f]!);
  }
}
