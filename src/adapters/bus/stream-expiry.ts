/**
 * Topics are per market, and a market that resolved is never published to again: its streams
 * would keep up to `max_len` events each on the server forever, and the producer its per-topic
 * state. So a stream the producer writes carries a TTL (`bus.redis_idle_stream_ttl_ms`, PEXPIRE;
 * XADD leaves a key's TTL as it is): it expires once nobody wrote it for that long. The TTL is
 * refreshed with a write at most once per quarter of it per topic, so the hot path does not gain a
 * command per XADD; a stream therefore lives at least three quarters of the TTL after its last
 * write (`mayExpireAfterMs`), and a topic not written for a whole TTL is forgotten here and by the
 * producer (`takeIdle`).
 *
 * Times are the bus clock's monotonic milliseconds: the clock every refresh decision is made on, so
 * "this entry's stream may have expired" is judged on the same clock that decided when its TTL was
 * last pushed back (entry ids carry the server's wall clock, which the client can only compare to
 * its own across their skew). A simulated clock running at least a quarter of real speed keeps
 * streams alive: the refresh falls due within the TTL in real time.
 */
const REFRESHES_PER_TTL = 4;

export class StreamExpiry {
  /** Per topic: when it was last written, and when its TTL was last sent (null: due with the next write). */
  private readonly topics = new Map<string, { writtenAt: number; refreshedAt: number | null }>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  /** `ttlMs` 0: streams never expire and nothing is forgotten. */
  constructor(readonly ttlMs: number) {}

  private get refreshEveryMs(): number {
    return this.ttlMs / REFRESHES_PER_TTL;
  }

  /** How long after an entry was written its stream may have expired (Infinity when streams never expire). */
  get mayExpireAfterMs(): number {
    return this.ttlMs > 0 ? this.ttlMs - this.refreshEveryMs : Number.POSITIVE_INFINITY;
  }

  /** Records a write of `topic`; returns whether its TTL is to be (re)sent with it. */
  written(topic: string, now: number): boolean {
    if (this.ttlMs <= 0) return false;
    const state = this.topics.get(topic);
    if (!state) {
      this.topics.set(topic, { writtenAt: now, refreshedAt: now });
      return true;
    }
    state.writtenAt = now;
    if (state.refreshedAt !== null && now - state.refreshedAt < this.refreshEveryMs) return false;
    state.refreshedAt = now;
    return true;
  }

  /**
   * The TTL of `topic` (or of every topic) may not be on the server: a write or a TTL failed, or
   * the connection was lost (a restarted server may have recreated the stream without it). It
   * goes with the next write.
   */
  refreshDue(topic?: string): void {
    if (topic === undefined) for (const state of this.topics.values()) state.refreshedAt = null;
    else {
      const state = this.topics.get(topic);
      if (state) state.refreshedAt = null;
    }
  }

  /** Topics not written for a whole TTL, forgotten here; looked for at most once per refresh interval. */
  takeIdle(now: number): string[] {
    if (this.ttlMs <= 0 || now - this.sweptAt < this.refreshEveryMs) return [];
    this.sweptAt = now;
    const idle: string[] = [];
    for (const [topic, state] of this.topics) {
      if (now - state.writtenAt < this.ttlMs) continue;
      this.topics.delete(topic);
      idle.push(topic);
    }
    return idle;
  }

  /** Topics with state here (tests, stats). */
  get size(): number {
    return this.topics.size;
  }
}
