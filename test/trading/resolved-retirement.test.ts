import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { feed, HOUR, inputFactory, LIFE_MS, marketLife, marketSpec, node, PAIR_PROFIT, RESOLVES_AFTER, T0 } from './retirement-support.ts';

/**
 * A resolved market leaves the trading side `trading.resolved_market_retention_ms` after it
 * resolved on the node's clock, once settled with nothing left at the venue: actor, routes, books,
 * paper state and its topics go, its PnL stays in every total. Everything below goes through the
 * node's dispatch pump (the one path of live, replay and backtest): the inputs are bus events and
 * ticks, the node's clock is a virtual one.
 */

/** The node's every output but ids: what a replay must reproduce. */
function decisions(sink: CollectingSink): string[] {
  return sink.events.map((e) => JSON.stringify({ type: e.type, ts: e.ts_ingest, market: e.market_id ?? null, payload: e.payload }));
}

describe('resolved markets leave the trading side after their retention', () => {
  it('drops the actor and everything kept for it at the retention on the node clock, PnL totals unchanged, and a replay drops it at the same point', async () => {
    const input = inputFactory();
    const life = marketLife(input.events, input.clock, 0, T0 + 1_000);
    const run = async () => {
      const r = node(HOUR);
      await r.node.start();
      await feed(r.node, life);
      const m0 = r.node.runtime.marketSnapshot('m0')!;
      expect(m0.state).toBe('RESOLVED');
      // The pair was locked and paid out: a profit to keep.
      expect(r.node.runtime.marketPnl('m0').realized).toBeCloseTo(PAIR_PROFIT, 9);
      const resolvedAt = T0 + 1_000 + RESOLVES_AFTER;
      const before = {
        pnl: r.node.runtime.marketPnl('m0'),
        total: r.node.runtime.totalNetPnl(),
        risk: r.node.runtime.riskNetPnl(),
        peak: r.node.risk.peakNetPnl,
        summary: r.node.summary().net_pnl,
        daily: r.node.risk.dailyBaseline,
      };
      // Within the retention the market stays, resolved.
      await feed(r.node, [{ kind: 'tick', t: resolvedAt + HOUR - 1_000 }]);
      expect(r.node.runtime.marketIds()).toEqual(['m0']);
      expect(r.retired).toEqual([]);
      await feed(r.node, [{ kind: 'tick', t: resolvedAt + HOUR + 5_000 }]);
      expect(r.node.runtime.marketIds()).toEqual([]);
      expect(r.node.runtime.marketRef('m0')).toBeUndefined();
      expect(r.node.router.marketIds()).toEqual([]);
      expect(r.node.mirror.tokens()).toEqual([]);
      expect(r.node.paper!.positionsNow()).toEqual([]);
      expect(r.node.topics()).toEqual(['control:_']);
      expect(r.retired.map((x) => x.market.spec.market_id)).toEqual(['m0']);
      expect(r.retired[0]!.topics).toEqual(['control:m0', 'l2:m0', 'tape:m0']);
      // Its PnL is money: in every total as before it left.
      expect(r.node.runtime.marketPnl('m0')).toEqual(before.pnl);
      expect(r.node.runtime.totalNetPnl()).toBeCloseTo(before.total, 9);
      expect(r.node.runtime.riskNetPnl()).toBeCloseTo(before.risk, 9);
      expect(r.node.risk.peakNetPnl).toBeCloseTo(before.peak, 9);
      expect(r.node.risk.dailyBaseline).toEqual(before.daily);
      expect(r.node.summary().net_pnl).toBeCloseTo(before.summary, 9);
      expect(r.node.summary().markets).toEqual([{ market_id: 'm0', state: 'RESOLVED', pnl: before.pnl }]);
      // Carried to the next session on this data directory collapsed: no ledger of its own, its id and PnL in the retired markets' aggregate.
      const carried = r.node.carry()!;
      expect(carried.markets).toEqual({});
      expect(carried.retired.ids).toEqual(['m0']);
      expect(carried.retired.risk_net).toBeCloseTo(before.risk, 9);
      expect(carried.retired.pnl).toEqual(before.pnl);
      const alert = r.sink.events.find((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED');
      expect(alert?.market_id).toBe('m0');
      r.node.runtime.stop();
      return { at: r.retired[0]!.at, decisions: decisions(r.sink) };
    };
    const first = await run();
    // The first tick at or after the retention ran out (the runtime's ticks fall on a 1 s grid from its start).
    expect(first.at).toBeGreaterThanOrEqual(T0 + 1_000 + RESOLVES_AFTER + HOUR);
    expect(first.at).toBeLessThanOrEqual(T0 + 1_000 + RESOLVES_AFTER + HOUR + 1_000);
    const again = await run();
    expect(again.at).toBe(first.at);
    expect(again.decisions).toEqual(first.decisions);
  });

  it('keeps a resolved market while a fill of it awaits its answer, and retires it once the answer came', async () => {
    const r = node(0);
    await r.node.start();
    const input = inputFactory();
    const life = marketLife(input.events, input.clock, 0, T0 + 1_000);
    // Up to the first fills after the reconciliation let it trade: matched, not yet confirmed (confirm_delay_ms 2 s).
    const firstFill = T0 + 10_000 + 100;
    await feed(r.node, life.filter((i) => (i.kind === 'tick' ? i.t : i.event.ts_ingest) <= firstFill));
    const ledger = r.node.runtime.marketSnapshot('m0')!.context.ledger;
    expect(Object.keys(ledger.pending).length).toBeGreaterThan(0);
    const resolution = inputFactory(firstFill + 10, 6);
    await feed(r.node, [{ kind: 'event', event: resolution.events.make('MARKET_RESOLVED', { winning_token_id: 'Y0', winning_outcome: null }, { market_id: 'm0' }) }]);
    expect(r.node.runtime.marketSnapshot('m0')!.state).toBe('RESOLVED');
    // Retention 0, but a FAILED answer would still take back its payout: not yet.
    await feed(r.node, [{ kind: 'tick', t: r.clock.now() + 1_500 }]);
    expect(r.node.runtime.marketIds()).toEqual(['m0']);
    // Answered (confirm_delay_ms 2 s); it leaves after the next reconciliation (every 10 s) checked the venue's orders on its tokens.
    await feed(r.node, [{ kind: 'tick', t: r.clock.now() + 3_000 }]);
    expect(Object.keys(r.node.runtime.marketSnapshot('m0')!.context.ledger.pending)).toEqual([]);
    await feed(r.node, [{ kind: 'tick', t: r.clock.now() + 10_000 }]);
    expect(r.node.runtime.marketIds()).toEqual([]);
    expect(r.node.runtime.marketPnl('m0').realized).toBeGreaterThan(0);
    r.node.runtime.stop();
  });

  it('ignores a MARKET_DISCOVERED of a retired market, with an alert: it does not come back as a fresh market', async () => {
    const r = node(0);
    await r.node.start();
    const input = inputFactory();
    await feed(r.node, marketLife(input.events, input.clock, 0, T0 + 1_000));
    await feed(r.node, [{ kind: 'tick', t: T0 + 1_000 + LIFE_MS + 5_000 }]);
    expect(r.node.runtime.marketIds()).toEqual([]);
    const pnl = r.node.runtime.marketPnl('m0');
    // Discovery lists it again (a replayed old event, a re-listing), and its book comes by.
    input.clock.advanceTo(T0 + 1_000 + LIFE_MS + 6_000);
    const again = input.events.make('MARKET_DISCOVERED', { spec: marketSpec(0), station_id: null, match_id: null, event_slug: null }, { market_id: 'm0' });
    const payload = { resync_epoch_id: 2, synced: true, tick_size: 0.01, bids: [[0.44, 100]], asks: [[0.45, 100]], best_bid: 0.44, best_ask: 0.45, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
    const snap = input.events.make('L2_SNAPSHOT', payload as never, { market_id: 'm0', token_id: 'Y0' });
    await feed(r.node, [{ kind: 'event', event: again }, { kind: 'event', event: snap }, { kind: 'tick', t: T0 + 1_000 + LIFE_MS + 9_000 }]);
    expect(r.node.route(again)).toBe(false);
    expect(r.node.runtime.marketIds()).toEqual([]);
    expect(r.node.router.marketIds()).toEqual([]);
    expect(r.node.mirror.tokens()).toEqual([]);
    expect(r.node.topics()).toEqual(['control:_']);
    expect(r.node.runtime.marketPnl('m0')).toEqual(pnl);
    const alerts = r.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'RETIRED_MARKET_DISCOVERED');
    expect(alerts.map((e) => e.market_id)).toEqual(['m0', 'm0']);
    r.node.runtime.stop();
  });

  it('keeps the runtime bounded over many markets discovered and resolved in turn, and every one of their profits in the total', async () => {
    const N = 60;
    // Retention of 5 market lives: at most about that many resolved markets wait at any time.
    const r = node(5 * LIFE_MS);
    await r.node.start();
    const input = inputFactory();
    let most = 0;
    let pnlOfEach = 0;
    for (let i = 0; i < N; i++) {
      // Markets of one station, so their shared nowcast topic must outlive each of them.
      await feed(r.node, marketLife(input.events, input.clock, i, T0 + 1_000 + i * LIFE_MS, 'KNYC'));
      most = Math.max(most, r.node.runtime.marketIds().length);
      if (i === 0) pnlOfEach = r.node.runtime.marketPnl('m0').net;
    }
    await feed(r.node, [{ kind: 'tick', t: T0 + 1_000 + (N + 10) * LIFE_MS }]);
    expect(most).toBeLessThanOrEqual(7);
    expect(r.node.runtime.marketIds()).toEqual([]);
    expect(r.node.runtime.groupCount()).toBe(1);
    expect(r.node.router.marketIds()).toEqual([]);
    expect(r.node.mirror.tokens()).toEqual([]);
    expect(r.node.topics()).toEqual(['control:_']);
    expect(r.retired).toHaveLength(N);
    // The nowcast topic of the station is let go with the last of its markets only.
    expect(r.retired.filter((x) => x.topics.includes('nowcast:KNYC')).map((x) => x.market.spec.market_id)).toEqual([`m${N - 1}`]);
    expect(pnlOfEach).toBeGreaterThan(PAIR_PROFIT - 1);
    expect(r.node.runtime.totalNetPnl()).toBeCloseTo(N * pnlOfEach, 6);
    expect(r.node.summary().net_pnl).toBeCloseTo(N * pnlOfEach, 6);
    r.node.runtime.stop();
  });
});
