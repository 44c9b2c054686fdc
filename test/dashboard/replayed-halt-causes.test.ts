import { describe, expect, it } from 'vitest';
import { marketListing } from '../../src/apps/dashboard/market-listing.ts';
import { MarketStates } from '../../src/apps/dashboard/market-states.ts';
import { replayMarkers } from '../../src/apps/dashboard/replay-markers.ts';
import { ArrayReplaySource } from '../../src/domain/replay/source.ts';
import type { MarketInputEvent } from '../../src/machines/market-trading/events.ts';
import { flush, rig, spec } from '../trading/support.ts';

/**
 * A served replay answers GET /markets from the recorded stream (MarketStates), the daemon from the
 * market machine's snapshot: causes that join or clear while the market stays in HALT must reach
 * the stream, or the replay shows the causes the market entered HALT with.
 */
describe('halt causes in a replay of the journal and in the live machine', () => {
  it('are the same at each step while a second cause joins a halt and then the first clears', async () => {
    const r = rig();
    const market = { spec: spec({ strategies: { pair_arb: true, temporal: false } }), match_id: null, station_id: null };
    r.runtime.addMarket(market.spec, { synced: true });
    await r.runtime.start();
    const live = () => {
      const snap = r.runtime.marketSnapshot('m1')!;
      // As the daemon's GET /markets reads it (src/apps/daemon/api.ts).
      return marketListing(market, snap.state, snap.state === 'HALT' ? snap.context.halt : []);
    };
    const replayed = () => {
      const states = new MarketStates();
      for (const e of r.sink.events) states.emit(e);
      return marketListing(market, states.state('m1'), states.haltCauses('m1'));
    };
    const step = async (e: MarketInputEvent) => {
      r.clock.advanceBy(100);
      r.runtime.send('m1', e);
      await flush();
      return { live: live(), replayed: replayed() };
    };
    const risk = (state: 'ACTIVE' | 'HALTED'): MarketInputEvent => ({ type: 'RISK', risk: { state, size_scale: 1, market_tripped: false, reason: state === 'HALTED' ? 'kill switch' : null } });

    const halted = await step({ type: 'HALT_CMD', reason: 'operator' });
    expect(halted.live).toMatchObject({ state: 'HALT', halt_causes: ['manual'] });
    expect(halted.replayed).toEqual(halted.live);

    const joined = await step(risk('HALTED'));
    expect(joined.live).toMatchObject({ state: 'HALT', halt_causes: ['manual', 'risk_halted'] });
    expect(joined.replayed).toEqual(joined.live);

    const firstCleared = await step({ type: 'RESUME_CMD' });
    expect(firstCleared.live).toMatchObject({ state: 'HALT', halt_causes: ['risk_halted'] });
    expect(firstCleared.replayed).toEqual(firstCleared.live);

    // Every cause gone inside the cool-down: still HALT, waiting it out.
    const allCleared = await step(risk('ACTIVE'));
    expect(allCleared.live).toMatchObject({ state: 'HALT', halt_causes: ['cool_down'] });
    expect(allCleared.replayed).toEqual(allCleared.live);

    // A cause changing inside HALT is announced as HALT → HALT, never as a state of its own entered again.
    const states = r.sink.events.filter((e) => e.type === 'MARKET_STATE').map((e) => e.type === 'MARKET_STATE' && [e.payload.previous, e.payload.state, e.payload.reason]);
    expect(states.slice(-4)).toEqual([
      ['IDLE', 'HALT', 'manual'],
      ['HALT', 'HALT', 'manual,risk_halted'],
      ['HALT', 'HALT', 'risk_halted'],
      ['HALT', 'HALT', null],
    ]);
    // …so the replay's timeline shows one halt, where it began.
    const records = r.sink.events.map((event, seq) => ({ ts: event.ts_ingest, seq, event }));
    const halts = (await replayMarkers(new ArrayReplaySource(records), { from: 0, to: Infinity })).filter((m) => m.kind === 'halt');
    expect(halts.map((m) => m.label)).toEqual(['halt manual']);
  });
});
