import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { gridEventSignals, gridStateToReport } from '../../src/adapters/esports/grid.ts';
import { findWikiMatch } from '../../src/adapters/esports/liquipedia.ts';
import { parseWikiMatches } from '../../src/adapters/esports/liquipedia-wikitext.ts';
import { pandascoreCloseDecision, pandascoreMatchToReport } from '../../src/adapters/esports/pandascore.ts';
import { parseSportsScore, sportResultToReport } from '../../src/adapters/esports/polymarket-sports.ts';
import { RateLimiter } from '../../src/adapters/http/rate-limiter.ts';

const watched = { match_id: 'm', outcomes: ['FaZe', 'illwill'], external_id: 'x' };

describe('rate limiter on a virtual clock', () => {
  it('grants at most max per window, in order', async () => {
    const clock = new VirtualClock(1_000_000);
    const limiter = new RateLimiter(clock, [{ max: 2, windowMs: 1000 }]);
    const granted: number[] = [];
    for (let i = 0; i < 5; i++) void limiter.acquire().then(() => granted.push(i));
    expect(limiter.queued()).toBe(3);
    clock.advanceBy(999);
    expect(limiter.queued()).toBe(3);
    clock.advanceBy(1);
    expect(limiter.queued()).toBe(1);
    clock.advanceBy(1000);
    expect(limiter.queued()).toBe(0);
    await Promise.resolve();
    expect(granted).toEqual([0, 1, 2, 3, 4]);
  });

  it('honours a spacing and a per-minute quota together (the weather clients use both)', async () => {
    const clock = new VirtualClock(0);
    const limiter = new RateLimiter(clock, [{ max: 1, windowMs: 1000 }, { max: 3, windowMs: 60_000 }]);
    const granted: number[] = [];
    for (let i = 0; i < 4; i++) void limiter.acquire().then(() => granted.push(clock.now()));
    await Promise.resolve();
    for (let t = 0; t < 61; t++) {
      clock.advanceBy(1000);
      await Promise.resolve();
    }
    expect(granted).toEqual([0, 1000, 2000, 60_000]);
  });

  it('a 1-per-2-s limit spaces requests 2 s apart and rejects waiters on close', async () => {
    const clock = new VirtualClock(0);
    const limiter = new RateLimiter(clock, [{ max: 1, windowMs: 2000 }]);
    void limiter.acquire();
    const second = limiter.acquire();
    expect(limiter.nextFreeAt()).toBe(2000);
    limiter.close();
    await expect(second).rejects.toThrow('closed');
  });
});

describe('GRID series state', () => {
  const state = (over: Record<string, unknown>) => ({
    valid: true,
    updatedAt: '2026-04-05T16:20:00Z',
    format: 'best-of-3',
    started: true,
    finished: false,
    teams: [
      { name: 'FaZe Clan', won: false, score: 1 },
      { name: 'ILLWILL', won: false, score: 0 },
    ],
    games: [{ sequenceNumber: 1, started: true, finished: true }, { sequenceNumber: 2, started: true, finished: false }],
    ...over,
  });

  it('is terminal only when finished, valid and with exactly one winner', () => {
    expect(gridStateToReport(state({}), watched, 5, 'A')).toMatchObject({ status: 'running', teams: ['FaZe', 'illwill'], score: [1, 0], game: { current: 2, best_of: 3 } });
    const won = state({ finished: true, teams: [{ name: 'FaZe Clan', won: true, score: 2 }, { name: 'ILLWILL', won: false, score: 0 }] });
    expect(gridStateToReport(won, watched, 5, 'A')).toMatchObject({ status: 'finished', winner: 'FaZe', result: 'win', source_ts: Date.parse('2026-04-05T16:20:00Z') });
    const both = state({ finished: true, teams: [{ name: 'FaZe Clan', won: true, score: 2 }, { name: 'ILLWILL', won: true, score: 2 }] });
    expect(gridStateToReport(both, watched, 5, 'A')).toMatchObject({ status: 'finished', winner: null, result: null });
    expect(gridStateToReport({ ...won, valid: false }, watched, 5, 'A')).toMatchObject({ status: 'invalidated', winner: null });
    expect(gridStateToReport(state({ started: false }), watched, 5, 'A')).toMatchObject({ status: 'not_started' });
    expect(gridStateToReport(null, watched, 5, 'A')).toBeNull();
  });

  it('reads invalidations and refresh triggers from series events', () => {
    expect(gridEventSignals({ events: [{ type: 'grid-invalidated-series' }] })).toEqual({ invalidated: true, refresh: false });
    expect(gridEventSignals([{ events: [{ type: 'series-ended-game' }] }])).toEqual({ invalidated: false, refresh: true });
    expect(gridEventSignals({ nope: 1 })).toEqual({ invalidated: false, refresh: false });
  });
});

