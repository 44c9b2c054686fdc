import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeUserFrame, decodeUserValue } from '../../src/adapters/polymarket/user-decoder.ts';
import type { UserOrderMessage, UserTradeMessage } from '../../src/domain/market/user-messages.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';

const SAMPLES = JSON.parse(readFileSync(new URL('../fixtures/fuzz/user-frames.json', import.meta.url), 'utf8')) as unknown[];

function one(frame: unknown) {
  const r = decodeUserFrame(JSON.stringify(frame));
  expect(r.error).toBeNull();
  expect(r.messages).toHaveLength(1);
  return r.messages[0]!;
}

function order(frame: unknown): UserOrderMessage {
  const m = one(frame);
  expect(m.kind).toBe('order');
  return m as UserOrderMessage;
}

function trade(frame: unknown): UserTradeMessage {
  const m = one(frame);
  expect(m.kind).toBe('trade');
  return m as UserTradeMessage;
}

function errorOf(raw: string) {
  const r = decodeUserFrame(raw);
  expect(r.messages).toEqual([]);
  expect(r.error).not.toBeNull();
  return r.error!;
}

const placement = SAMPLES[0] as Record<string, unknown>;
const matchedTrade = SAMPLES[7] as Record<string, unknown>;

describe('user channel decoder: orders', () => {
  it('normalizes a placement: numbers, seconds → ms, "0" expiration → none, null trades → []', () => {
    expect(order(placement)).toEqual({
      kind: 'order',
      type: 'PLACEMENT',
      id: '0xa1',
      market: '0xc0nd',
      asset_id: '1001',
      side: 'BUY',
      outcome: 'Yes',
      price: 0.42,
      original_size: 10,
      size_matched: 0,
      status: 'LIVE',
      status_detail: null,
      order_type: 'GTC',
      associate_trades: [],
      owner: 'key-1',
      order_owner: 'key-1',
      maker_address: '0xmaker',
      created_at: 1_760_000_000_000,
      expiration: null,
      timestamp: 1_760_000_000_123,
    });
  });

  it('reads a partial match (UPDATE) with its trade ids', () => {
    const m = order(SAMPLES[1]);
    expect(m.type).toBe('UPDATE');
    expect(m.size_matched).toBe(4);
    expect(m.associate_trades).toEqual(['t-1']);
  });

  it('infers the event from `type` when event_type is absent, and keeps ms times as they are', () => {
    const m = order(SAMPLES[2]);
    expect(m.type).toBe('CANCELLATION');
    expect(m.status).toBe('CANCELED');
    expect(m.created_at).toBe(1_760_000_000_000);
    expect(m.expiration).toBeNull();
  });

  it('splits a venue reason off the status and reads empty size_matched / created_at / outcome', () => {
    const m = order(SAMPLES[3]);
    expect(m.status).toBe('CANCELED');
    expect(m.status_detail).toBe("order couldn't be fully filled. FOK orders are fully filled or killed.");
    expect(m.size_matched).toBe(0);
    expect(m.created_at).toBeNull();
    expect(m.outcome).toBeNull();
    expect(m.order_type).toBe('FOK');
  });

  it('keeps CANCELED_MARKET_RESOLVED as a status of its own and accepts JSON numbers', () => {
    const m = order(SAMPLES[5]);
    expect(m.status).toBe('CANCELED_MARKET_RESOLVED');
    expect(m.status_detail).toBeNull();
    expect(m.timestamp).toBe(1_760_000_500_000);
    expect(m.order_type).toBeNull();
  });

  it('reads a GTD expiry in seconds as ms and a leading-dot price', () => {
    const m = order(SAMPLES[4]);
    expect(m.expiration).toBe(1_760_003_600_000);
    expect(m.price).toBe(0.55);
  });
});

describe('user channel decoder: trades', () => {
  it('normalizes a MATCHED taker trade with makers on both tokens', () => {
    const t = trade(matchedTrade);
    expect(t).toMatchObject({ kind: 'trade', id: 't-1', status: 'MATCHED', trader_side: 'TAKER', size: 4, price: 0.42, fee_rate_bps: 0, transaction_hash: null, bucket_index: 0 });
    expect(t.match_time).toBe(1_760_000_001_000);
    expect(t.maker_orders).toEqual([
      { order_id: '0xm1', owner: 'key-2', maker_address: '0xother', matched_amount: 3, price: 0.58, fee_rate_bps: 0, asset_id: '1002', outcome: 'No', side: 'BUY' },
      { order_id: '0xm2', owner: 'key-3', maker_address: '0xthird', matched_amount: 1, price: 0.42, fee_rate_bps: 0, asset_id: '1001', outcome: 'Yes', side: null },
    ]);
  });

  it('follows one trade id through MATCHED → MINED → CONFIRMED, then RETRYING → FAILED', () => {
    expect([7, 8, 9].map((i) => trade(SAMPLES[i]).status)).toEqual(['MATCHED', 'MINED', 'CONFIRMED']);
    expect([7, 8, 9].map((i) => trade(SAMPLES[i]).id)).toEqual(['t-1', 't-1', 't-1']);
    expect([10, 11].map((i) => trade(SAMPLES[i]).status)).toEqual(['RETRYING', 'FAILED']);
  });

  it('reads ISO-8601 times, string bucket indexes, second timestamps and a missing maker list', () => {
    const confirmed = trade(SAMPLES[9]);
    expect(confirmed.match_time).toBe(Date.UTC(2025, 9, 9, 8, 53, 21));
    expect(confirmed.bucket_index).toBe(1);
    expect(trade(SAMPLES[10]).timestamp).toBe(1_760_000_050_000);
    expect(trade(SAMPLES[11]).maker_orders).toEqual([]);
  });

  it('decodes an array frame into its messages in order', () => {
    const r = decodeUserFrame(JSON.stringify(SAMPLES[12]));
    expect(r.error).toBeNull();
    expect(r.messages.map((m) => m.kind)).toEqual(['order', 'trade']);
  });

  it('answers PONG text frames', () => {
    expect(decodeUserFrame(' PONG\n')).toEqual({ messages: [{ kind: 'pong' }], error: null });
  });
});

