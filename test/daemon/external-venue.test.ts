import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { truthFaultsBegun } from '../../src/sim/esports/simulator-faults.ts';
import { generateMatchPlans } from '../../src/sim/esports/simulator-plan.ts';
import { simulatedTruth } from '../../src/sim/esports/simulated-truth.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { sessionFile } from '../../src/adapters/storage/session-counter.ts';
import { weatherOutagesBegun } from '../../src/sim/world/simulated-world.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosConfig } from '../../src/config/schema.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import type { BookDepth } from '../../src/domain/book/book-depth.ts';

/**
 * The daemon-side hooks of a soak: sim mode against a venue simulator hosted outside the daemon
 * (`daemon.sim.venue: external`), `GET /books` compared with the venue's true books, `sim_faults`
 * and the trading session in `/stats`, a new session per daemon on the same data directory.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const silent = () => createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });

function configFor(venue: { wsUrl: string; restUrl: string }): HeliosConfig {
  return loadConfig({
    env: {},
    overrides: {
      'daemon.sim.venue': 'external',
      'market_tape.ws_url': venue.wsUrl,
      'market_tape.rest_url': venue.restUrl,
      // No model fitting in this test; the outage schedule alone drives weather_stale.
      'weather.nowcast.enabled': false,
      'weather.simulator.outage_every_ms': 2_000,
      'weather.simulator.outage_ms': 500,
      // Short matches at once, each with a fault: some begin within seconds.
      'truth_engine.simulator.first_start_after_ms': 0,
      'truth_engine.simulator.spacing_ms': 0,
      'truth_engine.simulator.map_ms': 1_000,
      'truth_engine.simulator.fault_probability': 1,
    },
  }).config;
}

async function getJson(url: string): Promise<any> {
  const r = await fetch(url);
  expect(r.status, url).toBe(200);
  return r.json();
}

describe('sim mode with an external venue simulator', () => {
  it('feeds from the venue it is pointed at, serves its books, counts faults and starts a new session per run', { timeout: 60_000 }, async () => {
    const placeholder = { wsUrl: 'ws://127.0.0.1:1/ws/market', restUrl: 'http://127.0.0.1:1' };
    const base = configFor(placeholder);
    // The harness's venue: the same universe the daemon builds. No order flow, so books hold still.
    const universe = buildSimUniverse(base, simulatedTruth(base.app.seed, base.truth_engine, new SystemClock()).matches, Date.now());
    const venue = new VenueSimulator({ seed: base.app.seed, markets: universe.markets.map((m) => m.venue) });
    const endpoints = await venue.start();
    const config = configFor(endpoints);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-external-venue-'));
    dirs.push(dataDir);
    const tokens = universe.markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]).sort();

    const run = async () => {
      const daemon = new Daemon({ config, secrets: {}, logger: silent(), mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0 });
      await daemon.start();
      return daemon;
    };

    try {
      const first = await run();
      const books = await vi.waitFor(async () => {
        const b = (await getJson(`${first.url}/books`)).books as BookDepth[];
        expect(b.length === tokens.length && b.every((x) => x.synced), 'every book synced').toBe(true);
        return b;
      }, 20_000);
      // The daemon subscribed on our venue (no embedded simulator of its own).
      expect(venue.subscriptions()).toEqual(tokens);
      expect(books.map((b) => b.token_id)).toEqual(tokens);
      for (const b of books) {
        const truth = venue.trueBook(b.token_id);
        expect(b.bids, b.token_id).toEqual(truth.bids);
        expect(b.asks, b.token_id).toEqual(truth.asks);
        expect(b.best_bid).toBe(truth.bids[0]?.[0] ?? null);
        expect(b.best_ask).toBe(truth.asks[0]?.[0] ?? null);
        for (let i = 1; i < b.bids.length; i++) expect(b.bids[i]![0]).toBeLessThan(b.bids[i - 1]![0]);
        for (let i = 1; i < b.asks.length; i++) expect(b.asks[i]![0]).toBeGreaterThan(b.asks[i - 1]![0]);
      }
      const one = await getJson(`${first.url}/books?token_id=${encodeURIComponent(tokens[1]!)}`);
      expect(one).toEqual({ books: [books[1]] });
      expect(await getJson(`${first.url}/books?token_id=nope`)).toEqual({ books: [] });

      // Outages every 2 s: wait for at least one, then the count is the schedule's over the process's life.
      let asked = [0, 0];
      const stats = await vi.waitFor(async () => {
        const before = first.clock.now();
        const s = await getJson(`${first.url}/stats`);
        asked = [before, first.clock.now()];
        const truth = s.sim_faults.truth_conflict + s.sim_faults.truth_stale + s.sim_faults.truth_ws_drop + s.sim_faults.truth_invalidation;
        expect(s.sim_faults.weather_stale >= 1 && truth >= 1, 'a weather outage and a truth fault to begin').toBe(true);
        return s;
      }, 20_000);
      expect(Object.keys(stats.sim_faults).sort()).toEqual(['truth_conflict', 'truth_invalidation', 'truth_stale', 'truth_ws_drop', 'weather_stale']);
      // Never more than the plans hold (the truth component started once).
      const planned = truthFaultsBegun(generateMatchPlans(config.app.seed, 0, config.truth_engine.simulator), 0, Number.MAX_SAFE_INTEGER);
      for (const k of Object.keys(planned) as Array<keyof typeof planned>) expect(stats.sim_faults[k], k).toBeLessThanOrEqual(planned[k]);
      const since = stats.sim_faults_since_ms as number;
      expect(stats.sim_faults.weather_stale).toBeGreaterThanOrEqual(weatherOutagesBegun(config.weather, config.app.seed, since, asked[0]!));
      expect(stats.sim_faults.weather_stale).toBeLessThanOrEqual(weatherOutagesBegun(config.weather, config.app.seed, since, asked[1]! + 1));
      expect(stats.session).toBe(1);
      expect(await first.stop()).toBe(0);

      // A restart on the same data directory is a new session.
      expect(JSON.parse(readFileSync(sessionFile(dataDir), 'utf8'))).toEqual({ session: 1 });
      const second = await run();
      await vi.waitFor(async () => expect((await getJson(`${second.url}/stats`)).session, 'the second session').toBe(2), 20_000);
      expect(await second.stop()).toBe(0);
      expect(JSON.parse(readFileSync(sessionFile(dataDir), 'utf8'))).toEqual({ session: 2 });
    } finally {
      await venue.stop();
    }
  });
});
