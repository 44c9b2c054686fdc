import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateMatchPlans, planEnd, seriesWinner } from '../../src/sim/esports/simulator-plan.ts';
import { simMatchRound, simRoundListedAtMs } from '../../src/sim/match-rounds.ts';
import { getJson, journalRecords } from './support/daemon-io.ts';

/**
 * `npm start`'s embedded venue keeps esports to trade: after the start's matches, a new round of
 * matches on new markets every `daemon.sim.match_round_ms`. A round's markets enter through
 * MARKET_DISCOVERED, the truth engine follows their matches to the end, the venue resolves each
 * market to its series winner, the trading side retires it, and the truth engine stops following
 * the match. Rounds compressed to two simulated minutes, at 10× (a morning: no judge day is listed).
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const START_AT = '2026-12-07T08:00:00-05:00';
const ANCHOR_MS = Date.parse(START_AT);
const ROUND_MS = 120_000;
const MAP_MS = 15_000;
const RESOLVE_AFTER_MS = 20_000;
const RETENTION_MS = 30_000;
/** Simulated time a loaded machine may take beyond a due moment (10 s at 10×). */
const SLACK_MS = 100_000;

describe('the embedded venue listing match rounds', () => {
  it('lists a new round of matches on new markets, follows them to the end, resolves and retires them', { timeout: 120_000 }, async () => {
    const { config } = loadConfig({
      env: {},
      overrides: {
        'daemon.sim.start_at': START_AT,
        'truth_engine.simulator.anchor_ms': ANCHOR_MS,
        'truth_engine.simulator.first_start_after_ms': 0,
        'truth_engine.simulator.spacing_ms': 0,
        'truth_engine.simulator.map_ms': MAP_MS,
        'daemon.sim.match_round_ms': ROUND_MS,
        'daemon.sim.resolve_after_match_ms': RESOLVE_AFTER_MS,
        'trading.resolved_market_retention_ms': RETENTION_MS,
        'execution.paper.fail_probability': 0,
        // Every match ends effectively final on its winner (the sources' faults are tested elsewhere).
        'truth_engine.simulator.fault_probability': 0,
      },
    });
    const round1 = simMatchRound(config, ANCHOR_MS, 1);
    const round1Ids = round1.markets.map((m) => m.spec.market_id).sort();
    const heartbeatMs = config.truth_engine.heartbeat_ms;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-sim-match-rounds-'));
    dirs.push(dataDir);
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 10, dataDir, inspect: false, apiPort: 0 });
    await daemon.start();
    const listed = async () => ((await getJson(`${daemon.url}/markets`)) as Array<{ market_id: string }>).map((m) => m.market_id);
    const startListing = await getJson(`${daemon.url}/markets`);
    const startMarkets = await listed();
    // The start's round is on the venue's first markets; the next one is not listed before its time.
    expect(startMarkets.filter((id) => round1Ids.includes(id))).toEqual([]);
    try {
      await vi.waitFor(async () => expect((await listed()).filter((id) => round1Ids.includes(id)).sort()).toEqual(round1Ids), 60_000);
      // Then they resolve and retire: they leave the listing.
      await vi.waitFor(async () => expect((await listed()).filter((id) => round1Ids.includes(id))).toEqual([]), 90_000);
      // A few truth heartbeats more: the truth engine no longer follows the round's matches.
      await new Promise((r) => setTimeout(r, (4 * heartbeatMs) / 10 + 500));
    } finally {
      expect(await daemon.stop()).toBe(0);
    }

    const retirements = journalRecords(dataDir, 'control').filter((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED' && round1Ids.includes(e.market_id));
    expect(retirements.map((e) => e.market_id).sort()).toEqual(round1Ids);
    const lastRetirementMs = Math.max(...retirements.map((e) => e.ts_ingest as number));
    const discovered = journalRecords(dataDir).filter((e) => e.type === 'MARKET_DISCOVERED');
    const listedAt = simRoundListedAtMs(config, ANCHOR_MS, 1);
    for (const m of round1.markets) {
      const id = m.spec.market_id;
      const plan = round1.plans.find((p) => p.match_id === m.match_id)!;
      // Listed once, at its round's listing time, bound to its match.
      const mine = discovered.filter((e) => e.market_id === id);
      expect(mine.length, id).toBe(1);
      expect(mine[0]!.payload.match_id).toBe(plan.match_id);
      expect(mine[0]!.correlation_id).toBe(`sim-match-rounds:${id}`);
      expect(mine[0]!.ts_ingest).toBeGreaterThanOrEqual(listedAt);
      expect(mine[0]!.ts_ingest).toBeLessThan(listedAt + SLACK_MS);
      // The truth engine followed its match to the series winner.
      const winner = plan.teams[seriesWinner(plan.map_winners)];
      const truth = journalRecords(dataDir, 'truth').filter((e) => e.type === 'TRUTH_STATE' && e.match_id === plan.match_id);
      expect(truth.some((e) => e.payload.state === 'live'), plan.match_id).toBe(true);
      expect(truth.some((e) => e.payload.state === 'effectively_final' && e.payload.winner === winner), plan.match_id).toBe(true);
      // ...and let go of it once its market retired (no heartbeat after one interval past the retirement).
      expect(truth.filter((e) => e.ts_ingest > lastRetirementMs + heartbeatMs), plan.match_id).toEqual([]);
      // The venue resolved the market to that winner after the match.
      const resolved = journalRecords(dataDir, 'l2').filter((e) => e.type === 'MARKET_RESOLVED' && e.market_id === id);
      expect(resolved.length, id).toBe(1);
      const winningToken = seriesWinner(plan.map_winners) === 0 ? m.spec.yes_token : m.spec.no_token;
      expect(resolved[0]!.payload.winning_token_id).toBe(winningToken);
      expect(resolved[0]!.ts_source).toBeGreaterThanOrEqual(planEnd(plan) + RESOLVE_AFTER_MS);
      // The market's actor ended RESOLVED and was retired.
      const states = journalRecords(dataDir, 'risk').filter((e) => e.type === 'MARKET_STATE' && e.market_id === id);
      expect(states.at(-1)?.payload.state, id).toBe('RESOLVED');
    }
    // The start's matches too are let go of once their markets retired.
    const allRetirements = journalRecords(dataDir, 'control').filter((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED');
    const startMatches = generateMatchPlans(config.app.seed, ANCHOR_MS, config.truth_engine.simulator);
    for (const plan of startMatches) {
      const market = (startListing as Array<{ market_id: string; match_id: string | null }>).find((m) => m.match_id === plan.match_id)!;
      const retiredAt = allRetirements.find((e) => e.market_id === market.market_id)?.ts_ingest as number;
      expect(retiredAt, plan.match_id).toBeGreaterThan(0);
      const truth = journalRecords(dataDir, 'truth').filter((e) => e.type === 'TRUTH_STATE' && e.match_id === plan.match_id);
      expect(truth.length, plan.match_id).toBeGreaterThan(0);
      expect(truth.filter((e) => e.ts_ingest > retiredAt + heartbeatMs), plan.match_id).toEqual([]);
    }
    // Every round listed was listed at its time, none twice; the second followed the first.
    const roundIds = new Map<string, number>();
    for (let r = 1; r <= 4; r++) for (const m of simMatchRound(config, ANCHOR_MS, r).markets) roundIds.set(m.spec.market_id, r);
    const roundEvents = discovered.filter((e) => roundIds.has(e.market_id));
    expect(new Set(roundEvents.map((e) => e.market_id)).size).toBe(roundEvents.length);
    for (const e of roundEvents) expect(e.ts_ingest).toBeGreaterThanOrEqual(simRoundListedAtMs(config, ANCHOR_MS, roundIds.get(e.market_id)!));
    expect(roundEvents.some((e) => roundIds.get(e.market_id) === 2)).toBe(true);
  });
});
