import { describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/truth/assess.ts';
import { EMPTY_EVIDENCE, recordReport, type Evidence } from '../../src/domain/truth/evidence.ts';
import { impliedProbabilities } from '../../src/domain/truth/implied.ts';
import { normalizeReport } from '../../src/domain/truth/match.ts';
import { parseBestOf, parseScore, type SourceReport } from '../../src/domain/truth/report.ts';
import { aliasIndex, normalizeTeamName, resolveTeam } from '../../src/domain/truth/teams.ts';
import type { MatchReport } from '../../src/domain/truth/match.ts';
import { RULES, report } from './support.ts';

function evidenceOf(...reports: MatchReport[]): Evidence {
  return reports.reduce(recordReport, EMPTY_EVIDENCE);
}

describe('team names', () => {
  it('normalizes decorations, case, punctuation and accents away', () => {
    expect(normalizeTeamName('FaZe Clan')).toBe('faze');
    expect(normalizeTeamName('Team Liquid')).toBe('liquid');
    expect(normalizeTeamName('G2 Esports')).toBe('g2');
    expect(normalizeTeamName('G2 e-Sports')).toBe('g2');
    expect(normalizeTeamName('Gen.G')).toBe('geng');
    expect(normalizeTeamName('Ninjas in Pyjamas')).toBe('ninjasinpyjamas');
    expect(normalizeTeamName('Álvaro Gaming')).toBe('alvaro');
    expect(normalizeTeamName('Team')).toBe('team');
  });

  it('resolves source spellings onto Polymarket outcomes and refuses ambiguity', () => {
    const outcomes = ['FaZe', 'illwill'];
    expect(resolveTeam(['FaZe Clan'], outcomes)).toBe('FaZe');
    expect(resolveTeam(['ILLWILL'], outcomes)).toBe('illwill');
    expect(resolveTeam(['ILL'], outcomes)).toBe('illwill');
    expect(resolveTeam(['Astralis'], outcomes)).toBeNull();
    expect(resolveTeam(['Team'], ['Team A', 'Team B'])).toBeNull();
    // Neither a prefix nor an acronym of "mousesports": only a configured alias says so.
    expect(resolveTeam(['MOUZ'], ['mousesports', 'FaZe'])).toBeNull();
    expect(resolveTeam(['MOUZ'], ['mousesports', 'FaZe'], aliasIndex({ mousesports: ['MOUZ'] }))).toBe('mousesports');
    expect(resolveTeam(['Vitality Academy', 'VIT'], ['Vitality', 'Vitality Academy'])).toBe('Vitality Academy');
  });

  it('aligns a report score with the outcome order and refuses unattributable reports', () => {
    const raw: SourceReport = {
      source: 'pandascore', tier: 'B', match_id: 'm1', observed_at: 5, source_ts: null, status: 'finished',
      teams: ['ILLWILL', 'FaZe Clan'], winner: 'FaZe Clan', result: 'win', score: [0, 2], game: null,
    };
    const match = { match_id: 'm1', title: 'cs2', outcomes: ['FaZe', 'illwill'], best_of: 3 };
    const ok = normalizeReport(raw, match, 7);
    expect(ok.ok && ok.report).toMatchObject({ winner: 'FaZe', score: [2, 0], at: 7, result: 'win' });
    expect(normalizeReport({ ...raw, winner: 'Astralis' }, match, 7).ok).toBe(false);
  });

  it('parses scores and series lengths', () => {
    expect(parseScore('2-1')).toEqual([2, 1]);
    expect(parseScore('x')).toBeUndefined();
    expect(parseBestOf('Bo3')).toBe(3);
    expect(parseBestOf('best-of-5')).toBe(5);
    expect(parseBestOf('BEST_OF_1')).toBe(1);
    expect(parseBestOf(null)).toBeNull();
  });
});

describe('confirmation rules', () => {
  it('one Tier-A terminal report is effectively final', () => {
    const v = assess(evidenceOf(report('grid', 'finished', 1, 'A')), 1, RULES);
    expect(v).toMatchObject({ state: 'effectively_final', winner: 'A', supporting: ['grid'] });
    expect(v.confidence).toBeCloseTo(0.97);
  });

  it('a single Tier-B final is pending until an independent source agrees', () => {
    const pending = assess(evidenceOf(report('pandascore', 'finished', 1, 'A')), 1, RULES);
    expect(pending).toMatchObject({ state: 'pending_final', winner: 'A', overdue: false, check_at: 10_001 });
    expect(assess(evidenceOf(report('pandascore', 'finished', 1, 'A')), 10_001, RULES)).toMatchObject({ state: 'pending_final', overdue: true, check_at: null });
    const confirmed = assess(evidenceOf(report('pandascore', 'finished', 1, 'A'), report('liquipedia', 'finished', 2, 'A')), 2, RULES);
    expect(confirmed).toMatchObject({ state: 'effectively_final', winner: 'A', supporting: ['liquipedia', 'pandascore'] });
    expect(confirmed.confidence).toBeCloseTo(0.92);
  });

  it('Tier C alone neither starts a final nor makes a match live', () => {
    expect(assess(evidenceOf(report('liquipedia', 'finished', 1, 'A')), 1, RULES).state).toBe('scheduled');
    expect(assess(evidenceOf(report('liquipedia', 'running', 1)), 1, RULES).state).toBe('scheduled');
  });

  it('requires the configured confidence even when enough sources agree', () => {
    const strict = { ...RULES, confirm_threshold: 0.95 };
    const ev = evidenceOf(report('pandascore', 'finished', 1, 'A'), report('liquipedia', 'finished', 2, 'A'));
    expect(assess(ev, 2, strict).state).toBe('pending_final');
  });

  it('disagreement on the winner is a dispute, an invalidation beats everything', () => {
    const ev = evidenceOf(report('grid', 'finished', 1, 'A'), report('pandascore', 'finished', 2, 'B'));
    expect(assess(ev, 2, RULES)).toMatchObject({ state: 'disputed', confidence: 0, winner: null });
    const inv = recordReport(ev, report('polymarket_sports', 'invalidated', 3));
    expect(assess(inv, 3, RULES)).toMatchObject({ state: 'invalidated', supporting: ['polymarket_sports'] });
  });

  it('a live match goes stale when every source feeding it has fallen silent', () => {
    const ev = evidenceOf(report('grid', 'running', 0, null, [1, 0]), report('pandascore', 'running', 5_000, null, [0, 0]));
    const live = assess(ev, 10_000, RULES, 3);
    expect(live).toMatchObject({ state: 'live', check_at: 30_000, stale_sources: [] });
    expect(live.progress).toEqual({ score: [1, 0], best_of: 3, game: null });
    expect(assess(ev, 30_000, RULES)).toMatchObject({ state: 'live', stale_sources: ['grid'], supporting: ['pandascore'], check_at: 65_000 });
    expect(assess(ev, 65_000, RULES)).toMatchObject({ state: 'stale', confidence: 0, stale_sources: ['grid', 'pandascore'] });
  });

  it('ignores a report older than the source already said', () => {
    const ev = evidenceOf(report('grid', 'finished', 10, 'A'), report('grid', 'running', 5));
    expect(assess(ev, 10, RULES).state).toBe('effectively_final');
  });
});

describe('implied probability', () => {
  const base = { winner: null, result: null, progress: null, started: true };
  it('gives the configured probability to a final winner', () => {
    expect(impliedProbabilities({ ...base, state: 'effectively_final', winner: 'A', result: 'win' }, ['A', 'B'], 'cs2', RULES)).toEqual({ A: 0.99, B: 0.01 });
  });

  it('maps a map lead into the title range, scaled by the series length', () => {
    const at = (score: number[], bestOf: number | null) =>
      impliedProbabilities({ ...base, state: 'live', progress: { score, best_of: bestOf, game: null } }, ['A', 'B'], 'cs2', RULES);
    expect(at([1, 0], 3)).toEqual({ A: 0.725, B: 0.275 });
    expect(at([0, 2], 5)).toEqual({ A: 0.25, B: 0.75 });
    expect(at([1, 0], null)).toEqual({ A: 0.65, B: 0.35 });
  });

  it('has no opinion when it cannot know', () => {
    const live = (score: number[] | null, title: string | null) =>
      impliedProbabilities({ ...base, state: 'live', progress: { score, best_of: 3, game: null } }, ['A', 'B'], title, RULES);
    expect(live([1, 1], 'cs2')).toBeNull();
    expect(live([0, 0], 'cs2')).toBeNull();
    expect(live(null, 'cs2')).toBeNull();
    expect(live([1, 0], 'chess')).toBeNull();
    expect(live([1, 0], null)).toBeNull();
    for (const state of ['scheduled', 'stale', 'pending_final', 'disputed', 'invalidated']) {
      expect(impliedProbabilities({ ...base, state, winner: 'A', result: 'win', progress: { score: [2, 0], best_of: 3, game: null } }, ['A', 'B'], 'cs2', RULES)).toBeNull();
    }
    expect(impliedProbabilities({ ...base, state: 'effectively_final', result: 'draw' }, ['A', 'B'], 'cs2', RULES)).toBeNull();
    expect(impliedProbabilities({ ...base, state: 'effectively_final', winner: 'A', result: 'forfeit', started: false }, ['A', 'B'], 'cs2', RULES)).toBeNull();
    expect(impliedProbabilities({ ...base, state: 'effectively_final', winner: 'A', result: 'forfeit', started: true }, ['A', 'B'], 'cs2', RULES)).toEqual({ A: 0.99, B: 0.01 });
  });
});

