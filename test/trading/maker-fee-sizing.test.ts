import { describe, expect, it } from 'vitest';
import { decideEdge } from '../../src/domain/trading/edge.ts';
import { fillFee } from '../../src/domain/trading/fees.ts';
import { riskOrderCheck } from '../../src/domain/trading/order-check.ts';
import { emptyLedger } from '../../src/domain/trading/pnl-ledger.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { book, defaultSections, spec } from './support.ts';

const cfg = defaultSections();
/** A schedule whose makers pay the fee too (Gamma may say so: `takerOnly: false`). */
const makersPay = { rate: 0.05, exponent: 1, taker_only: false };

describe('a resting edge entry where makers pay the fee', () => {
  it('is sized with its fee, so that risk accepts it at the per-order cap', () => {
    // Fair 0.72: no taker edge at the 0.68 ask; a bid one tick up at 0.56 has one, staked at the 5 USDC cap.
    const d = decideEdge({
      tokens: [{ token_id: 'Y', book: book([[0.55, 40]], [[0.68, 100]]), fair: 0.72, holding: { shares: 0, cost: 0 } }],
      threshold: 0.05,
      maxOrderUsdc: cfg.risk.max_order_usdc,
      maxPositionUsdc: cfg.risk.max_order_usdc,
      fee: makersPay,
      tick: 0.01,
      maxSlippageTicks: 3,
      minOrderShares: 5,
      sizeScale: 1,
      allowBuy: true,
      cfg: cfg.trading.temporal,
    });
    expect(d).toMatchObject({ kind: 'buy', style: 'resting', limit: 0.56 });
    if (d.kind !== 'buy') return;
    expect(d.size * d.limit + fillFee(d.size, d.limit, 'maker', makersPay)).toBeLessThanOrEqual(cfg.risk.max_order_usdc);
    const intent = { kind: 'place' as const, client_order_id: 'c1', market_id: 'm1', token_id: 'Y', side: 'BUY' as const, order_type: 'GTC' as const, price: d.limit, size: d.size, strategy: 'temporal' as const, expires_at_ms: null };
    expect(new RiskEngine(cfg.risk).checkOrder(riskOrderCheck('m1', intent, spec({ fee: makersPay }), emptyLedger()), 0)).toEqual({ ok: true });
  });
});
