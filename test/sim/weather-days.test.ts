import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { bucketContains } from '../../src/domain/replay/bucket-resolution.ts';
import { judgeFFromTenths } from '../../src/domain/weather/units.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { settledToken, simSettledHighF, simWeatherDay, simWeatherEventId } from '../../src/sim/weather-days.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';
import { simulatorOptions } from '../../src/sim/world/simulated-world.ts';

/** The embedded venue's judge days: what it lists at a start and later, and what a day settles on. */

const { config } = loadConfig({ env: {}, overrides: { 'daemon.sim.weather_list_ahead_ms': 12 * 3_600_000 } });
const station = config.weather.stations[0]!.id; // KLGA, America/New_York
const bucketsOf = (u: ReturnType<typeof buildSimUniverse>, day: string | null) =>
  u.markets.filter((m) => m.spec.fair_source.kind === 'nowcast' && (m.spec.fair_source.judge_day ?? null) === day);

describe('the simulated venue’s judge days', () => {
  it('a morning start lists the day of the start only; an afternoon start also the next day, listed at noon', () => {
    const morning = buildSimUniverse(config, [], Date.parse('2026-12-08T11:59:00-05:00'), { datedWeather: true });
    expect(morning.layouts.map((l) => l.judge_day)).toEqual(['2026-12-08']);
    expect(morning.markets.length).toBe(config.daemon.sim.markets);
    const today = bucketsOf(morning, '2026-12-08');
    expect(today.length).toBe(morning.weather!.buckets_per_day);
    for (const m of today) expect(m.spec.event?.event_id).toBe(simWeatherEventId(station, '2026-12-08'));

    const afternoon = buildSimUniverse(config, [], Date.parse('2026-12-08T12:00:00-05:00'), { datedWeather: true });
    expect(afternoon.layouts.map((l) => l.judge_day)).toEqual(['2026-12-08', '2026-12-09']);
    const tomorrow = bucketsOf(afternoon, '2026-12-09');
    expect(tomorrow.length).toBe(afternoon.weather!.buckets_per_day);
    expect(afternoon.markets.length).toBe(config.daemon.sim.markets + tomorrow.length);
    // The next day's markets are the day's own (ids, tokens, event), the same as it lists them later.
    expect(tomorrow.map((m) => m.spec)).toEqual(simWeatherDay(config, afternoon.weather!, '2026-12-09').markets.map((m) => m.spec));
    const ids = afternoon.markets.flatMap((m) => [m.spec.market_id, m.spec.yes_token, m.spec.no_token]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of tomorrow) expect(m.spec.event?.event_id).toBe(simWeatherEventId(station, '2026-12-09'));
  });

  it('undated (a venue hosted elsewhere): the start’s buckets only, following the clock', () => {
    const u = buildSimUniverse(config, [], Date.parse('2026-12-08T15:00:00-05:00'));
    expect(u.layouts.map((l) => l.judge_day)).toEqual([null]);
    expect(u.markets.length).toBe(config.daemon.sim.markets);
    expect(bucketsOf(u, null).every((m) => m.spec.event?.event_id === simWeatherEventId(station))).toBe(true);
  });

  it('lists each day around its own likely maximum, with ids that differ from day to day and not from run to run', () => {
    const listing = { station_id: station, buckets_per_day: 5 };
    const a = simWeatherDay(config, listing, '2026-07-15');
    const b = simWeatherDay(config, listing, '2026-07-16');
    expect(simWeatherDay(config, listing, '2026-07-15')).toEqual(a);
    expect(a.markets.map((m) => m.spec.market_id).filter((id) => b.markets.some((n) => n.spec.market_id === id))).toEqual([]);
    const world = new WorldSimulator(simulatorOptions(config.weather, config.app.seed, station));
    const likely = world.likelyMaxF(Date.parse('2026-07-15T12:00:00-04:00'));
    // The listed buckets straddle the likely maximum (a summer day, far from the December ladder).
    const listed = a.markets.map((m) => a.layout.buckets.find((bk) => m.spec.fair_source.kind === 'nowcast' && bk.label === m.spec.fair_source.bucket_label)!);
    expect(listed.some((bk) => bucketContains(bk, likely))).toBe(true);
  });

  it('a day settles on the largest judge temperature of its METARs: one listed bucket wins when it holds it', () => {
    const day = '2026-12-08';
    const highF = simSettledHighF(config, station, day);
    const world = new WorldSimulator(simulatorOptions(config.weather, config.app.seed, station));
    const reports = world.metarsBetween(Date.parse(`${day}T00:00:00-05:00`), Date.parse('2026-12-09T00:00:00-05:00')).map((m) => m.raw);
    expect(reports.length).toBeGreaterThan(20);
    // Read here from each report's T-group (tenths of °C), as Weather Underground converts it.
    const tGroups = reports.map((raw) => /RMK .*\bT([01])(\d{3})[01]\d{3}\b/.exec(raw)).filter((m) => m !== null);
    expect(tGroups.length).toBe(reports.length);
    expect(highF).toBe(Math.max(...tGroups.map((m) => judgeFFromTenths((m[1] === '1' ? -1 : 1) * Number(m[2])))));
    const u = buildSimUniverse(config, [], Date.parse(`${day}T08:00:00-05:00`), { datedWeather: true });
    const winners = bucketsOf(u, day).filter((m) => {
      const fs = m.spec.fair_source;
      const bucket = u.layouts[0]!.buckets.find((b) => fs.kind === 'nowcast' && b.label === fs.bucket_label)!;
      return settledToken(bucket, m.spec, highF!) === m.spec.yes_token;
    });
    expect(winners.length).toBeLessThanOrEqual(1);
  });
});
