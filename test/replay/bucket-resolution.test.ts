import { describe, expect, it } from 'vitest';
import { recordedResolutions, resolvedHit, stationDayKey, type BucketMarketRef } from '../../src/domain/replay/bucket-resolution.ts';

const market = (id: string, lo: number | null, hi: number | null, day = '2025-07-15'): BucketMarketRef => ({
  market_id: id,
  yes_token: `${id}-yes`,
  no_token: `${id}-no`,
  station_id: 'KLGA',
  judge_day: day,
  lo_f: lo,
  hi_f: hi,
});
const MARKETS = [market('a', 80, 81), market('b', 82, 83), market('c', null, 79), market('d', 82, 83, '2025-07-16')];

describe('recorded resolutions of bucket markets', () => {
  it('group by station and judge day; a voided or foreign winning token says nothing', () => {
    const r = recordedResolutions(MARKETS, new Map([['a', 'a-no'], ['b', 'b-yes'], ['c', null], ['d', 'x-yes']]));
    expect([...r.keys()]).toEqual([stationDayKey('KLGA', '2025-07-15')]);
    expect(r.get('KLGA|2025-07-15')).toEqual({
      winner: { market_id: 'b', lo_f: 82, hi_f: 83 },
      markets: [
        { market_id: 'a', outcome: 'NO', after_range: false, lo_f: 80, hi_f: 81 },
        { market_id: 'b', outcome: 'YES', after_range: false, lo_f: 82, hi_f: 83 },
      ],
    });
  });

  it('a resolution in the range outranks one recorded after it; after it, one counts when the range had none', () => {
    const r = recordedResolutions(MARKETS, new Map([['a', 'a-no']]), new Map([['a', 'a-yes'], ['b', 'b-yes']])).get('KLGA|2025-07-15')!;
    expect(r.markets).toEqual([
      { market_id: 'a', outcome: 'NO', after_range: false, lo_f: 80, hi_f: 81 },
      { market_id: 'b', outcome: 'YES', after_range: true, lo_f: 82, hi_f: 83 },
    ]);
    expect(r.winner).toEqual({ market_id: 'b', lo_f: 82, hi_f: 83 });
  });

  it('a winner decides every forecast bucket that holds it or misses it; one holding part of it stays unknown', () => {
    const r = recordedResolutions(MARKETS, new Map([['b', 'b-yes']])).get('KLGA|2025-07-15')!;
    expect(resolvedHit(r, { lo_f: 82, hi_f: 83 })).toBe(1);
    expect(resolvedHit(r, { lo_f: 80, hi_f: null })).toBe(1);
    expect(resolvedHit(r, { lo_f: null, hi_f: 81 })).toBe(0);
    expect(resolvedHit(r, { lo_f: 84, hi_f: 85 })).toBe(0);
    expect(resolvedHit(r, { lo_f: 83, hi_f: 84 })).toBeNull();
  });

  it('NO resolutions alone decide only the buckets inside them', () => {
    const r = recordedResolutions(MARKETS, new Map([['a', 'a-no']])).get('KLGA|2025-07-15')!;
    expect(r.winner).toBeNull();
    expect(resolvedHit(r, { lo_f: 80, hi_f: 81 })).toBe(0);
    expect(resolvedHit(r, { lo_f: 81, hi_f: 81 })).toBe(0);
    expect(resolvedHit(r, { lo_f: 82, hi_f: 83 })).toBeNull();
  });
});
