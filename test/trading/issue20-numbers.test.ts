import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { decideEdge } from '../../src/domain/trading/edge.ts';
import { fillFee } from '../../src/domain/trading/fees.ts';
import { applyFill, emptyLedger, pnlSummary, settle, tokenHolding, type LedgerFill } from '../../src/domain/trading/pnl-ledger.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { marketTradingMachine } from '../../src/machines/market-trading/market-trading.machine.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { book, defaultSections, spec, WEATHER_FEE } from './support.ts';

/** Issue #20, "wrong numbers". */
const cfg = defaultSections();

const fill = (over: Partial<LedgerFill>): LedgerFill => ({ fill_id: 'f', token_id: 'Y', strategy: 'pair_arb', side: 'BUY', price: 0.5, size: 10, fee_usdc: 0.125, status: 'MATCHED', ...over });

describe('#20.8 a resolution without a winner pays each token its resolved price', () => {
  it('10 YES + 10 NO @ 0.50 resolved 50-50 books −0.25, not −10.25', () => {
    const clock = new VirtualClock(1_000_000);
    const actor = createActor(marketTradingMachine, { clock, input: { spec: spec({ strategies: { pair_arb: false, temporal: false } }), cfg: cfg.trading, now_ms: clock.now(), synced: true } });
    actor.start();
    for (const t of ['Y', 'N']) actor.send({ type: 'FILL', now_ms: clock.now(), fill: { ...fill({ fill_id: `f${t}`, token_id: t, status: 'CONFIRMED' }), client_order_id: `c${t}` } });
    actor.send({ type: 'MARKET_RESOLVED', now_ms: clock.now(), winning_token_id: null });
    const { value, context } = actor.getSnapshot();
    console.info(`#20.8 50-50 settlement cash ${context.ledger.cash.toFixed(4)}`);
    expect(value).toBe('RESOLVED');
    expect(context.ledger.cash).toBeCloseTo(-0.25, 9);
    actor.stop();
  });
});

describe('#20.9 edge orders fit the cap they were sized for, fees included', () => {
  const edgeCfg = { ...cfg.trading.temporal, kelly_max_fraction: 0.5 };
  const decide = (asks: Array<[number, number]>) =>
    decideEdge({
      tokens: [{ token_id: 'Y', book: book([[0.45, 100]], asks), fair: 0.75, holding: { shares: 0, cost: 0 } }],
      threshold: 0.05,
      maxOrderUsdc: cfg.risk.max_order_usdc,
      maxPositionUsdc: 25,
      fee: WEATHER_FEE,
      tick: 0.01,
      maxSlippageTicks: 3,
      minOrderShares: 5,
      sizeScale: 1,
      allowBuy: true,
      cfg: edgeCfg,
    });

  for (const [name, asks] of [
    ['asks 6 @ 0.50 then 0.51', [[0.5, 6], [0.51, 100]]],
    ['10 @ 0.50', [[0.5, 100]]],
  ] as Array<[string, Array<[number, number]>]>) {
    it(`${name}: the order costs at most $5 with its fee and risk accepts it`, () => {
      const d = decide(asks);
      expect(d.kind).toBe('buy');
      if (d.kind !== 'buy') return;
      const cost = d.size * d.limit + fillFee(d.size, d.limit, 'taker', WEATHER_FEE);
      console.info(`#20.9 ${name}: ${d.size} @ ${d.limit} costs ${cost.toFixed(4)}`);
      expect(cost).toBeLessThanOrEqual(cfg.risk.max_order_usdc + 1e-9);
      const risk = new RiskEngine(cfg.risk);
      const v = risk.checkOrder({ client_order_id: 'o', market_id: 'm', side: 'BUY', price: d.limit, size: d.size, reduces: false, fee_usdc: fillFee(d.size, d.limit, 'taker', WEATHER_FEE) }, 0);
      expect(v).toEqual({ ok: true });
      // Risk counts the fee: 10 @ 0.50 plus its 0.125 fee is over $5.
      expect(risk.checkOrder({ client_order_id: 'p', market_id: 'm', side: 'BUY', price: 0.5, size: 10, reduces: false, fee_usdc: 0.125 }, 0).ok).toBe(false);
    });
  }
});

describe('#20.10 ledger edge cases', () => {
  it('buy 10 matched, sell 5, then the buy fails: no short position, conservation holds', () => {
    let l = emptyLedger();
    l = applyFill(l, fill({ fill_id: 'b' }));
    l = applyFill(l, fill({ fill_id: 's', side: 'SELL', size: 5, price: 0.55, fee_usdc: 0.06 }));
    l = applyFill(l, fill({ fill_id: 'b', status: 'FAILED' }));
    expect(tokenHolding(l, 'Y').shares).toBe(0);
    expect(l.cash).toBeCloseTo(0, 9);
    expect(pnlSummary(l, { Y: 0.5 }).net).toBeCloseTo(0, 9);
    // The sell's own late answer changes nothing any more.
    const again = applyFill(l, fill({ fill_id: 's', side: 'SELL', size: 5, price: 0.55, fee_usdc: 0.06, status: 'CONFIRMED' }));
    expect(again.cash).toBeCloseTo(0, 9);
  });

  it('a FAILED after settlement takes back what the settlement paid for that fill', () => {
    let l = applyFill(emptyLedger(), fill({ fill_id: 'b' }));
    l = settle(l, { Y: 1, N: 0 });
    expect(l.cash).toBeCloseTo(4.875, 9);
    l = applyFill(l, fill({ fill_id: 'b', status: 'FAILED' }));
    console.info(`#20.10 late FAILED after settlement: cash ${l.cash.toFixed(4)} (before: +4.875 kept)`);
    expect(l.cash).toBeCloseTo(0, 9);
    const s = pnlSummary(l, {});
    expect(s.net).toBeCloseTo(0, 9);
  });
});

describe('#20.11 simulated esports markets use the esports fee', () => {
  it('100 @ 0.50 pays $0.75 on an esports market, $1.25 on a weather one', () => {
    const { config } = loadConfig({ env: {} });
    const universe = buildSimUniverse(config, simulatedTruth(config.app.seed, config.truth_engine, new SystemClock()).matches, Date.now());
    const esports = universe.markets.find((m) => m.spec.fair_source.kind === 'truth')!;
    const weather = universe.markets.find((m) => m.spec.fair_source.kind === 'nowcast')!;
    expect(fillFee(100, 0.5, 'taker', esports.spec.fee)).toBeCloseTo(0.75, 9);
    expect(fillFee(100, 0.5, 'taker', weather.spec.fee)).toBeCloseTo(1.25, 9);
  });
});
