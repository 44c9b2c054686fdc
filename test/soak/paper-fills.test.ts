import { describe, expect, it } from 'vitest';
import { PaperExecutionAdapter } from '../../src/adapters/execution/paper-adapter.ts';
import { BusBookMirror } from '../../src/domain/book/bus-book-mirror.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { judgePaperFills, type DispatchInputRecord, type PaperTakerFill } from '../../src/domain/soak/paper-fills.ts';
import type { OrderSide } from '../../src/domain/trading/book-view.ts';
import { TakenLiquidity } from '../../src/domain/trading/paper-liquidity.ts';
import { testFactory } from '../support/events.ts';
import { defaultSections, WEATHER_FEE } from '../trading/support.ts';

/**
 * Issue #20: the soak's paper_overfills, judged against the book the trading node itself held
 * (its dispatch log) minus what paper had already taken there — the paper venue's own rule.
 */
const T0 = 1_700_000_000_000;

function session() {
  const { clock, factory } = testFactory(3, T0);
  const inputs: DispatchInputRecord[] = [];
  const fills: PaperTakerFill[] = [];
  const at = (ms: number) => clock.advanceTo(T0 + ms);
  const snapshot = (ms: number, asks: Array<[number, number]>) => {
    at(ms);
    inputs.push({ event: factory.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.4, 50]], asks, best_bid: 0.4, best_ask: asks[0]?.[0] ?? null, mid: null, spread: null, microprice: null, imbalance: null, hash: null }, { market_id: 'm', token_id: 'Y' }) });
  };
  const top = (ms: number, ask: number, size: number) => {
    at(ms);
    inputs.push({ event: factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 50, best_ask: ask, best_ask_size: size, updates_coalesced: 1 }, { market_id: 'm', token_id: 'Y' }) });
  };
  const tick = (ms: number) => inputs.push({ tick: T0 + ms });
  const fill = (ms: number, price: number, size: number) => fills.push({ at_ms: T0 + ms, fill_id: `f${fills.length}`, token_id: 'Y', side: 'BUY', price, size });
  const judge = () => judgePaperFills({ session: 1, start_ms: T0, tokens: new Set(['Y', 'N']), inputs }, fills);
  return { snapshot, top, tick, fill, judge };
}

