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
});
