import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { applyFill, emptyLedger, tokenPositions } from '../../src/domain/trading/pnl-ledger.ts';
import { book, defaultSections, WEATHER_FEE } from './support.ts';

/**
 * The paper venue answers share quantities on the decimal grid, as a venue does: `npm start` logged
 * `fill MATCHED: BUY 7.500000000000002 @ 0.1` (17.6 − 10.1 walking two levels).
 */
const cfg = defaultSections();

/** A paper venue on book `b` answering at once, with the sizes of its MATCHED fills and its orders' filled sizes (once above 0). */
function paperOn(b: L2Book) {
  const clock = new VirtualClock(1000);
  const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg.execution.paper, order_latency_ms: 0, fail_probability: 0 }, bookFor: () => b });
  paper.registerMarket({ market_id: 'm', tokens: ['Y'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
  const fills: number[] = [];
  const filledSizes: number[] = [];
  paper.subscribe((e) => {
    if (e.kind === 'fill' && e.fill.status === 'MATCHED') fills.push(e.fill.size);
    if (e.kind === 'order' && e.update.filled_size > 0) filledSizes.push(e.update.filled_size);
  });
  return { clock, paper, fills, filledSizes };
}

describe('share quantities on the decimal grid', () => {
  // A marketable BUY spends its $1.76 (17.6 × 0.10) at the asks' prices, as the venue fills it:
  // 10.1 at 0.09 cost $0.909, the $0.851 left buys 8.51 at 0.10 (0.851 / 0.1 is 8.509999… in floats).
  it('a FAK BUY walking two levels fills 10.1 and 8.51, and its order and position hold 18.61', () => {
    const { clock, paper, fills, filledSizes } = paperOn(book([[0.05, 100]], [[0.09, 10.1], [0.1, 50]]));
    void paper.placeOrder({ client_order_id: 'a', market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: 0.1, size: 17.6, strategy: 'temporal', expires_at_ms: null });
    clock.advanceBy(1);
    expect(fills).toEqual([10.1, 8.51]);
    expect(filledSizes.at(-1)).toBe(18.61);
    expect(paper.positionsNow().map((p) => p.shares)).toEqual([18.61]);
  });

  it('a resting order filled by prints in pieces holds exactly what the prints gave it', () => {
    const { clock, paper, fills, filledSizes } = paperOn(book([[0.05, 100]], [[0.2, 100]]));
    // Rests at 0.10 with nothing ahead of it (no bid there), then prints of 0.1, 0.2 and 17.6 reach it.
    void paper.placeOrder({ client_order_id: 'r', market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'GTC', price: 0.1, size: 10, strategy: 'temporal', expires_at_ms: null });
    clock.advanceBy(1);
    for (const size of [0.1, 0.2, 17.6]) paper.onTrade('Y', { price: 0.1, size, side: 'SELL' });
    expect(fills).toEqual([0.1, 0.2, 9.7]);
    expect(filledSizes).toEqual([0.1, 0.3, 10]);
    expect(paper.positionsNow().map((p) => p.shares)).toEqual([10]);
  });

  it('a POSITION of fills of 17.6, 5.57 and 5.03 shares reports 28.2 shares (npm start published 28.200000000000003)', () => {
    let ledger = emptyLedger();
    [17.6, 5.57, 5.03].forEach((size, i) => {
      ledger = applyFill(ledger, { fill_id: `f${i}`, token_id: 'Y', side: 'BUY', size, price: 0.1, strategy: 'temporal', fee_usdc: 0, status: 'MATCHED' });
    });
    const [position] = tokenPositions(ledger, { Y: 0.1 });
    expect(position!.shares).toBe(28.2);
    expect(position!.avg_cost).toBeCloseTo(0.1, 12);
  });
});
