import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateMatchPlans } from '../../src/sim/esports/simulator-plan.ts';
import { getJson, journalRecords } from './support/daemon-io.ts';

/**
 * `npm start`'s embedded venue resolves the esports markets it lists once their simulated match is
 * over: over the real WebSocket to the market feed, MARKET_RESOLVED to the trading side, which
 * settles the paper positions at 1 for the winner's token and 0 for the other's and retires the
 * market after its retention. Matches compressed to seconds; weather and pair-only markets stay
 * (a morning: the station's next judge day is listed at noon).
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const MAP_MS = 1_500;
const RESOLVE_AFTER_MS = 2_000;
const RETENTION_MS = 3_000;

describe('the embedded venue resolving esports markets', () => {
  it('resolves each esports market after its match to the series winner, settles its paper position and retires it', { timeout: 60_000 }, async () => {
    const { config } = loadConfig({
      env: {},
      overrides: {
        'truth_engine.simulator.first_start_after_ms': 0,
        'truth_engine.simulator.spacing_ms': 0,
        'truth_engine.simulator.map_ms': MAP_MS,
        'daemon.sim.resolve_after_match_ms': RESOLVE_AFTER_MS,
        'trading.resolved_market_retention_ms': RETENTION_MS,
        'execution.paper.fail_probability': 0,
        // A morning of the station's day: no judge day is listed or resolved meanwhile.
        'daemon.sim.start_at': '2026-12-07T08:00:00-05:00',
      },
    });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-sim-resolution-'));
    dirs.push(dataDir);
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0 });
    await daemon.start();
    interface Listed { market_id: string; fair_source: string; match_id: string | null; yes_token: string; no_token: string }
    // The daemon's start on its clock, before any component (the truth component's plans count from a moment later).
    const startedAt = (await getJson(`${daemon.url}/stats`)).sim_faults_since_ms as number;
    const listed = (await getJson(`${daemon.url}/markets`)) as Listed[];
    const esports = listed.filter((m) => m.fair_source === 'truth');
    const others = listed.filter((m) => m.fair_source !== 'truth').map((m) => m.market_id).sort();
    expect(esports.length).toBe(config.truth_engine.simulator.matches);
    expect(others.length).toBeGreaterThan(0);
    try {
      // Each esports market leaves the listing once retired; the weather and pair-only ones stay.
      await vi.waitFor(async () => {
        const rows = (await getJson(`${daemon.url}/markets`)) as Listed[];
        expect(rows.map((m) => m.market_id).sort()).toEqual(others);
      }, 40_000);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    // The plans the daemon's truth component ran (match ids and map winners do not depend on the start).
    const plans = generateMatchPlans(config.app.seed, 0, config.truth_engine.simulator);
    const resolutions = journalRecords(dataDir, 'l2').filter((e) => e.type === 'MARKET_RESOLVED');
    // Exactly the esports markets resolved, each once.
    expect(resolutions.map((e) => e.market_id).sort()).toEqual(esports.map((m) => m.market_id).sort());
    const states = journalRecords(dataDir, 'risk').filter((e) => e.type === 'MARKET_STATE');
    const positions = journalRecords(dataDir, 'position').filter((e) => e.type === 'POSITION');
    const retired = journalRecords(dataDir, 'control').filter((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED');
    let settledHoldings = 0;
    for (const m of esports) {
      const plan = plans.find((p) => p.match_id === m.match_id)!;
      const firstTeamMaps = plan.map_winners.filter((w) => w === 0).length;
      const winner = firstTeamMaps * 2 > plan.map_winners.length ? m.yes_token : m.no_token;
      const resolved = resolutions.find((e) => e.market_id === m.market_id)!;
      expect(resolved.payload, m.market_id).toEqual({ winning_token_id: winner, winning_outcome: winner === m.yes_token ? 'Yes' : 'No' });
      // Resolved the configured delay after the match's planned end (the truth component's plans
      // start a moment after the daemon: a loaded machine's start-up, not a wrong delay, is the slack).
      const due = startedAt + plan.map_winners.length * MAP_MS + RESOLVE_AFTER_MS;
      expect(resolved.ts_source, m.market_id).toBeGreaterThanOrEqual(due);
      expect(resolved.ts_source, m.market_id).toBeLessThan(due + 10_000);
      // The market's actor went FINALIZING → RESOLVED on it.
      const toResolved = states.find((e) => e.market_id === m.market_id && e.payload.state === 'RESOLVED');
      expect(toResolved?.payload.previous, m.market_id).toBe('FINALIZING');
      expect(toResolved!.ts_ingest).toBeGreaterThanOrEqual(resolved.ts_ingest);
      // What it held at the resolution paid 1 a share on the winner's token and 0 on the other's.
      for (const token of [m.yes_token, m.no_token]) {
        const mine = positions.filter((e) => e.token_id === token);
        const before = mine.filter((e) => e.ts_ingest < toResolved!.ts_ingest).at(-1);
        const after = mine.filter((e) => e.ts_ingest >= toResolved!.ts_ingest).at(-1);
        if (!before || before.payload.shares === 0) continue;
        settledHoldings++;
        expect(after?.payload.shares, token).toBe(0);
        const payoutPerShare = (after!.payload.realized_pnl - before.payload.realized_pnl) / before.payload.shares + before.payload.avg_cost;
        expect(payoutPerShare, token).toBeCloseTo(token === winner ? 1 : 0, 6);
      }
      // Retired once the retention had passed on the node's clock.
      const retirement = retired.find((e) => e.market_id === m.market_id);
      expect(retirement, m.market_id).toBeDefined();
      expect(retirement!.ts_ingest - toResolved!.ts_ingest).toBeGreaterThanOrEqual(RETENTION_MS);
    }
    // The first match's in-play price is traded before its end (seed 42): a holding was there to settle.
    expect(settledHoldings).toBeGreaterThanOrEqual(1);
  });
});
