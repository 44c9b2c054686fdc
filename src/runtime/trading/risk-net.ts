/**
 * Each market's net PnL as risk values it (exit marks), and their sum: risk follows marks, not only
 * fills. A market that retires leaves the sum as it left it (it never moves again).
 */
export class RiskNet {
  private readonly byMarket = new Map<string, number>();
  private sum: number;

  /** `retiredBefore`: the net of the markets earlier sessions retired. */
  constructor(retiredBefore: number) {
    this.sum = retiredBefore;
  }

  follow(marketId: string, net: number): void {
    this.sum += net - (this.byMarket.get(marketId) ?? 0);
    this.byMarket.set(marketId, net);
  }

  /** Only a market that held something (a fill or a rebuild was followed) can move the sum. */
  has(marketId: string): boolean {
    return this.byMarket.has(marketId);
  }

  /** A retired market: its net stays in the sum, its entry is not needed again. */
  retire(marketId: string): void {
    this.byMarket.delete(marketId);
  }

  get total(): number {
    return this.sum;
  }

  get perMarket(): ReadonlyMap<string, number> {
    return this.byMarket;
  }
}
