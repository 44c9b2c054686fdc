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
    // Fresh inputs while the order overstays its time in book: the market asks to cancel it, and
    // again after each backoff (1 s, 2 s: the third failure comes 3 s after the first).
    await overstayTimeInBook(r);
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

  it('re-sends a cancel it keeps throwing on only after a backoff on the node clock, doubling from cancel_backoff_min_ms up to cancel_backoff_max_ms', async () => {
    // A breaker far off: what paces the re-sends is the backoff, not the breaker halting the market.
    const r = rig({
      tune: (cfg) => {
        cfg.risk.breakers.max_cancel_failures = 50;
        Object.assign(cfg.execution, { cancel_backoff_min_ms: 1000, cancel_backoff_max_ms: 8000 });
      },
    });
    const resting = await startRestingEdgeEntry(r);
    const sentAt: number[] = [];
    r.paper.cancelOrder = (id) => {
      sentAt.push(r.clock.now());
      // Past this many, the venue lets it go: re-sent at once without a backoff, the cancels would never end.
      if (sentAt.length > 200) return Promise.resolve({ ok: false, client_order_id: id, reason: 'unknown order', benign: true });
      throw new Error('venue client closed');
    };
    // 42 s of fresh inputs, the order past its time in book all along.
    for (let i = 0; i < 6; i++) await overstayTimeInBook(r);
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    // The first cancel goes out on the market's time-in-book pulse, inside a clock advance that ends
    // 100 ms later, when its failure is heard: the backoff runs from there. The others go out on the
    // rejection's delivery, each failure heard at once.
    expect(gaps[0]).toBe(1000 + 100);
    expect(gaps.slice(1)).toEqual([2000, 4000, 8000, 8000, 8000]);
    // Every failure still counts for the breaker; at this pace it has not tripped.
    const snap = r.runtime.marketSnapshot('m1')!;
    expect(snap.context.halt).not.toContain('circuit_breaker');
    expect(snap.context.orders[resting.client_order_id]).toMatchObject({ status: 'open' });
    r.runtime.stop();
  });
});
