import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { readMarketCatalog } from '../../src/adapters/storage/market-catalog.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { getJson, journalRecords } from './support/daemon-io.ts';

/**
 * `npm start`'s embedded venue lists the station's judge days as a venue does: the next day's
 * buckets as new, dated markets a while before the day starts (they enter the universe and the
 * trading side through MARKET_DISCOVERED), and resolves a day's buckets once it is over, each to
 * whether it holds the day's settled high. Checked against what the daemon's own world feed read
 * of the day's METARs (its METAR_OBS), at 60× speed across the station's midnight.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DAY = '2026-12-08';
const NEXT_DAY = '2026-12-09';
// Ten minutes before KLGA's (America/New_York) midnight: 10 s at 60×, most of it after the start-up.
const START_AT = `${DAY}T23:50:00-05:00`;
const MIDNIGHT_MS = Date.parse(`${NEXT_DAY}T00:00:00-05:00`);
const LIST_AHEAD_MS = 2 * 60_000;
/** Simulated time a loaded machine may take beyond a due moment (10 s at 60×). */
const SLACK_MS = 10 * 60_000;
const RESOLVE_AFTER_MS = 30_000;
const RETENTION_MS = 60_000;

interface Listed {
  market_id: string;
  fair_source: string;
}

describe('the embedded venue listing and resolving judge days', () => {
  it('lists the next day before it starts and resolves the day that ended to its settled high', { timeout: 90_000 }, async () => {
    const { config } = loadConfig({
      env: {},
      overrides: {
        'daemon.sim.start_at': START_AT,
        'daemon.sim.weather_list_ahead_ms': LIST_AHEAD_MS,
        'daemon.sim.resolve_after_day_ms': RESOLVE_AFTER_MS,
        'trading.resolved_market_retention_ms': RETENTION_MS,
      },
    });
    const station = config.weather.stations[0]!.id;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-sim-weather-days-'));
    dirs.push(dataDir);
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 60, dataDir, inspect: false, apiPort: 0 });
    await daemon.start();
    const bucketIds = async () => ((await getJson(`${daemon.url}/markets`)) as Listed[]).filter((m) => m.fair_source === 'nowcast').map((m) => m.market_id).sort();
    let firstDay: string[] = [];
    let nextDay: string[] = [];
    try {
      const catalog = await readMarketCatalog(dataDir);
      firstDay = catalog!.filter((m) => m.bucket?.judge_day === DAY).map((m) => m.spec.market_id).sort();
      expect(firstDay.length).toBeGreaterThan(0);
      // The first day's buckets resolve and retire; the next day's, listed meanwhile, are what is left.
      await vi.waitFor(async () => {
        const now = await bucketIds();
        expect(now.filter((id) => firstDay.includes(id))).toEqual([]);
        expect(now.length).toBe(firstDay.length);
        nextDay = now;
      }, 60_000);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }

    // Listed as dated markets of the next day's neg-risk event, announced on the bus, when due.
    const discovered = journalRecords(dataDir, 'control').filter((e) => e.type === 'MARKET_DISCOVERED');
    expect(discovered.map((e) => e.market_id).sort()).toEqual(nextDay);
    for (const e of discovered) {
      expect(e.payload.spec.fair_source).toMatchObject({ kind: 'nowcast', judge_day: NEXT_DAY });
      expect(e.payload.spec.event).toMatchObject({ event_id: `sim-weather:${station}:${NEXT_DAY}`, neg_risk: true });
      expect(e.payload.station_id).toBe(station);
      expect(e.ts_ingest).toBeGreaterThanOrEqual(MIDNIGHT_MS - LIST_AHEAD_MS);
      expect(e.ts_ingest).toBeLessThan(MIDNIGHT_MS - LIST_AHEAD_MS + SLACK_MS);
    }
    const catalog = (await readMarketCatalog(dataDir))!;
    const bucketOf = (id: string) => catalog.find((m) => m.spec.market_id === id)!;
    expect(nextDay.map((id) => bucketOf(id).bucket?.judge_day)).toEqual(nextDay.map(() => NEXT_DAY));

    // The day's high as the daemon's world feed read the station's METARs of that judge day.
    const observed = journalRecords(dataDir, 'world').filter((e) => e.type === 'METAR_OBS' && e.station_id === station && e.payload.judge_day === DAY);
    expect(observed.length).toBeGreaterThan(0);
    const highF = Math.max(...observed.map((e) => e.payload.temp_f_judge as number));
    const resolutions = journalRecords(dataDir, 'l2').filter((e) => e.type === 'MARKET_RESOLVED' && firstDay.includes(e.market_id));
    // Each of the first day's buckets resolved once, after the day ended and the configured delay.
    expect(resolutions.map((e) => e.market_id).sort()).toEqual(firstDay);
    let winners = 0;
    for (const r of resolutions) {
      const m = bucketOf(r.market_id);
      const { lo_f: lo, hi_f: hi } = m.bucket!;
      const holds = (lo === null || highF >= lo) && (hi === null || highF <= hi);
      expect(r.payload.winning_token_id, `${r.market_id} [${lo}, ${hi}] at ${highF} °F`).toBe(holds ? m.spec.yes_token : m.spec.no_token);
      if (holds) winners++;
      expect(r.ts_source).toBeGreaterThanOrEqual(MIDNIGHT_MS + RESOLVE_AFTER_MS);
      expect(r.ts_source).toBeLessThan(MIDNIGHT_MS + RESOLVE_AFTER_MS + SLACK_MS);
    }
    // The buckets are listed around the likely maximum (seed 42): the winning bucket is among them.
    expect(winners).toBe(1);
    // Each went RESOLVED on it; the nowcast stopped pricing the day once it resolved and priced the next.
    const resolvedStates = journalRecords(dataDir, 'risk').filter((e) => e.type === 'MARKET_STATE' && e.payload.state === 'RESOLVED');
    expect(firstDay.every((id) => resolvedStates.some((e) => e.market_id === id))).toBe(true);
    const nowcasts = journalRecords(dataDir, 'nowcast').filter((e) => e.type === 'NOWCAST' && e.station_id === station);
    const lastResolution = Math.max(...resolutions.map((e) => e.ts_ingest as number));
    // A nowcast round after the resolution priced the next day and not the resolved one.
    expect(nowcasts.some((e) => e.payload.judge_day === NEXT_DAY && e.ts_ingest > lastResolution)).toBe(true);
    expect(nowcasts.filter((e) => e.payload.judge_day === DAY && e.ts_ingest > lastResolution)).toEqual([]);
  });
});