describe('soak referee: paper fills against the trading node’s own book', () => {
  it('flags paper filling the same displayed shares twice (an identical refresh is not new liquidity)', () => {
    const s = session();
    s.snapshot(0, [[0.45, 10], [0.46, 10]]);
    s.fill(100, 0.45, 10);
    s.top(200, 0.45, 10); // the venue still shows the 10 paper took: it never saw paper's order
    s.fill(300, 0.45, 10);
    s.tick(1000);
    const v = s.judge();
    expect(v).toMatchObject({ judged: 2, overfills: 1, unjudged: 0 });
    expect(v.examples[0]).toMatch(/fill f1: BUY 10 @ 0.45 where 0 of 10 shown/);
  });

  it('passes what the venue replenished or freed: growth is new size, a shrink frees what it lost of our take', () => {
    const s = session();
    s.snapshot(0, [[0.45, 10]]);
    s.fill(100, 0.45, 10);
    s.top(200, 0.45, 20); // 10 new shares behind ours
    s.fill(300, 0.45, 10);
    s.top(400, 0.45, 4); // 16 went for real: of our 20 taken, 4 are still displayed
    s.top(500, 0.45, 14); // 10 new
    s.fill(600, 0.45, 10);
    s.tick(1000);
    expect(s.judge()).toMatchObject({ judged: 3, overfills: 0 });
  });

  it('places a fill before the first input whose time reaches it, as the node’s clock fired it', () => {
    const s = session();
    s.snapshot(0, [[0.45, 10], [0.46, 10]]);
    s.top(1000, 0.46, 10); // the 0.45 level is gone at t=1000
    s.fill(1000, 0.45, 10); // the order's arrival was due at 1000: it fired before that input
    s.tick(2000);
    expect(s.judge()).toMatchObject({ judged: 1, overfills: 0 });

    const late = session();
    late.snapshot(0, [[0.45, 10], [0.46, 10]]);
    late.top(1000, 0.46, 10);
    late.fill(1001, 0.45, 10); // after the level went: nothing there to take
    late.tick(2000);
    expect(late.judge()).toMatchObject({ judged: 1, overfills: 1 });
  });

  it('leaves a fill after the last logged input unjudged (the tail a SIGKILL took)', () => {
    const s = session();
    s.snapshot(0, [[0.45, 10]]);
    s.fill(100, 0.45, 10);
    s.tick(200);
    s.fill(300, 0.45, 99);
    expect(s.judge()).toMatchObject({ judged: 1, overfills: 0, unjudged: 1 });
  });

  /** A paper venue whose taken tally is cleared on every book update: the bug #20 item 6 described. */
  class ForgetfulLiquidity extends TakenLiquidity {
    private fresh = new TakenLiquidity();
    override takenAt(token: string, side: OrderSide, price: number): number {
      return this.fresh.takenAt(token, side, price);
    }
    override take(token: string, side: OrderSide, price: number, size: number, shown: number): void {
      this.fresh.take(token, side, price, size, shown);
    }
    override onBook(): void {
      this.fresh = new TakenLiquidity();
    }
  }

  /** The real paper venue on a mirrored book, driven as the dispatch pump drives it; its fills and inputs recorded. */
  async function runPaper(breakConsumption: boolean) {
    const { clock, factory } = testFactory(5, T0);
    const mirror = new BusBookMirror();
    const cfg = defaultSections().execution.paper;
    const paper = new PaperExecutionAdapter({ clock, cfg: { ...cfg, fail_probability: 0 }, bookFor: (t) => mirror.tradableBook(t) });
    if (breakConsumption) (paper as unknown as { consumed: TakenLiquidity }).consumed = new ForgetfulLiquidity();
    paper.registerMarket({ market_id: 'm', tokens: ['Y', 'N'], tick_size: 0.01, min_order_size: 1, fee: WEATHER_FEE });
    const inputs: DispatchInputRecord[] = [];
    const fills: PaperTakerFill[] = [];
    paper.subscribe((e) => {
      if (e.kind === 'fill' && e.fill.status === 'MATCHED' && e.fill.liquidity === 'taker') {
        fills.push({ at_ms: clock.now(), fill_id: e.fill.fill_id, token_id: e.token_id, side: e.fill.side, price: e.fill.price, size: e.fill.size });
      }
    });
    const input = async (t: number, event: HeliosEvent | null) => {
      inputs.push(event ? { event } : { tick: t });
      await clock.advanceSettling(t);
      if (event && mirror.apply(event)) paper.onBookUpdated(event.token_id!);
    };
    const book = () =>
      factory.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 10]], asks: [[0.45, 10]], best_bid: 0.44, best_ask: 0.45, mid: null, spread: null, microprice: null, imbalance: null, hash: null }, { market_id: 'm', token_id: 'Y' });
    for (let i = 0; i < 12; i++) {
      // The same 10 shares at 0.45 refreshed, and a buy of 10 after every refresh.
      await input(clock.now() + 100, book());
      void paper.placeOrder({ client_order_id: `o${i}`, market_id: 'm', token_id: 'Y', side: 'BUY', order_type: 'FAK', price: 0.45, size: 10, strategy: 'pair_arb', expires_at_ms: null });
    }
    await input(clock.now() + 1000, null);
    return judgePaperFills({ session: 1, start_ms: T0, tokens: new Set(['Y', 'N']), inputs }, fills);
  }

  it('the real paper venue passes; with its consumption rule broken, the same run is flagged', async () => {
    const sound = await runPaper(false);
    expect(sound).toMatchObject({ judged: 1, overfills: 0, unjudged: 0 });
    const broken = await runPaper(true);
    expect(broken.judged).toBe(12);
    expect(broken.overfills).toBe(11);
  });
});
