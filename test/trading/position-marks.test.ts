import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { CollectingSink, EventFactory, ulidGenerator } from '../../src/domain/events/index.ts';
import { applyFill, emptyLedger } from '../../src/domain/trading/pnl-ledger.ts';
import type { BookSignal } from '../../src/domain/trading/signals.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { initialContext, type MarketTradingContext } from '../../src/machines/market-trading/context.ts';
import { PositionMarks } from '../../src/runtime/trading/position-marks.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { spec } from './support.ts';

const { config } = loadConfig({ env: {} });
const top = (token: string, bid: number, ask: number): BookSignal => ({ token_id: token, synced: true, ts_ms: 0, best_bid: bid, best_ask: ask, levels: null });

/** A market holding 10 YES bought at 0.50, its books at the given YES bid/ask. */
function holding(bid: number, ask: number): MarketTradingContext {
  const s = spec();
  const ctx = initialContext({ spec: s, cfg: config.trading, now_ms: 0, synced: true });
  const ledger = applyFill(emptyLedger(), { fill_id: 'f1', token_id: s.yes_token, strategy: 'temporal', side: 'BUY', price: 0.5, size: 10, fee_usdc: 0, status: 'CONFIRMED' });
  return { ...ctx, ledger, signals: { ...ctx.signals, books: { [s.yes_token]: top(s.yes_token, bid, ask) } } };
}

describe('positions follow the book between fills', () => {
  it('a held market is re-marked when its book moves, at most once per interval, never when nothing moved', () => {
    const clock = new VirtualClock(0);
    const sink = new CollectingSink();
    const marks = new PositionMarks(1_000, sink, new EventFactory(clock, ulidGenerator(seededRng(3))));
    const unrealized = () => sink.events.filter((e) => e.type === 'POSITION').map((e) => (e.payload as { unrealized_pnl: number }).unrealized_pnl);

    marks.afterFill(holding(0.49, 0.51), 0);
    expect(unrealized()).toEqual([0]);
    marks.afterBook(holding(0.59, 0.61), 500); // moved, but within the interval of the fill's
    expect(unrealized()).toEqual([0]);
    marks.afterBook(holding(0.59, 0.61), 1_000);
    expect(unrealized()).toHaveLength(2);
    expect(unrealized()[1]).toBeCloseTo(1, 9); // 10 × (0.60 − 0.50)
    marks.afterBook(holding(0.59, 0.61), 2_500); // the same marks: nothing to say
    expect(unrealized()).toHaveLength(2);
    marks.afterBook(holding(0.39, 0.41), 2_600);
    expect(unrealized()[2]).toBeCloseTo(-1, 9);
  });

  it('the risk engine reports the daily loss its kill compares (the operator metric reads it)', () => {
    const risk = new RiskEngine(config.risk);
    risk.onPnl(0, 1_000);
    risk.onPnl(-3.5, 2_000);
    expect(risk.dailyLossUsdc).toBeCloseTo(3.5, 9);
    risk.onPnl(1, 3_000);
    expect(risk.dailyLossUsdc).toBe(0);
  });
});
