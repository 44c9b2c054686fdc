import { describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { FINE, NEG, TEST_ADDRESS, TEST_KEY, YES, fills, req, rigPerTest, statuses } from './support.ts';

const rigs = rigPerTest();
const { setup } = rigs;

describe('real adapter on the stand-in CLOB: placing', () => {
  it('places a resting order signed for the venue; a repeat with the same client id sends nothing', async () => {
    const { rig, a } = await setup();
    const r = req();
    const ack = await a.adapter.placeOrder(r);
    expect(ack).toMatchObject({ accepted: true, duplicate: false });
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: true, duplicate: true });
    expect(rig.standIn.count('POST /order')).toBe(1);
    expect(statuses(a.events, r.client_order_id)).toEqual(['pending', 'open']);
    expect(await a.adapter.fetchOpenOrders()).toEqual([{ client_order_id: r.client_order_id, market_id: 'm1', token_id: YES, side: 'BUY', price: 0.35, size: 10, filled_size: 0 }]);
  });

  it('a retired market is let go of: its finished order is forgotten with its answer and its token, a live one of another market is not', async () => {
    const { rig, a } = await setup();
    const done = req({ order_type: 'FOK', price: 0.42, size: 20 });
    const resting = req({ market_id: 'm2', token_id: FINE, price: 0.3975 });
    await a.adapter.start();
    await a.adapter.placeOrder(done);
    await a.adapter.placeOrder(resting);
    const trade = [...rig.standIn.venue.trades.keys()][0]!;
    rig.standIn.venue.settle(trade, 'CONFIRMED');
    await vi.waitFor(() => expect(fills(a.events, done.client_order_id).map((f) => f.status)).toEqual(['MATCHED', 'CONFIRMED']));
    // Halted for a balance check before it retired: the halt goes with it, another market's stays.
    const placement = (a.adapter as unknown as { placement: { halt(m: string, why: string): void } }).placement;
    placement.halt('m1', 'balance');
    placement.halt('m2', 'balance');
    a.adapter.forgetMarket('m1', [YES]);
    expect(a.adapter.haltedMarkets()).toEqual({ m2: 'balance' });
    a.adapter.clearHalt('m2');
    expect(a.adapter.tracker.get(done.client_order_id)).toBeUndefined();
    expect(a.adapter.tracker.live().map((o) => o.req.client_order_id)).toEqual([resting.client_order_id]);
    // Its id is no duplicate any more, and its token no market's: asked again, it is refused unsent.
    expect(await a.adapter.placeOrder(done)).toMatchObject({ accepted: false, reason: `unknown token ${YES}` });
    expect(await a.adapter.placeOrder(resting)).toMatchObject({ accepted: true, duplicate: true });
    expect(rig.standIn.count('POST /order')).toBe(2);
  });

  it('rounds to the tick helios knows (0.01, 0.0025, 0.005 neg-risk) without asking the venue, and refuses below minimum size unsent', async () => {
    const { rig, a } = await setup();
    await a.adapter.placeOrder(req({ price: 0.3579, size: 10.009 }));
    await a.adapter.placeOrder(req({ market_id: 'm2', token_id: FINE, price: 0.3979 }));
    await a.adapter.placeOrder(req({ market_id: 'm3', token_id: NEG, price: 0.2963 }));
    const small = await a.adapter.placeOrder(req({ size: 4.999 }));
    expect(small).toMatchObject({ accepted: false });
    const open = rig.standIn.venue.openOrders(a.session.apiCreds.key).map((o) => [o.price, o.original_size]);
    expect(open).toEqual([
      [0.35, 10],
      [0.3975, 10],
      [0.295, 10],
    ]);
    expect(rig.standIn.requests.filter((r) => r.includes('tick-size') || r.includes('neg-risk'))).toEqual([]);
    expect(rig.standIn.count('POST /order')).toBe(3);
  });

  it('a marketable FOK fills against the book: provisional at MATCHED, final at CONFIRMED, taker fee from the schedule', async () => {
    const { rig, a } = await setup();
    const r = req({ order_type: 'FOK', price: 0.42, size: 20 });
    await a.adapter.start();
    expect(await a.adapter.placeOrder(r)).toMatchObject({ accepted: true });
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id).map((f) => f.status)).toEqual(['MATCHED']));
    const [f] = fills(a.events, r.client_order_id);
    expect(f).toMatchObject({ price: 0.42, size: 20, liquidity: 'taker' });
    expect(f!.fee_usdc).toBeCloseTo(20 * 0.05 * 0.42 * 0.58, 5);
    const trade = [...rig.standIn.venue.trades.keys()][0]!;
    rig.standIn.venue.settle(trade, 'MINED');
    rig.standIn.venue.settle(trade, 'CONFIRMED');
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id).map((f) => f.status)).toEqual(['MATCHED', 'CONFIRMED']));
    expect(statuses(a.events, r.client_order_id).at(-1)).toBe('filled');
  });

  it('MATCHED → FAILED voids the fill once, even when a REST resync replays the same trade', async () => {
    const { rig, a } = await setup();
    await a.adapter.start();
    const r = req({ order_type: 'FAK', price: 0.42, size: 10 });
    await a.adapter.placeOrder(r);
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id)).toHaveLength(1));
    const trade = [...rig.standIn.venue.trades.keys()][0]!;
    rig.standIn.venue.settle(trade, 'RETRYING');
    rig.standIn.venue.settle(trade, 'FAILED');
    await vi.waitFor(() => expect(fills(a.events, r.client_order_id).map((f) => f.status)).toEqual(['MATCHED', 'FAILED']));
    await a.adapter.resync();
    expect(fills(a.events, r.client_order_id).map((f) => f.status)).toEqual(['MATCHED', 'FAILED']);
    expect(rig.standIn.venue.position(TEST_ADDRESS, YES)).toBe(0);
  });

  it('batches at most 15 orders per POST /orders', async () => {
    const { rig, a } = await setup();
    const reqs = Array.from({ length: 20 }, () => req({ price: 0.3 }));
    const acks = await a.adapter.placeOrders(reqs);
    expect(acks.every((k) => k.accepted)).toBe(true);
    expect(rig.standIn.count('POST /orders')).toBe(2);
    expect(rig.standIn.venue.openOrders(a.session.apiCreds.key)).toHaveLength(20);
  });

  it('cancels one, by market, and all', async () => {
    const { rig, a } = await setup();
    const [x, y, z] = [req(), req({ market_id: 'm2', token_id: FINE, price: 0.3 }), req({ price: 0.34 })];
    for (const r of [x, y, z]) await a.adapter.placeOrder(r);
    expect(await a.adapter.cancelOrder(x.client_order_id)).toEqual({ ok: true, client_order_id: x.client_order_id });
    expect(await a.adapter.cancelOrder(x.client_order_id)).toMatchObject({ ok: false, benign: true });
    expect(await a.adapter.cancelMarket('m2')).toHaveLength(1);
    expect(statuses(a.events, y.client_order_id).at(-1)).toBe('canceled');
    expect(await a.adapter.cancelAll()).toHaveLength(1);
    expect(rig.standIn.venue.openOrders(a.session.apiCreds.key)).toEqual([]);
  });
});

