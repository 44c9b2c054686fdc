const DAY_MS = 86_400_000;

/** Where the UTC day's loss is counted from: the day, and the net PnL first seen in it. */
export interface DailyBaseline {
  day: number;
  start_net_pnl: number;
}

/**
 * The loss since the UTC day began, by one rule for the risk engine's kill and the operator's
 * metric: the day starts at the net PnL in force when it began — the last one seen before it (net
 * PnL only moves through updates), or the very first one seen, which a session feeds when it
 * starts. Starting a day at its own first update instead would leave out that update's loss: the
 * first fill after a quiet night, or a fresh session's first fill (fees, the spread crossed).
 */
export class DailyLoss {
  /** The UTC day (days since the epoch) of the last net PnL seen; null before any. */
  day: number | null = null;
  private dayStartPnl = 0;
  /** The last net PnL seen (null before any, and after a restore: a restart feeds its starting net first). */
  private lastNetPnl: number | null = null;

  /** Takes the current net PnL; returns how far it is below the day's start (≥ 0 is a loss). */
  update(netPnl: number, nowMs: number): number {
    const day = DailyLoss.dayOf(nowMs);
    if (this.day === null || day !== this.day) {
      this.day = day;
      this.dayStartPnl = this.lastNetPnl ?? netPnl;
    }
    this.lastNetPnl = netPnl;
    return this.dayStartPnl - netPnl;
  }

  /** The day's starting point (null before any net PnL), which a restarted process carries on from. */
  get baseline(): DailyBaseline | null {
    return this.day === null ? null : { day: this.day, start_net_pnl: this.dayStartPnl };
  }

  /**
   * Carries on from a previous process's day: the loss keeps counting from that day's start. A
   * baseline of another day changes nothing, as the next update starts a new day anyway.
   */
  restore(b: DailyBaseline): void {
    this.day = b.day;
    this.dayStartPnl = b.start_net_pnl;
  }

  static dayOf(nowMs: number): number {
    return Math.floor(nowMs / DAY_MS);
  }

  /** When UTC day `day` begins. */
  static startOf(day: number): number {
    return day * DAY_MS;
  }
}
