import { describe, expect, it } from 'vitest';
import { feedsOnChannels } from '../../src/domain/health/feeds.ts';
import { StalenessTracker } from '../../src/domain/health/staleness.ts';

describe('the feeds a process judges stale', () => {
  it('are those whose events travel on the channels it reads', () => {
    // An esports-only trading shard: books, trades, truth and control; no nowcast, no world.
    expect(feedsOnChannels(['control', 'l2', 'l2_delta', 'tape', 'truth'])).toEqual(['market', 'truth']);
    expect(feedsOnChannels(['nowcast', 'l2'])).toEqual(['market', 'nowcast']);
    expect(feedsOnChannels(['world'])).toEqual(['metar', 'pws']);
    expect(feedsOnChannels(['control'])).toEqual([]);
  });

  it('only judged feeds are reported and can be stale, as the judged set changes', () => {
    let judged = ['market'];
    const tracker = new StalenessTracker({ market: 10, metar: 10 }, () => judged);
    expect(tracker.staleness(100)).toEqual({ market: null });
    expect(tracker.stale(100)).toEqual(['market']);
    tracker.seen('market', 95);
    tracker.seen('metar', 20);
    expect(tracker.stale(100)).toEqual([]);
    judged = ['market', 'metar'];
    expect(tracker.staleness(100)).toEqual({ market: 5, metar: 80 });
    expect(tracker.stale(100)).toEqual(['metar']);
  });

  it('are every configured feed by default', () => {
    const tracker = new StalenessTracker({ pws: 10, market: 10 });
    expect(tracker.stale(0)).toEqual(['market', 'pws']);
  });
});
