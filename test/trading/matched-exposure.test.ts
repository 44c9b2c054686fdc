import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/adapters/execution/execution-adapter.ts';
import { heldCost } from '../../src/domain/trading/pnl-ledger.ts';
import { book, flush, rig, spec } from './support.ts';

/**
 * The paper venue with its trades held back: every order update reaches the runtime at once, the
 * fills only when `release` is called (on a real venue they may come 10–50 s after the update).
 */
function rigWithLateFills() {
  const r = rig();
  const late: Array<() => void> = [];
  const subscribe = r.paper.subscribe.bind(r.paper);
  r.paper.subscribe = (listener: (e: ExecutionEvent) => void) => subscribe((e) => (e.kind === 'fill' ? late.push(() => listener(e)) : listener(e)));
  const release = async () => {
    for (const deliver of late.splice(0)) deliver();
    await flush();
  };
  return { ...r, release };
}

describe("risk's exposure of an order the venue reports matched before its fill is heard", () => {
  it('counts its shares from the order update on, and once when the fill arrives', async () => {
    const r = rigWithLateFills();
    r.runtime.addMarket(spec({ strategies: { pair_arb: true, temporal: false } }), { synced: true });
    await r.runtime.start();
    r.setBook('Y', book([[0.44, 100]], [[0.45, 100]]));
    r.setBook('N', book([[0.44, 100]], [[0.45, 100]]));
    r.clock.advanceBy(100);
    await flush();
    const ctx = r.runtime.marketSnapshot('m1')!.context;
    const matched = Object.values(ctx.orders).reduce((s, o) => s + o.filled_size * o.price, 0);
    // Both legs of the first chunk matched (10 shares each at 0.45), none of their fills heard.
    expect(matched).toBeCloseTo(9, 9);
    expect(heldCost(ctx.ledger)).toBe(0);
    expect(r.risk.marketExposure('m1')).toBeCloseTo(matched, 9);

    await r.release();
    const after = r.runtime.marketSnapshot('m1')!.context;
    expect(heldCost(after.ledger)).toBeCloseTo(matched, 9);
    expect(r.risk.marketExposure('m1')).toBeCloseTo(matched, 9);
    r.runtime.stop();
  });
});
