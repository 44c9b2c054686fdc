/**
 * When reconciliation asks the venue again for a live market's fill still awaiting its
 * CONFIRMED/FAILED. A MATCHED trade can still FAIL at the venue (and does, often, after a venue
 * cutover), so a fill whose answer was lost must not count as matched until its market resolves:
 * one a reconciliation has seen pending for `afterMs` is asked about (a targeted read decides),
 * again at most once every `everyMs`, and at most `maxPerPass` fills per reconciliation, the
 * longest unasked first (no burst of reads when many answers were lost at once). One still
 * unanswered `giveUpAfterMs` after it was first seen pending is given up: reported once, never
 * asked about again (it stays as matched, as a resolved market's does after its answer wait).
 * Times come from the caller (the node's clock at reconciliation), so a replay asks at the same instants.
 */
export interface FillAskPolicy {
  afterMs: number;
  everyMs: number;
  maxPerPass: number;
  giveUpAfterMs: number;
}

/** What a reconciliation does about the live markets' pending fills now. */
export interface FillAsksDue {
  /** The fills to ask the venue about, by id. */
  ask: string[];
  /** The fills whose wait ran out just now (each reported once), by id. */
  givenUp: Array<{ fill_id: string; market_id: string }>;
}

interface Watched {
  marketId: string;
  /** The reconciliation that first saw it pending. */
  since: number;
  askedAt: number | null;
  givenUp: boolean;
}

export class FillAnswerAsks {
  private readonly watched = new Map<string, Watched>();

  /**
   * `givenUpEarlier`: fills an earlier trading session on the same venue adapter gave up (told of
   * then): seen pending again after a restart, they are held as given up from the start.
   */
  constructor(
    private readonly policy: FillAskPolicy,
    private readonly givenUpEarlier: (fillId: string) => boolean = () => false,
  ) {}

  /**
   * The live markets' fills still pending at `nowMs`, by market (null: its ledger cannot be read now,
   * an actor restarting: what was seen of it is kept); the fills to ask the venue about now, by id,
   * counted as asked; and those whose wait ran out by `nowMs`, given up (not asked). Fills no
   * longer pending, and markets no longer live, are forgotten.
   */
  due(nowMs: number, pendingByMarket: ReadonlyMap<string, readonly string[] | null>): FillAsksDue {
    for (const [id, w] of this.watched) {
      const pending = pendingByMarket.get(w.marketId);
      // One given up stays given up when its market resolves (until forgetMarket): it is not waited for again.
      const answered = pending !== undefined && pending !== null && !pending.includes(id);
      if (answered || (pending === undefined && !w.givenUp)) this.watched.delete(id);
    }
    for (const [marketId, pending] of pendingByMarket) {
      for (const id of pending ?? []) if (!this.watched.has(id)) this.watched.set(id, { marketId, since: nowMs, askedAt: null, givenUp: this.givenUpEarlier(id) });
    }
    const givenUp: FillAsksDue['givenUp'] = [];
    for (const [id, w] of [...this.watched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (w.givenUp || this.giveUpAt(w) > nowMs) continue;
      w.givenUp = true;
      givenUp.push({ fill_id: id, market_id: w.marketId });
    }
    const ready = [...this.watched].filter(([, w]) => !w.givenUp && this.askAt(w) <= nowMs);
    // Never asked before asked longest ago, then the oldest, then by id: every fill gets its turn, in one order.
    ready.sort(([a, wa], [b, wb]) => (wa.askedAt ?? -Infinity) - (wb.askedAt ?? -Infinity) || wa.since - wb.since || (a < b ? -1 : a > b ? 1 : 0));
    const picked = ready.slice(0, this.policy.maxPerPass);
    for (const [, w] of picked) w.askedAt = nowMs;
    return { ask: picked.map(([id]) => id).sort(), givenUp };
  }

  /** The fill's wait was given up while its market was live (so its resolution does not wait for it again). */
  isGivenUp(fillId: string): boolean {
    return this.watched.get(fillId)?.givenUp === true || this.givenUpEarlier(fillId);
  }

  /** The market left the trading side: its fills are no one's concern here any more. */
  forgetMarket(marketId: string): void {
    for (const [id, w] of this.watched) if (w.marketId === marketId) this.watched.delete(id);
  }

  /** When a reconciliation next has a fill to ask about or to give up on (null: none waited for). */
  nextAskAt(): number | null {
    let next: number | null = null;
    for (const w of this.watched.values()) {
      if (w.givenUp) continue;
      const at = Math.min(this.askAt(w), this.giveUpAt(w));
      if (next === null || at < next) next = at;
    }
    return next;
  }

  private giveUpAt(w: Watched): number {
    return w.since + this.policy.giveUpAfterMs;
  }

  private askAt(w: Watched): number {
    const first = w.since + this.policy.afterMs;
    return w.askedAt === null ? first : Math.max(first, w.askedAt + this.policy.everyMs);
  }
}
