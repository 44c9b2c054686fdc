import { describe, expect, it } from 'vitest';
import { FillAnswerAsks } from '../../src/domain/trading/fill-answer-asks.ts';

const policy = { afterMs: 30_000, everyMs: 10_000, maxPerPass: 2, giveUpAfterMs: 3_600_000 };
const seen = (entries: Array<[string, string[] | null]>) => new Map(entries);

describe('which live markets\' pending fills reconciliation asks the venue about', () => {
  it('keeps a fill\'s wait while its market\'s ledger cannot be read (its actor restarting), and forgets fills answered or of markets gone', () => {
    const asks = new FillAnswerAsks(policy);
    expect(asks.due(0, seen([['m1', ['f1']], ['m2', ['f2']]])).ask).toEqual([]);
    expect(asks.nextAskAt()).toBe(30_000);
    // m1 restarting at 20 s: f1 keeps the time it was first seen pending, not restarted from now.
    expect(asks.due(20_000, seen([['m1', null], ['m2', ['f2']]])).ask).toEqual([]);
    expect(asks.due(30_000, seen([['m1', ['f1']], ['m2', ['f2']]])).ask).toEqual(['f1', 'f2']);
    // f2 answered, m1 gone: nothing left to ask.
    expect(asks.due(40_000, seen([['m2', []]])).ask).toEqual([]);
    expect(asks.nextAskAt()).toBeNull();
  });

  it('asks at most maxPerPass a pass, never-asked first, then the one asked longest ago', () => {
    const asks = new FillAnswerAsks(policy);
    const all = seen([['m1', ['a', 'b', 'c']]]);
    asks.due(0, all);
    expect(asks.due(30_000, all).ask).toEqual(['a', 'b']);
    // All three due again: c, never asked, goes before b (a and b were asked at the same instant: by id).
    expect(asks.due(40_000, all).ask).toEqual(['a', 'c']);
    // b, asked longest ago, goes first; then a and c (asked at 40 s), by id.
    expect(asks.due(50_000, all).ask).toEqual(['a', 'b']);
    // Another pass at the same instant (a reconciliation after a restart) asks only what this one left.
    expect(asks.due(50_000, all).ask).toEqual(['c']);
    expect(asks.due(55_000, all).ask).toEqual([]);
    expect(asks.nextAskAt()).toBe(60_000);
  });

  it('gives a fill up giveUpAfterMs after it was first seen pending: reported once, never asked about again, until it is answered', () => {
    const asks = new FillAnswerAsks({ ...policy, giveUpAfterMs: 60_000 });
    const all = seen([['m1', ['a']], ['m2', ['b']]]);
    asks.due(0, all);
    expect(asks.due(50_000, seen([['m1', ['a']], ['m2', ['b', 'c']]]))).toEqual({ ask: ['a', 'b'], givenUp: [] });
    expect(asks.nextAskAt()).toBe(60_000);
    // a and b (seen at 0) run out at 60 s; c (seen at 50 s) waits on.
    expect(asks.due(60_000, seen([['m1', ['a']], ['m2', ['b', 'c']]]))).toEqual({ ask: [], givenUp: [{ fill_id: 'a', market_id: 'm1' }, { fill_id: 'b', market_id: 'm2' }] });
    expect(asks.nextAskAt()).toBe(80_000);
    expect(asks.due(200_000, seen([['m1', ['a']], ['m2', ['b']]]))).toEqual({ ask: [], givenUp: [] });
    expect(asks.nextAskAt()).toBeNull();
    // m1 resolved (no longer live): a stays given up, so its resolution does not wait for it again; until m1 leaves.
    asks.due(210_000, seen([['m2', ['b']]]));
    expect([asks.isGivenUp('a'), asks.isGivenUp('b')]).toEqual([true, true]);
    asks.forgetMarket('m1');
    expect(asks.isGivenUp('a')).toBe(false);
  });
});
