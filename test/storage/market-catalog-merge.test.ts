import { describe, expect, it } from 'vitest';
import { mergeMarketCatalog, type ReplayMarket } from '../../src/adapters/storage/market-catalog.ts';
import type { MarketSpec } from '../../src/domain/trading/market-spec.ts';

function bucketMarket(id: string, tick: number, bucket: ReplayMarket['bucket']): ReplayMarket {
  const spec = {
    market_id: id,
    yes_token: `${id}-yes`,
    no_token: `${id}-no`,
    tick_size: tick,
    min_order_size: 5,
    fee: { rate: 0.05, exponent: 1, taker_only: true },
    admitted: true,
    admission_reason: null,
    fair_source: { kind: 'nowcast', bucket_label: '40-41°F', yes_token: `${id}-yes`, no_token: `${id}-no`, judge_day: '2026-12-08' },
    strategies: { pair_arb: true, temporal: true },
  } as MarketSpec;
  return { spec, station_id: 'KLGA', match_id: null, bucket };
}

describe('merging a run’s markets into the catalog', () => {
  const settles = { judge_day: '2026-12-08', lo_f: 40, hi_f: 41 };

  it('keeps what a bucket market settles on once its day’s layout has left the run', () => {
    const merged = mergeMarketCatalog([bucketMarket('0xb', 0.01, settles), bucketMarket('0xa', 0.01, settles)], [bucketMarket('0xb', 0.001, null)]);
    expect(merged.map((m) => m.spec.market_id)).toEqual(['0xa', '0xb']);
    // The run's record wins (its tick size), the recorded bucket stays.
    expect(merged[1]!.spec.tick_size).toBe(0.001);
    expect(merged[1]!.bucket).toEqual(settles);
  });

  it('takes the run’s bucket when it has one, and records a new market as the run knows it', () => {
    const moved = { judge_day: '2026-12-09', lo_f: 42, hi_f: 43 };
    const merged = mergeMarketCatalog([bucketMarket('0xa', 0.01, settles)], [bucketMarket('0xa', 0.01, moved), bucketMarket('0xc', 0.01, null)]);
    expect(merged.map((m) => [m.spec.market_id, m.bucket])).toEqual([
      ['0xa', moved],
      ['0xc', null],
    ]);
  });
});
