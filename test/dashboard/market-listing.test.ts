import { describe, expect, it } from 'vitest';
import { marketListing } from '../../src/apps/dashboard/market-listing.ts';
import { spec } from '../trading/support.ts';

describe('a market as /markets lists it', () => {
  const m = { spec: spec(), match_id: null, station_id: null };
  it('names why a market is halted, and a halt waiting out its cool-down as cool_down (never an empty list)', () => {
    expect(marketListing(m, 'HALT', ['stale_book'])).toMatchObject({ state: 'HALT', halt_causes: ['stale_book'] });
    expect(marketListing(m, 'HALT', [])).toMatchObject({ state: 'HALT', halt_causes: ['cool_down'] });
    expect(marketListing(m, 'IDLE', [])).toMatchObject({ state: 'IDLE', halt_causes: [] });
  });

  it("names a temperature bucket's judge day (a station's days repeat labels); null for an undated bucket or no bucket", () => {
    const bucket = (judge_day?: string) => ({
      spec: spec({ fair_source: { kind: 'nowcast', bucket_label: '40-41°F', yes_token: 'Y', no_token: 'N', ...(judge_day === undefined ? {} : { judge_day }) } }),
      match_id: null,
      station_id: 'KLGA',
    });
    expect(marketListing(bucket('2026-12-09'), 'IDLE', [])).toMatchObject({ label: '40-41°F', station_id: 'KLGA', judge_day: '2026-12-09' });
    expect(marketListing(bucket(), 'IDLE', [])).toMatchObject({ label: '40-41°F', judge_day: null });
    expect(marketListing(m, 'IDLE', [])).toMatchObject({ label: 'teamA', judge_day: null });
  });
});