describe('real adapter: order kinds and secrecy', () => {
  it('GTD carries the venue buffer; a past GTD is refused unsent; post-only that would cross is refused by the venue', async () => {
    const { rig, a } = await setup();
    const now = Date.now();
    const gtd = req({ order_type: 'GTD', expires_at_ms: now + 30_000 });
    expect(await a.adapter.placeOrder(gtd)).toMatchObject({ accepted: true });
    const venue = rig.standIn.venue.openOrders(a.session.apiCreds.key);
    expect(venue.map((o) => o.expiration)).toEqual([Math.ceil((now + 30_000) / 1000) + 60]);
    expect(await a.adapter.placeOrder(req({ order_type: 'GTD', expires_at_ms: now - 1 }))).toMatchObject({ accepted: false, reason: 'GTD expiration in the past' });
    const cross = await a.adapter.placeOrder(req({ price: 0.43, post_only: true }));
    expect(cross).toMatchObject({ accepted: false, reason: expect.stringMatching(/post-only order: order crosses book/) });
    expect(rig.standIn.count('POST /order')).toBe(2);
  });

  it('no key, API secret or passphrase in any log line, through failures and failing closed', async () => {
    const rig = await rigs.standIn();
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => lines.push(String(c)));
    const x = await rigs.adapter(rig, {}, undefined, undefined, createLogger({ destination: sink, format: 'json', level: 'trace' }));
    await x.adapter.start();
    rig.standIn.inject('POST /order', { kind: 'reset_after' });
    await x.adapter.placeOrder(req());
    rig.standIn.venue.fund(TEST_ADDRESS, 0);
    await x.adapter.placeOrder(req());
    await x.adapter.failClosed('test');
    await vi.waitFor(() => expect(lines.join('')).toMatch(/EXECUTION_FAIL_CLOSED/));
    const text = lines.join('');
    expect(text).toMatch(/MARKET_HALTED_BALANCE/);
    const creds = x.session.apiCreds;
    for (const secret of [TEST_KEY.slice(2), creds.secret, creds.passphrase]) expect(text).not.toContain(secret);
  });
});

describe('real adapter on the stand-in CLOB: a fill\'s answer asked again (reconciliation, for a resolved market)', () => {
  it('gives the answer it holds of a fill; one whose answer never came has its trade read again, and the answer comes on the stream', async () => {
    const { rig, a } = await setup();
    await a.adapter.start();
    const heard = req({ order_type: 'FAK', price: 0.42, size: 10 });
    await a.adapter.placeOrder(heard);
    await vi.waitFor(() => expect(fills(a.events, heard.client_order_id)).toHaveLength(1));
    const [first] = [...rig.standIn.venue.trades.keys()];
    rig.standIn.venue.settle(first!, 'CONFIRMED');
    await vi.waitFor(() => expect(fills(a.events, heard.client_order_id).map((f) => f.status)).toEqual(['MATCHED', 'CONFIRMED']));
    const confirmed = a.events.find((e) => e.kind === 'fill' && e.fill.status === 'CONFIRMED');
    expect(await a.adapter.fillAnswers([fills(a.events, heard.client_order_id)[0]!.fill_id, 'nobody:t-0'])).toEqual([confirmed]);

    const lost = req({ order_type: 'FAK', price: 0.42, size: 10 });
    await a.adapter.placeOrder(lost);
    await vi.waitFor(() => expect(fills(a.events, lost.client_order_id)).toHaveLength(1));
    const second = [...rig.standIn.venue.trades.keys()].find((t) => t !== first)!;
    // The venue confirmed it; the message never reached helios.
    rig.standIn.venue.trades.get(second)!.status = 'CONFIRMED';
    expect(await a.adapter.fillAnswers([fills(a.events, lost.client_order_id)[0]!.fill_id])).toEqual([]);
    expect(fills(a.events, lost.client_order_id).map((f) => f.status)).toEqual(['MATCHED', 'CONFIRMED']);
  });
});
