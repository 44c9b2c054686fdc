import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayTruth } from '../../src/apps/truth-replay/truth-replay.ts';
import { normalizeReport } from '../../src/domain/truth/match.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { isAcronymOf, resolveTeam, teamMatches } from '../../src/domain/truth/teams.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { defaultTruthConfig } from './support.ts';

describe('initials acronyms of team names', () => {
  it('matches the acronyms the LoL leagues use onto the full names, both ways round', () => {
    const pairs: Array<[string, string, string]> = [
      // [acronym, its team, the other team of the match]
      ['HLE', 'Hanwha Life Esports', 'Gen.G'],
      ['GEN', 'Gen.G', 'Hanwha Life Esports'],
      ['BLG', 'Bilibili Gaming', 'Top Esports'],
      ['JDG', 'JD Gaming', 'Bilibili Gaming'],
      ['TES', 'Top Esports', 'JD Gaming'],
      ['T1', 'T1', 'Top Esports'],
      ['WBG', 'Weibo Gaming', 'LNG Esports'],
      ['EDG', 'EDward Gaming', 'Invictus Gaming'],
      ['NIP', 'Ninjas in Pyjamas', 'FaZe Clan'],
      ['NAVI', 'Natus Vincere', 'FaZe Clan'],
      ['TL', 'Team Liquid', 'Cloud9'],
    ];
    for (const [acr, team, other] of pairs) {
      expect(resolveTeam([acr], [team, other]), `${acr} → ${team}`).toBe(team);
      expect(resolveTeam([acr], [other, team]), `${acr} → ${team} (other order)`).toBe(team);
      expect(resolveTeam([team], [acr, other]), `${team} → ${acr}`).toBe(acr);
    }
  });

  it('does not take a word prefix, a partial name or another team\'s initials for an acronym', () => {
    expect(isAcronymOf('le', ['hanwha', 'life', 'esports'])).toBe(false); // must start at the first word
    expect(isAcronymOf('hle', ['hanwha', 'esports'])).toBe(false); // L is in no word's place
    expect(isAcronymOf('hle', ['hanwha', 'life', 'esports', 'challengers'])).toBe(false); // a word left out
    expect(isAcronymOf('blg', ['bilibili', 'gaming', 'academy'])).toBe(false);
    expect(isAcronymOf('gen', ['gen', 'g'])).toBe(false); // a prefix of one word is not an acronym
    expect(isAcronymOf('h', ['hanwha', 'life'])).toBe(false); // too short
    expect(isAcronymOf('hanwh', ['hanwha', 'life'])).toBe(false);
    expect(isAcronymOf('t1', ['top', 'esports'])).toBe(false);
    expect(resolveTeam(['T1'], ['Top Esports', 'Bilibili Gaming'])).toBeNull();
    expect(resolveTeam(['TES'], ['T1', 'Gen.G'])).toBeNull();
    expect(resolveTeam(['G2'], ['Gen.G', 'Hanwha Life Esports'])).toBeNull();
    expect(resolveTeam(['HLE'], ['Hanwha Life Esports Challengers', 'Gen.G'])).toBeNull();
    expect(resolveTeam(['HLE'], ['Hanwha Life Esports', 'Hanwha Life Esports Challengers'])).toBe('Hanwha Life Esports');
  });

  it('refuses an acronym that fits both teams of the match, and says so', () => {
    expect(teamMatches(['TL'], ['Team Liquid', 'Team Lynx'])).toEqual(['Team Liquid', 'Team Lynx']);
    expect(resolveTeam(['TL'], ['Team Liquid', 'Team Lynx'])).toBeNull();
    // The same name still wins over a guess; but a prefix of one team and the acronym of the
    // other are one rule, so that is ambiguous too.
    expect(teamMatches(['BIG'], ['BIG Clan', 'Bilibili Gaming'])).toEqual(['BIG Clan']);
    expect(teamMatches(['BLG'], ['BLGX', 'Bilibili Gaming'])).toEqual(['BLGX', 'Bilibili Gaming']);
    expect(resolveTeam(['BLG'], ['BLGX', 'Bilibili Gaming'])).toBeNull();
    const raw: SourceReport = {
      source: 'pandascore', tier: 'B', match_id: 'm', observed_at: 1, source_ts: null, status: 'finished',
      teams: ['Team Liquid', 'Team Lynx'], winner: 'TL', result: 'win', score: null, game: null,
    };
    const refused = normalizeReport(raw, { match_id: 'm', title: 'lol', outcomes: ['Team Liquid', 'Team Lynx'], best_of: 3 }, 1);
    expect(refused).toEqual({ ok: false, reason: 'winner "TL" could be any of ["Team Liquid","Team Lynx"] (ambiguous)' });
  });

  // Names of two to four words; the first word never a decoration, so initials always exist.
  const word = fc.stringMatching(/^[a-z][a-z0-9]{1,7}$/).filter((w) => !['team', 'esports', 'esport', 'gaming', 'clan', 'club', 'gg', 'the', 'of', 'in', 'and'].includes(w));
  const name = fc.array(word, { minLength: 2, maxLength: 4 }).map((ws) => ws.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '));
  const initials = (n: string) => n.split(' ').map((w) => w[0]!).join('').toUpperCase();

  it('property: the initials of a team resolve to it or, when they fit the other team too, to nothing, never to the other', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const acr = initials(a);
        fc.pre(a.toLowerCase() !== b.toLowerCase() && acr.toLowerCase() !== b.replace(/ /g, '').toLowerCase());
        const got = resolveTeam([acr], [a, b]);
        expect(got === a || got === null).toBe(true);
        expect(resolveTeam([acr], [b, a])).toBe(got);
        if (got === null) expect(teamMatches([acr], [a, b])).toEqual([a, b]);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('property: a match is unambiguous or refused, whatever the outcome order', () => {
    const spelling = fc.oneof(name, name.map(initials), word.map((w) => w.toUpperCase()));
    fc.assert(
      fc.property(spelling, name, name, (s, a, b) => {
        fc.pre(a.toLowerCase() !== b.toLowerCase());
        const fits = teamMatches([s], [a, b]);
        const got = resolveTeam([s], [a, b]);
        expect(got).toBe(fits.length === 1 ? fits[0] : null);
        expect(resolveTeam([s], [b, a])).toBe(got);
      }),
      { seed: 11, numRuns: 2000 },
    );
  });
});

describe('helios truth replay with acronyms', () => {
  it('confirms a final reported as "HLE" by one source and "Hanwha Life Esports" by another', () => {
    const lines = [
      { ts: '2024-09-08T11:20:00Z', source: 'pandascore', match_id: 'lck', status: 'running', winner: null, score: '2-2', teams: ['Gen.G', 'Hanwha Life Esports'], title: 'lol', best_of: 5 },
      { ts: '2024-09-08T11:24:36Z', source: 'pandascore', match_id: 'lck', status: 'finished', winner: 'Hanwha Life Esports', score: '2-3', teams: ['Gen.G', 'Hanwha Life Esports'] },
      { ts: '2024-09-08T11:24:40Z', source: 'polymarket_sports', match_id: 'lck', status: 'finished', winner: 'HLE', score: '2-3', teams: ['GEN', 'HLE'] },
    ];
    const r = replayTruth(lines.map((l) => JSON.stringify(l)).join('\n'), defaultTruthConfig());
    expect(r.errors).toEqual([]);
    const last = JSON.parse(r.lines.at(-1)!) as { state: string; winner: string };
    expect(last).toMatchObject({ state: 'effectively_final', winner: 'Hanwha Life Esports' });
  });
});

describe('helios truth replay with configured aliases', () => {
  it('accepts a winner spelled by a configured alias, as the engine does', () => {
    const config = { ...defaultTruthConfig(), team_aliases: { mousesports: ['MOUZ'] } };
    const line = { ts: '2026-04-05T15:00:00Z', source: 'grid', match_id: 'm', status: 'finished', winner: 'MOUZ', score: '2-0', teams: ['mousesports', 'FaZe'] };
    const r = replayTruth(JSON.stringify(line), config);
    expect(r.errors).toEqual([]);
    expect(JSON.parse(r.lines.at(-1)!)).toMatchObject({ state: 'effectively_final', winner: 'mousesports' });
    // Without the alias the line is still refused, with its reason.
    expect(replayTruth(JSON.stringify(line), defaultTruthConfig()).errors).toEqual(['line 1: winner "MOUZ" is not one of teams ["mousesports","FaZe"]']);
  });
});

describe.skipIf(!requireSharedFixtures('real/match_de.json'))('PandaScore\'s own acronyms (shared fixture real/match_de.json, LCK Summer 2024 final)', () => {
  it('resolve onto the full names of the same match, and back', () => {
    const match = JSON.parse(readFileSync(sharedFixture('real', 'match_de.json'), 'utf8')) as { opponents: Array<{ opponent: { name: string; acronym: string } }> };
    const teams = match.opponents.map((o) => o.opponent);
    expect(teams.map((t) => t.acronym)).toEqual(['GEN', 'HLE']);
    const names = teams.map((t) => t.name);
    const acronyms = teams.map((t) => t.acronym);
    for (const t of teams) {
      expect(resolveTeam([t.acronym], names)).toBe(t.name);
      expect(resolveTeam([t.acronym], [...names].reverse())).toBe(t.name);
      expect(resolveTeam([t.name], acronyms)).toBe(t.acronym);
    }
  });
});
