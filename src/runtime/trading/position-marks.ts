import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { MarketTradingContext } from '../../machines/market-trading/context.ts';
import { RETIRED_MARKETS_POSITION } from '../../domain/trading/carried-state.ts';
import { tokenPositions, type Ledger, type PnlSummary, type TokenPosition } from '../../domain/trading/pnl-ledger.ts';
import { reportMarks } from '../../domain/trading/signals.ts';

/** Below this an unrealized PnL has not moved (float noise of the same marks). */
const MOVED_USDC = 1e-9;

/**
 * Publishes a market's POSITION events: all of them after a fill, and between fills the
 * market's positions again when its book moved their unrealized PnL, at most once per interval of
 * the node's clock. Without the second kind, the dashboard's uPnL and `pnl_net_usdc` stood still
 * at the marks of the last fill however far the book went.
 */
export class PositionMarks {
  private readonly publishedAt = new Map<string, number>();
  /** Each token's unrealized PnL as last published. */
  private readonly published = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly sink: EventSink,
    private readonly events: EventFactory,
  ) {}

  /** After a fill: every position of the market, now. */
  afterFill(context: MarketTradingContext, nowMs: number): void {
    this.publish(context.spec.market_id, this.positions(context), nowMs);
  }

  /** After a book move: the market's positions when a mark moved and the interval has passed. */
  afterBook(context: MarketTradingContext, nowMs: number): void {
    const market = context.spec.market_id;
    if (nowMs - (this.publishedAt.get(market) ?? Number.NEGATIVE_INFINITY) < this.intervalMs) return;
    const positions = this.positions(context);
    const moved = positions.some((p) => p.shares > 0 && Math.abs(p.unrealized_pnl - (this.published.get(p.token_id) ?? 0)) > MOVED_USDC);
    if (moved) this.publish(market, positions, nowMs);
  }

  /** A carried market this session does not trade: its positions at cost, as no book marks them. */
  carried(marketId: string, ledger: Ledger, nowMs: number): void {
    this.publish(marketId, tokenPositions(ledger, {}).filter((p) => p.token_id), nowMs);
  }

  /** The retired markets' PnL summed, as one position without shares (see RETIRED_MARKETS_POSITION). */
  retired(pnl: PnlSummary, nowMs: number): void {
    const position = { token_id: RETIRED_MARKETS_POSITION, shares: 0, avg_cost: 0, realized_pnl: pnl.realized, unrealized_pnl: pnl.unrealized, fees_paid: pnl.fees, by_strategy: pnl.by_strategy };
    this.publish(RETIRED_MARKETS_POSITION, [position], nowMs);
  }

  /** A market that left for good: what was last published of it is not compared with again. */
  forget(marketId: string, tokens: readonly string[]): void {
    this.publishedAt.delete(marketId);
    for (const t of tokens) this.published.delete(t);
  }

  private positions(context: MarketTradingContext): TokenPosition[] {
    return tokenPositions(context.ledger, reportMarks(context.signals.books)).filter((p) => p.token_id);
  }

  private publish(market_id: string, positions: TokenPosition[], nowMs: number): void {
    this.publishedAt.set(market_id, nowMs);
    for (const { token_id, ...payload } of positions) {
      this.published.set(token_id, payload.unrealized_pnl);
      this.sink.emit(this.events.make('POSITION', payload, { market_id, token_id }));
    }
  }
}
