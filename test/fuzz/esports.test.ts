import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridEventSignals, gridStateToReport } from '../../src/adapters/esports/grid.ts';
import { findWikiMatch } from '../../src/adapters/esports/liquipedia.ts';
import { parseWikiMatches } from '../../src/adapters/esports/liquipedia-wikitext.ts';
import { pandascoreMatchToReport } from '../../src/adapters/esports/pandascore.ts';
import { parseSportsScore, sportResultToReport } from '../../src/adapters/esports/polymarket-sports.ts';
import type { WatchedMatch } from '../../src/adapters/esports/source.ts';
import { parseReplayLine } from '../../src/apps/truth-replay/truth-replay.ts';
import { truthMatchFromGamma } from '../../src/domain/truth/gamma-match.ts';
import { normalizeReport } from '../../src/domain/truth/match.ts';
import { REPORT_STATUSES, type SourceReport } from '../../src/domain/truth/report.ts';
import { deepFreeze, jsonText, mutatedLine, mutatedText, mutatedValue, randomJsonValue, randomText } from './support/mutate.ts';
import { fuzzFixture, fuzzFixtureText, fuzzParams, fuzzTimeoutMs, FUZZ_RUNS } from './support/runs.ts';

interface Samples {
  pandascore: unknown[];
  grid: unknown[];
  grid_events: unknown[];
  sports: unknown[];
  gamma: unknown[];
  replay: unknown[];
}
const S = fuzzFixture<Samples>('esports-answers.json');
const WIKI = fuzzFixtureText('liquipedia.wiki');
const KEYS = ['status', 'winner_id', 'opponents', 'opponent', 'results', 'team_id', 'score', 'games', 'teams', 'won', 'valid', 'started', 'finished', 'format', 'events', 'type', 'homeTeam', 'awayTeam', 'ended', 'period', 'outcomes', 'slug', 'question', 'gameId', 'ts', 'winner', 'source'];

const outcomes: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<string[]>(['Synth Alpha', 'Synth Beta']) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('Synth Alpha', 'SA', 'Team Synth Alpha', '')), { maxLength: 3 }) },
);
const watched = outcomes.map((o): WatchedMatch => ({ match_id: 'fuzz-match', outcomes: o, external_id: 'x' }));

function answers(samples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: randomJsonValue }, { weight: 4, arbitrary: mutatedValue(samples, KEYS, false) });
}

/** What every adapter promises the truth engine, and the engine's own normalization never throws. */
function expectSaneReport(r: SourceReport, w: WatchedMatch, observedAt: number): void {
  expect(REPORT_STATUSES).toContain(r.status);
  expect(r.match_id).toBe(w.match_id);
  expect(r.observed_at).toBe(observedAt);
  expect(r.source_ts === null || Number.isFinite(r.source_ts)).toBe(true);
  expect(r.teams.every((t) => typeof t === 'string')).toBe(true);
  if (r.winner !== null) {
    expect(typeof r.winner).toBe('string');
    expect(r.status).toBe('finished');
  }
  expect(r.result === null || r.status === 'finished').toBe(true);
  expect(r.score === null || r.score.every((s) => Number.isFinite(s))).toBe(true);
  if (r.game !== null) {
    expect(r.game.current === null || Number.isFinite(r.game.current)).toBe(true);
    expect(r.game.best_of === null || (Number.isInteger(r.game.best_of) && r.game.best_of > 0)).toBe(true);
  }
  const n = normalizeReport(r, { match_id: w.match_id, title: null, outcomes: w.outcomes, best_of: null }, observedAt);
  expect(n.ok || typeof n.reason === 'string').toBe(true);
}

const AT = Date.UTC(2026, 3, 5, 16, 0);

