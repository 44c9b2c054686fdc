import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { fetchPandascoreListings } from '../../src/adapters/esports/pandascore-listings.ts';
import { GammaClient } from '../../src/adapters/polymarket/gamma-client.ts';
import { loadConfig } from '../../src/config/load.ts';
import { mapPandascoreMatch, type PandascoreListing } from '../../src/domain/discovery/pandascore-mapping.ts';
import type { DiscoveryRefusal, OperatingSetDiff } from '../../src/domain/discovery/index.ts';
import { matchSpecOf } from '../../src/runtime/discovery/live-universe.ts';
import { DiscoveryScanner, scannerPolicy } from '../../src/runtime/discovery/scanner.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { json, startLoopback, type Loopback } from '../truth/loopback.ts';
import { GammaStandIn } from './gamma-stand-in.ts';

/**
 * Esports truth from PandaScore for a discovered moneyline: the one PandaScore match of its two
 * teams starting near the moneyline's start; no match, or more than one, is refused (never guessed).
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const START = Date.parse('2026-06-12T15:10:00Z');
const HOUR = 3_600_000;
const ml = { teams: ['FaZe', 'illwill'] as const, game_start_ms: START };
const listing = (id: string, a: string[], b: string[], begin_ms: number | null): PandascoreListing => ({ id, opponents: [a, b], begin_ms });

describe('mapping a discovered moneyline to its PandaScore match', () => {
  it('maps the one match of both teams (by name or acronym, either order) starting within the tolerance', () => {
    const listings = [listing('1', ['FaZe Clan', 'FAZE'], ['ILLWILL'], START + 5 * 60_000), listing('2', ['FaZe Clan'], ['Vitality'], START), listing('3', ['illwill'], ['FaZe'], START + 5 * HOUR)];
    expect(mapPandascoreMatch(ml, listings, HOUR)).toEqual({ ok: true, value: '1' });
  });

  it('refuses a rematch within the tolerance (ambiguous), no fitting match, and a moneyline with no start time', () => {
    const both = [listing('7', ['FaZe'], ['illwill'], START - 20 * 60_000), listing('8', ['illwill'], ['FaZe Clan'], START + 30 * 60_000)];
    expect(mapPandascoreMatch(ml, both, HOUR)).toMatchObject({ ok: false, error: { code: 'ambiguous_pandascore_match', message: expect.stringContaining('7, 8') } });
    expect(mapPandascoreMatch(ml, [listing('9', ['FaZe'], ['illwill'], START + 2 * HOUR)], HOUR)).toMatchObject({ ok: false, error: { code: 'no_pandascore_match' } });
    // Both opponents the same team of the moneyline is not a fit.
    expect(mapPandascoreMatch(ml, [listing('10', ['FaZe'], ['FaZe Clan'], START)], HOUR)).toMatchObject({ ok: false, error: { code: 'no_pandascore_match' } });
    expect(mapPandascoreMatch({ ...ml, game_start_ms: null }, both, HOUR)).toMatchObject({ ok: false, error: { code: 'no_pandascore_match', message: expect.stringContaining('no start time') } });
  });
});

describe('PandaScore listings and the scanner', () => {
  let lb: Loopback | undefined;
  const gamma = new GammaStandIn();
  afterEach(async () => {
    await lb?.close();
    lb = undefined;
    await gamma.stop();
  });

  it('the scanner maps a new moneyline before telling it, and the match spec asks PandaScore for it; an ambiguous one is refused and left unmapped', async () => {
    const clock = new SystemClock();
    let answer: unknown[] = [];
    lb = await startLoopback((req, _b, res) => json(res, req.url?.startsWith('/matches/upcoming') ? answer : []));
    const event = JSON.parse(readFileSync(path.join(HERE, '../fixtures/discovery/gamma-event-cs2-match.json'), 'utf8')) as Record<string, unknown>;
    gamma.events.push(event);
    await gamma.start();
    const { config } = loadConfig({ env: {}, overrides: { 'discovery.gamma_url': gamma.url, 'discovery.esports.games': ['cs2'], 'discovery.temperature.cities': [] } });
    const psMatch = (id: number, begin: string) => ({ id, begin_at: begin, opponents: [{ opponent: { name: 'FaZe Clan', acronym: 'FaZe' } }, { opponent: { name: 'ILLWILL', acronym: null } }] });
    answer = [psMatch(555, '2026-06-12T15:00:00Z'), psMatch(556, '2026-06-13T15:00:00Z')];
    const run = async () => {
      const client = new GammaClient({ baseUrl: gamma.url, clock, rateLimit: { max: 100, windowMs: 1000 }, timeoutMs: 5000 });
      const diffs: OperatingSetDiff[] = [];
      const refused: DiscoveryRefusal[] = [];
      const s = new DiscoveryScanner({
        gamma: client,
        config: config.discovery,
        policy: scannerPolicy(config),
        clock,
        onChange: (d) => diffs.push(d),
        onRefused: (r) => refused.push(r),
        onError: (what, err) => refused.push({ event_slug: null, condition_id: null, code: 'invalid_shape', message: `${what}: ${(err as Error).message}` }),
        pandascoreListings: () => fetchPandascoreListings({ restUrl: lb!.http, token: 't', clock, timeoutMs: 5000, perPage: 100 }),
      });
      await s.scan();
      client.close();
      return { s, diffs, refused };
    };
    const mapped = await run();
    const moneyline = mapped.diffs[0]!.added.find((m) => m.esports !== null)!;
    expect(mapped.s.pandascoreId(moneyline.condition_id)).toBe('555');
    expect(matchSpecOf(moneyline, mapped.s.pandascoreId(moneyline.condition_id))?.source_ids).toEqual({ polymarket_sports: '9001', pandascore: '555' });
    expect(lb.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t', 'Bearer t']);

    answer = [psMatch(555, '2026-06-12T15:00:00Z'), psMatch(557, '2026-06-12T15:30:00Z')];
    const ambiguous = await run();
    expect(ambiguous.s.pandascoreId(moneyline.condition_id)).toBeNull();
    expect(ambiguous.refused).toEqual([expect.objectContaining({ condition_id: moneyline.condition_id, code: 'ambiguous_pandascore_match' })]);
    // The market itself is still selected: only the mapping is refused.
    expect(ambiguous.diffs[0]!.added.map((m) => m.condition_id)).toContain(moneyline.condition_id);
  });

  const present = requireSharedFixtures('real/match_de.json');
  it.skipIf(!present)('reads a real PandaScore match object as a listing', async () => {
    const real = JSON.parse(readFileSync(sharedFixture('real', 'match_de.json'), 'utf8')) as unknown;
    lb = await startLoopback((req, _b, res) => json(res, req.url?.startsWith('/matches/running') ? [real] : []));
    const listings = await fetchPandascoreListings({ restUrl: lb.http, token: 't', clock: new SystemClock(), timeoutMs: 5000, perPage: 100 });
    expect(listings).toEqual([{ id: '1000450', opponents: [['Gen.G', 'GEN'], ['Hanwha Life Esports', 'HLE']], begin_ms: Date.parse('2024-09-08T06:24:00Z') }]);
    expect(mapPandascoreMatch({ teams: ['Hanwha Life', 'Gen.G'], game_start_ms: Date.parse('2024-09-08T06:00:00Z') }, listings, 3_600_000)).toEqual({ ok: true, value: '1000450' });
  });
});