describe('PandaScore match', () => {
  const match = (over: Record<string, unknown>) => ({
    id: 1,
    status: 'running',
    number_of_games: 3,
    opponents: [
      { opponent: { id: 10, name: 'FaZe Clan', acronym: 'FaZe' } },
      { opponent: { id: 20, name: 'ILLWILL', acronym: 'ILL' } },
    ],
    results: [{ team_id: 20, score: 1 }, { team_id: 10, score: 0 }],
    games: [{ position: 1, status: 'finished' }, { position: 2, status: 'running' }],
    winner_id: null,
    draw: false,
    forfeit: false,
    ...over,
  });

  it('is final only with status finished and a winner_id, or an explicit draw', () => {
    expect(pandascoreMatchToReport(match({}), watched, 1, 'B')).toMatchObject({ status: 'running', teams: ['FaZe', 'illwill'], score: [0, 1], game: { current: 2, best_of: 3 } });
    expect(pandascoreMatchToReport(match({ status: 'finished', winner_id: 20 }), watched, 1, 'B')).toMatchObject({ winner: 'illwill', result: 'win' });
    expect(pandascoreMatchToReport(match({ status: 'finished', winner_id: 20, forfeit: true }), watched, 1, 'B')).toMatchObject({ winner: 'illwill', result: 'forfeit' });
    expect(pandascoreMatchToReport(match({ status: 'finished', draw: true }), watched, 1, 'B')).toMatchObject({ winner: null, result: 'draw' });
    expect(pandascoreMatchToReport(match({ status: 'finished' }), watched, 1, 'B')).toMatchObject({ winner: null, result: null });
    expect(pandascoreMatchToReport(match({ status: 'postponed' }), watched, 1, 'B')).toMatchObject({ status: 'postponed' });
  });

  it('treats the 1000 close as a hint to confirm over REST', () => {
    expect(pandascoreCloseDecision(1000)).toEqual({ decision: 'stop', confirm: true });
    expect(pandascoreCloseDecision(4001)).toEqual({ decision: 'stop', confirm: false });
    expect(pandascoreCloseDecision(4029)).toEqual({ decision: 'reconnect_slow', confirm: false });
    expect(pandascoreCloseDecision(1006)).toEqual({ decision: 'reconnect', confirm: true });
  });
});

describe('Polymarket sports result', () => {
  it('reads esports scores and derives the winner once ended', () => {
    expect(parseSportsScore('000-000|2-0|Bo3')).toEqual({ maps: [2, 0], best_of: 3 });
    expect(parseSportsScore('3-16')).toEqual({ maps: [3, 16], best_of: null });
    const ended = { gameId: 1, leagueAbbreviation: 'cs2', homeTeam: 'FAZE', awayTeam: 'ILL', status: 'finished', score: '000-000|2-0|Bo3', period: '2/3', live: false, ended: true, finished_timestamp: '2026-04-05T19:37:33Z' };
    expect(sportResultToReport(ended, watched, 9, 'B')).toMatchObject({ status: 'finished', winner: 'FaZe', teams: ['FaZe', 'illwill'], score: [2, 0], game: { current: 2, best_of: 3 } });
    expect(sportResultToReport({ ...ended, score: '000-000|1-1|Bo3' }, watched, 9, 'B')).toMatchObject({ status: 'finished', winner: null, result: null });
    expect(sportResultToReport({ ...ended, ended: false, live: true, status: 'InProgress' }, watched, 9, 'B')).toMatchObject({ status: 'running', winner: null });
    expect(sportResultToReport({ ...ended, ended: false, live: false, status: 'Scheduled' }, watched, 9, 'B')).toMatchObject({ status: 'not_started' });
  });
});

describe('Liquipedia wikitext', () => {
  const page = `
== Playoffs ==
{{Match
|opponent1={{TeamOpponent|faze|score=2}}
|opponent2={{TeamOpponent|illwill|score=0}}
|winner=1
|map1={{Map|map=Nuke|score1=13|score2=7|finished=true}}
}}
{{Match
|opponent1={{TeamOpponent|big|score=}}
|opponent2={{TeamOpponent|faze|score=}}
}}
{{MatchMaps|team1=Astralis|team2=Heroic|games1=1|games2=2|winner=2}}`;

  it('reads Match2 and legacy templates', () => {
    expect(parseWikiMatches(page)).toEqual([
      { teams: ['faze', 'illwill'], scores: [2, 0], winner: 1 },
      { teams: ['big', 'faze'], scores: [null, null], winner: null },
      { teams: ['Astralis', 'Heroic'], scores: [1, 2], winner: 2 },
    ]);
  });

  it('finds the pairing of our outcomes, refusing contradictory repeats', () => {
    const found = findWikiMatch(parseWikiMatches(page), ['FaZe', 'illwill']);
    expect(found).toMatchObject({ order: ['FaZe', 'illwill'], match: { winner: 1 } });
    expect(findWikiMatch(parseWikiMatches(page), ['FaZe', 'Vitality'])).toBeNull();
    const repeat = `${page}\n{{Match|opponent1={{TeamOpponent|illwill|score=2}}|opponent2={{TeamOpponent|faze|score=1}}|winner=1}}`;
    expect(findWikiMatch(parseWikiMatches(repeat), ['FaZe', 'illwill'])).toBeNull();
  });
});