describe(`esports source reports (${FUZZ_RUNS} cases per source)`, () => {
  it('PandaScore matches → a sane report or null, never throws, never writes to its input', () => {
    fc.assert(
      fc.property(answers(S.pandascore), watched, (m, w) => {
        const r = pandascoreMatchToReport(deepFreeze(m), w, AT, 'B');
        if (r !== null) expectSaneReport(r, w, AT);
        expect(pandascoreMatchToReport(m, w, AT, 'B')).toEqual(r);
      }),
      fuzzParams('esports-pandascore'),
    );
  }, fuzzTimeoutMs(20_000));

  it('GRID series states and series events → a sane report or signals, never throws', () => {
    fc.assert(
      fc.property(answers(S.grid), answers(S.grid_events), watched, (state, events, w) => {
        const r = gridStateToReport(deepFreeze(state), w, AT, 'A');
        if (r !== null) expectSaneReport(r, w, AT);
        const signals = gridEventSignals(deepFreeze(events));
        expect(typeof signals.invalidated === 'boolean' && typeof signals.refresh === 'boolean').toBe(true);
      }),
      fuzzParams('esports-grid'),
    );
  }, fuzzTimeoutMs(20_000));

  it('Polymarket sports messages → a sane report or null, never throws', () => {
    const period = fc.option(mutatedLine(['2/3', '1 / 5', '3/3']), { nil: undefined });
    const sportsMessage = fc
      .tuple(answers(S.sports), period)
      .map(([m, p]) => (p !== undefined && typeof m === 'object' && m !== null && !Array.isArray(m) ? { ...m, period: p } : m));
    fc.assert(
      fc.property(sportsMessage, watched, fc.oneof(fc.constant(null), randomText, mutatedLine(['000-000|2-0|Bo3', '3-16'])), (msg, w, score) => {
        const r = sportResultToReport(deepFreeze(msg), w, AT, 'B');
        if (r !== null) expectSaneReport(r, w, AT);
        const parsed = parseSportsScore(score);
        expect(parsed.maps === null || parsed.maps.every((n) => Number.isFinite(n))).toBe(true);
        expect(parsed.best_of === null || parsed.best_of > 0).toBe(true);
      }),
      fuzzParams('esports-sports'),
    );
  }, fuzzTimeoutMs(20_000));

  it('Liquipedia wikitext → matches with two named teams, never throws', () => {
    const wiki = fc.oneof({ weight: 3, arbitrary: mutatedLine([WIKI]) }, { weight: 1, arbitrary: randomText }, { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'{}|=[]\nMatchTeamOpponentscorewinner12'), maxLength: 200 }) });
    fc.assert(
      fc.property(wiki, outcomes, (text, o) => {
        const matches = parseWikiMatches(text);
        for (const m of matches) {
          expect(m.teams.every((t) => typeof t === 'string' && t !== '')).toBe(true);
          expect([0, 1, 2, null]).toContain(m.winner);
          expect(m.scores.every((s) => s === null || Number.isSafeInteger(s))).toBe(true);
        }
        const found = findWikiMatch(matches, o);
        if (found !== null) expect(found.order.every((t) => o.includes(t))).toBe(true);
      }),
      fuzzParams('esports-liquipedia'),
    );
  }, fuzzTimeoutMs(20_000));

  it('Gamma esports markets → a two-team truth match or null, never throws', () => {
    const market = answers(S.gamma).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
    fc.assert(
      fc.property(market, (m) => {
        const t = truthMatchFromGamma(deepFreeze(m));
        if (t === null) return;
        expect(typeof t.match_id).toBe('string');
        expect(t.outcomes).toHaveLength(2);
        expect(t.outcomes.every((x) => typeof x === 'string' && x !== '')).toBe(true);
        expect(t.best_of === null || (Number.isInteger(t.best_of) && t.best_of > 0)).toBe(true);
        expect(t.polymarket_game_id === null || typeof t.polymarket_game_id === 'string').toBe(true);
        expect(t.title === null || typeof t.title === 'string').toBe(true);
      }),
      fuzzParams('esports-gamma'),
    );
  }, fuzzTimeoutMs(20_000));

  it('truth replay lines → a parsed report or a numbered error, never throws', () => {
    const text = fc.oneof({ weight: 1, arbitrary: randomText }, { weight: 2, arbitrary: mutatedValue(S.replay, KEYS).map(jsonText) }, { weight: 2, arbitrary: mutatedText(S.replay, KEYS) });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 1_000_000 }), (line, n) => {
        const r = parseReplayLine(line, n);
        if (!r.ok) {
          expect(r.line).toBe(n);
          expect(typeof r.error).toBe('string');
          return;
        }
        const v = r.parsed.value;
        expect(Number.isFinite(r.parsed.at)).toBe(true);
        expect(REPORT_STATUSES).toContain(v.status);
        expect(v.teams).toHaveLength(2);
        expect(v.winner === null || v.status === 'finished').toBe(true);
      }),
      fuzzParams('esports-replay-line'),
    );
  }, fuzzTimeoutMs(20_000));
});
