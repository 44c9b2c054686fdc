const DAY_MS = 86_400_000;

/**
 * The loss since the UTC day began, by one rule for the risk engine's kill and the operator's
 * metric: the day starts at the first net PnL seen in it.
 */
export class DailyLoss {
  /** The UTC day (days since the epoch) of the last net PnL seen; null before any. */
  day: number | null = null;
  private dayStartPnl = 0;

  /** Takes the current net PnL; returns how far it is below the day's start (≥ 0 is a loss). */
  update(netPnl: number, nowMs: number): number {
    const day = DailyLoss.dayOf(nowMs);
    if (this.day === null || day !== this.day) {
      this.day = day;
      this.dayStartPnl = netPnl;
    }
    return this.dayStartPnl - netPnl;
  }

  static dayOf(nowMs: number): number {
    return Math.floor(nowMs / DAY_MS);
  }
}
