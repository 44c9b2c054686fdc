import { describe, expect, it } from 'vitest';
import { decodeRestBook } from '../../src/adapters/polymarket/rest-book.ts';
import { restBookSummaryHash, verifyRestBookHash, type RestBookSummary } from '../../src/domain/book/book-hash.ts';

/** The documented vector (py-clob-client tests/test_utilities.py; notes/polymarket.md §1). */
const VECTOR: RestBookSummary = {
  market: '0xaabbcc',
  asset_id: '100',
  timestamp: '123456789',
  hash: '0458ea5755c9f73d64a14636fa5c36ed460ec394',
  bids: [
    { price: '0.3', size: '100' },
    { price: '0.4', size: '100' },
  ],
  asks: [
    { price: '0.6', size: '100' },
    { price: '0.7', size: '100' },
  ],
  min_order_size: '100',
  tick_size: '0.01',
  neg_risk: false,
  last_trade_price: '0.5',
};

describe('REST /book summary hash', () => {
  it('reproduces the documented test vector', () => {
    expect(restBookSummaryHash(VECTOR)).toBe('0458ea5755c9f73d64a14636fa5c36ed460ec394');
    expect(verifyRestBookHash(VECTOR)).toEqual({ ok: true, expected: VECTOR.hash, computed: VECTOR.hash });
  });

  it('ignores the hash field itself and key order of the answer, but not lexemes or level order', () => {
    expect(restBookSummaryHash({ ...VECTOR, hash: 'anything' })).toBe(VECTOR.hash);
    const reordered = Object.fromEntries(Object.entries(VECTOR).reverse()) as unknown as RestBookSummary;
    expect(restBookSummaryHash(reordered)).toBe(VECTOR.hash);
    expect(restBookSummaryHash({ ...VECTOR, bids: [{ price: '0.30', size: '100' }, VECTOR.bids[1]!] })).not.toBe(VECTOR.hash);
    expect(restBookSummaryHash({ ...VECTOR, asks: [...VECTOR.asks].reverse() })).not.toBe(VECTOR.hash);
    expect(verifyRestBookHash({ ...VECTOR, last_trade_price: '0.51' }).ok).toBe(false);
  });

  it('decodeRestBook checks the hash of a full answer and cannot check an old one', () => {
    const decoded = decodeRestBook(JSON.parse(JSON.stringify(VECTOR)));
    expect(decoded.ok && decoded.value.hash_check).toEqual({ ok: true, expected: VECTOR.hash, computed: VECTOR.hash });
    expect(decoded.ok && decoded.value.book).toEqual({
      kind: 'book',
      market: '0xaabbcc',
      asset_id: '100',
      timestamp: 123456789,
      bids: [[0.3, 100], [0.4, 100]],
      asks: [[0.6, 100], [0.7, 100]],
      hash: VECTOR.hash,
      tick_size: 0.01,
      last_trade_price: 0.5,
    });
    const { min_order_size: _m, tick_size: _t, neg_risk: _n, last_trade_price: _l, ...old } = VECTOR;
    const legacy = decodeRestBook(old);
    expect(legacy.ok && legacy.value.hash_check).toBeNull();
    expect(decodeRestBook({ ...VECTOR, bids: [{ price: 'x', size: '1' }] })).toMatchObject({ ok: false });
    expect(decodeRestBook({ ...VECTOR, asset_id: 7 })).toMatchObject({ ok: false });
  });
});
