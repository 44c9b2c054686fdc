import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { BusBookMirror } from '../../src/domain/book/bus-book-mirror.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { RiskEngine } from '../../src/domain/trading/risk-engine.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import { TradingRouter } from '../../src/runtime/trading/trading-router.ts';
import { TradingRuntime } from '../../src/runtime/trading/trading-runtime.ts';
import { defaultSections, flush, spec } from './support.ts';

/**
 * Two judge days of one station trade side by side (the next day's buckets are listed before the
 * current day ends), with the same bucket labels: each day's nowcast reaches its own day's bucket
 * markets (and undated ones), never the other day's.
 */
describe('a station’s nowcasts of two judge days', () => {
  it('reach the bucket markets of their own judge day and the undated ones only', async () => {
    const clock = new VirtualClock(1_700_000_000_000);
    const cfg = defaultSections();
    const mirror = new BusBookMirror();
    const paper = new PaperExecutionAdapter({ clock, cfg: cfg.execution.paper, bookFor: (t) => mirror.tradableBook(t) });
    const events = new EventFactory(clock, ulidGenerator(seededRng(1)));
    const sink = new CollectingSink();
    const runtime = new TradingRuntime({ clock, ...cfg, riskEngine: new RiskEngine(cfg.risk), adapter: paper, sink, events });
    const router = new TradingRouter({ runtime, paper, mirror, clock, cfg: cfg.trading, events, publish: sink, inferMarkets: false });
    const bucket = (id: string, judgeDay?: string) =>
      spec({
        market_id: id,
        yes_token: `${id}-yes`,
        no_token: `${id}-no`,
        fair_source: { kind: 'nowcast', bucket_label: '40-41°F', yes_token: `${id}-yes`, no_token: `${id}-no`, ...(judgeDay ? { judge_day: judgeDay } : {}) },
        strategies: { pair_arb: false, temporal: true },
      });
    for (const m of [bucket('today', '2026-12-08'), bucket('tomorrow', '2026-12-09'), bucket('undated')]) router.addMarket({ spec: m, station_id: 'KLGA', match_id: null });
    await runtime.start();
    const nowcast = (judgeDay: string, p: number) =>
      events.make('NOWCAST', { judge_day: judgeDay, max_so_far_f: 40, distribution: [], buckets: [{ label: '40-41°F', lo_f: 40, hi_f: 41, p }], peak_time_bins: [], confidence: 1, qc_gate: 'open', inputs: [] } as never, { station_id: 'KLGA' });
    const heldDay = (id: string) => (runtime.marketSnapshot(id)!.context.signals.nowcast?.payload.judge_day as string | undefined) ?? null;
    const policies = (id: string) => sink.events.filter((e) => e.type === 'POLICY' && e.market_id === id).map((e) => (e.payload as { fair_value: Record<string, number> }).fair_value[`${id}-yes`]);

    expect(router.route(nowcast('2026-12-08', 0.7))).toBe(true);
    expect(router.route(nowcast('2026-12-09', 0.2))).toBe(true);
    await flush();
    expect([heldDay('today'), heldDay('tomorrow'), heldDay('undated')]).toEqual(['2026-12-08', '2026-12-09', '2026-12-09']);
    expect(policies('today')).toEqual([0.7]);
    expect(policies('tomorrow')).toEqual([0.2]);
    // An undated bucket is priced by whichever day's nowcast came last, as before.
    expect(policies('undated')).toEqual([0.7, 0.2]);
    // A nowcast of a day no dated market settles on still reaches the undated one.
    expect(router.route(nowcast('2026-12-10', 0.5))).toBe(true);
    await flush();
    expect([heldDay('today'), heldDay('tomorrow'), heldDay('undated')]).toEqual(['2026-12-08', '2026-12-09', '2026-12-10']);
  });
});