describe('user channel decoder: malformed frames are typed errors', () => {
  const withField = (base: Record<string, unknown>, key: string, value: unknown) => JSON.stringify({ ...base, [key]: value });
  const without = (base: Record<string, unknown>, key: string) => {
    const copy = { ...base };
    delete copy[key];
    return JSON.stringify(copy);
  };

  it('names the reason, the path and the array element', () => {
    expect(errorOf('')).toMatchObject({ reason: 'empty_frame' });
    expect(errorOf('HELLO')).toMatchObject({ reason: 'unknown_text_frame' });
    expect(errorOf('{"event_type":')).toMatchObject({ reason: 'invalid_json' });
    expect(errorOf('[1]')).toMatchObject({ reason: 'not_an_object', element: 0 });
    expect(errorOf('{"id":"x"}')).toMatchObject({ reason: 'missing_event_type', path: 'event_type' });
    expect(errorOf('{"event_type":"book"}')).toMatchObject({ reason: 'unknown_event_type' });
    expect(errorOf(without(placement, 'price'))).toMatchObject({ reason: 'missing_field', path: 'price' });
    expect(errorOf(withField(placement, 'price', '1.5'))).toMatchObject({ reason: 'invalid_field', path: 'price' });
    expect(errorOf(withField(placement, 'side', 'buy'))).toMatchObject({ reason: 'invalid_field', path: 'side' });
    expect(errorOf(withField(placement, 'status', 'LIVING'))).toMatchObject({ reason: 'invalid_field', path: 'status' });
    expect(errorOf(withField(placement, 'size_matched', 'NaN'))).toMatchObject({ reason: 'invalid_field', path: 'size_matched' });
    expect(errorOf(withField(placement, 'timestamp', 'yesterday'))).toMatchObject({ reason: 'invalid_field', path: 'timestamp' });
    expect(errorOf(withField(placement, 'associate_trades', [7]))).toMatchObject({ path: 'associate_trades[0]' });
    expect(errorOf(withField(placement, 'type', 'TRADE'))).toMatchObject({ reason: 'invalid_field', path: 'type' });
    expect(errorOf(withField(matchedTrade, 'status', 'LIVE'))).toMatchObject({ reason: 'invalid_field', path: 'status' });
    const badMaker = { ...matchedTrade, maker_orders: [{ order_id: 'x', asset_id: '1', price: '0.5', matched_amount: '-1' }] };
    expect(errorOf(JSON.stringify([placement, badMaker]))).toMatchObject({ path: 'maker_orders[0].matched_amount', element: 1 });
  });

  it('drops the whole frame when one element is malformed', () => {
    const r = decodeUserFrame(JSON.stringify([placement, { ...placement, id: 5 }]));
    expect(r.messages).toEqual([]);
    expect(r.error).toMatchObject({ reason: 'invalid_field', path: 'id', element: 1 });
  });

  it('accepts parsed values through decodeUserValue', () => {
    expect(decodeUserValue(placement).messages).toHaveLength(1);
    expect(decodeUserValue('PONG').error).toMatchObject({ reason: 'not_an_object' });
  });
});

const present = requireSharedFixtures('polymarket/nautilus_trader');

describe.skipIf(!present)('user channel decoder on real captures (../shared/fixtures)', () => {
  const files = () => {
    const crates = readdirSync(sharedFixture('polymarket/nautilus_trader/crates_test_data'))
      .filter((f) => f.startsWith('ws_user_'))
      .map((f) => sharedFixture('polymarket/nautilus_trader/crates_test_data', f));
    const ws = readdirSync(sharedFixture('polymarket/nautilus_trader/ws_messages'))
      .filter((f) => f.startsWith('order_') || f.startsWith('user_trade'))
      .map((f) => sharedFixture('polymarket/nautilus_trader/ws_messages', f));
    return [...crates, ...ws].sort();
  };

  it('decodes every captured order and trade without error', () => {
    const all = files();
    expect(all.length).toBeGreaterThanOrEqual(15);
    for (const f of all) {
      const r = decodeUserFrame(readFileSync(f, 'utf8'));
      expect(r.error, f).toBeNull();
      expect(r.messages, f).toHaveLength(1);
      const m = r.messages[0]!;
      expect(m.kind === 'order' || m.kind === 'trade', f).toBe(true);
    }
  });

  it('reads the FOK-killed order and a multi-maker trade as the venue meant them', () => {
    const fok = decodeUserFrame(readFileSync(sharedFixture('polymarket/nautilus_trader/crates_test_data/ws_user_order_fok_killed.json'), 'utf8')).messages[0] as UserOrderMessage;
    expect(fok).toMatchObject({ status: 'CANCELED', size_matched: 0, created_at: null, order_type: 'FOK', expiration: null });
    const t = decodeUserFrame(readFileSync(sharedFixture('polymarket/nautilus_trader/ws_messages/user_trade1.json'), 'utf8')).messages[0] as UserTradeMessage;
    expect(t.status).toBe('MINED');
    expect(t.maker_orders).toHaveLength(6);
    expect(t.maker_orders[0]!.outcome).toBe('No');
    expect(t.maker_orders.reduce((s, m) => s + m.matched_amount, 0)).toBeCloseTo(1096.87, 6);
  });
});
