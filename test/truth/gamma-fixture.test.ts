import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sportResultToReport } from '../../src/adapters/esports/polymarket-sports.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { TruthEngine } from '../../src/runtime/truth/truth-engine.ts';
import { truthMatchFromGamma } from '../../src/domain/truth/gamma-match.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { defaultTruthConfig } from './support.ts';

const SUB = 'polymarket/nautilus_trader/crates_test_data/gamma_market_sports_market_money_line.json';
const present = requireSharedFixtures(SUB);

describe.skipIf(!present)('a real Gamma esports market (CS2 FaZe vs illwill)', () => {
  it('maps onto a truth match: team outcomes, title, series length, sports game id', () => {
    const market = JSON.parse(readFileSync(sharedFixture(SUB), 'utf8')) as Record<string, unknown>;
    expect(truthMatchFromGamma(market)).toEqual({
      match_id: 'cs2-faze-ill-2026-04-05',
      title: 'cs2',
      outcomes: ['FaZe', 'illwill'],
      best_of: 3,
      market_id: '0x202abb9a80673068ec5ce9294d60e31eeaf3ab5c82fb21fb0c9142e5d0cab385',
      polymarket_game_id: '1427074',
    });
    expect(truthMatchFromGamma({ ...market, outcomes: '["Yes", "No"]' })).toBeNull();
    expect(truthMatchFromGamma({ ...market, sportsMarketType: 'totals' })).toBeNull();
  });

  it('its outcomes are team names the sources\' spellings resolve onto, and implied_p is keyed by them', () => {
    const market = JSON.parse(readFileSync(sharedFixture(SUB), 'utf8')) as {
      outcomes: string;
      gameId: string;
      conditionId: string;
      events: Array<{ score: string; period: string; live: boolean; ended: boolean }>;
    };
    const outcomes = JSON.parse(market.outcomes) as string[];
    expect(outcomes).toEqual(['FaZe', 'illwill']);

    const config = defaultTruthConfig();
    const clock = new VirtualClock(Date.UTC(2026, 3, 5, 19, 37, 33));
    const sink = new CollectingSink();
    const engine = new TruthEngine({ rules: config, clock, sink, events: new EventFactory(clock, ulidGenerator(seededRng(1))) });
    engine.addMatch({ match_id: `poly-${market.gameId}`, title: 'cs2', outcomes, best_of: 3, market_id: market.conditionId });

    // The event's own sports fields, as the sports socket sends them for this gameId.
    const ev = market.events[0]!;
    const sports = sportResultToReport(
      { gameId: Number(market.gameId), homeTeam: 'FaZe', awayTeam: 'illwill', status: 'finished', score: ev.score, period: ev.period, live: ev.live, ended: ev.ended },
      { match_id: `poly-${market.gameId}`, outcomes, external_id: market.gameId },
      clock.now(),
      'B',
    )!;
    expect(sports).toMatchObject({ status: 'finished', winner: 'FaZe', score: [2, 0], game: { current: 2, best_of: 3 } });
    expect(engine.ingest(sports).ok).toBe(true);
    expect(engine.view(`poly-${market.gameId}`)).toMatchObject({ state: 'pending_final', winner: 'FaZe' });

    const pandascore = { ...sports, source: 'pandascore', teams: ['FaZe Clan', 'ILLWILL'], winner: 'FaZe Clan' };
    expect(engine.ingest(pandascore).ok).toBe(true);
    expect(engine.view(`poly-${market.gameId}`)).toMatchObject({ state: 'effectively_final', winner: 'FaZe', implied_p: { FaZe: 0.99, illwill: 0.01 } });
  });
});
