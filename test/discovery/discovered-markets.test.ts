import { describe, expect, it } from 'vitest';
import { DiscoveredMarkets } from '../../src/runtime/discovery/discovered-markets.ts';
import { churnMarket } from '../daemon/support/market-churn.ts';

/** A °F bucket of KLGA's judge day `day`, as a scan selects it. */
const bucket = (id: string, day: string, low: number) => {
  const m = churnMarket(0);
  return { ...m, condition_id: id, yes_token: `Y${id}`, no_token: `N${id}`, temperature: { ...m.temperature!, judge_date: day, label: `${low}-${low + 1}°F`, bucket: { low, high: low + 1, unit: 'F' as const } } };
};
const resolvedOf = <M extends { closed: boolean; winner: boolean | null }>(m: M): M => ({ ...m, closed: true, winner: true });

describe('what discovery keeps of the markets it selected', () => {
  it('keeps a judge day while any of its buckets is still in the universe, and forgets it once all left', () => {
    const discovered = new DiscoveredMarkets();
    const [a, b] = [bucket('a', '2025-07-15', 84), bucket('b', '2025-07-15', 86)];
    const tomorrow = bucket('c', '2025-07-16', 84);
    for (const m of [a, b, tomorrow]) discovered.record(m);
    // Bucket a resolved and was retired; b resolved but is still in the universe (its retention).
    discovered.record(resolvedOf(a));
    discovered.record(resolvedOf(b));
    expect(discovered.forgetLeft((id) => id === 'b' || id === 'c')).toEqual([]);
    expect(discovered.get('a')).toBeDefined();
    // b retired too: the whole day goes, the next day (still open) stays with its layout.
    expect(discovered.forgetLeft((id) => id === 'c')).toEqual(['a', 'b']);
    expect(discovered.layouts().map((l) => l.judge_day)).toEqual(['2025-07-16']);
    expect(discovered.unresolved().map((m) => m.condition_id)).toEqual(['c']);
  });

  it('never forgets a market out of the universe that has not resolved (closed awaiting resolution)', () => {
    const discovered = new DiscoveredMarkets();
    const a = bucket('a', '2025-07-15', 84);
    discovered.record({ ...a, closed: true });
    expect(discovered.forgetLeft(() => false)).toEqual([]);
    expect(discovered.unresolved().map((m) => m.condition_id)).toEqual(['a']);
  });
});
