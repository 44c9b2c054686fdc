import { describe, expect, it } from 'vitest';
import { book, flush, overstayTimeInBook, rig, spec, startRestingEdgeEntry } from './support.ts';

function alertCodes(r: ReturnType<typeof rig>): string[] {
  return r.sink.events.filter((e) => e.type === 'ALERT').map((e) => (e.payload as { code: string }).code);
}

describe('an execution adapter that throws synchronously on the order path', () => {
  it('a place it throws on is rejected and its risk reservation freed; the market actor keeps running', async () => {
    const r = rig();
    r.paper.placeOrder = () => {
      throw new Error('signer unavailable');
    };
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }), { synced: true });
    await r.runtime.start();
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
    await flush();

    expect(alertCodes(r)).not.toContain('MARKET_RESTARTING');
    const orders = Object.values(r.runtime.marketSnapshot('m1')!.context.orders);
    expect(orders).toHaveLength(2);
    expect(orders.map((o) => [o.status, o.reason])).toEqual([
      ['rejected', 'signer unavailable'],
      ['rejected', 'signer unavailable'],
    ]);
    // Risk reserved both legs when it accepted them: nothing is left reserved for orders that never went out.
    expect(r.risk.marketExposure('m1')).toBe(0);
    r.runtime.stop();
  });

  it('a cancel it throws on is answered as a rejected cancel; the market actor keeps running', async () => {
    const r = rig();
    const resting = await startRestingEdgeEntry(r);
    let cancels = 0;
    r.paper.cancelOrder = () => {
      cancels++;
      throw new Error('venue client closed');
    };
    // Fresh inputs while the order overstays its time in book: the market asks to cancel it.
    await overstayTimeInBook(r);
    expect(cancels).toBeGreaterThan(0);
    expect(alertCodes(r)).not.toContain('MARKET_RESTARTING');
    expect(r.runtime.marketRef('m1')).toBeDefined();
    // Each cancel it threw on counted as a failed one: the market's breaker tripped and halted it.
    const snap = r.runtime.marketSnapshot('m1')!;
    expect(snap.state).toBe('HALT');
    expect(snap.context.halt).toContain('circuit_breaker');
    expect(r.sink.events.some((e) => e.type === 'RISK_STATE' && /cancel failures/.test(String(e.payload.reason)))).toBe(true);
    expect(snap.context.orders[resting.client_order_id]).toMatchObject({ status: 'open' });
    r.runtime.stop();
  });
});
