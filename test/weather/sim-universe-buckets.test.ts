import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { buildSimUniverse } from '../../src/sim/sim-universe.ts';
import { simulatorOptions } from '../../src/sim/world/simulated-world.ts';
import { WorldSimulator } from '../../src/sim/world/world-sim.ts';

/** The listed bucket labels of the embedded default's temperature markets. */
function listedBuckets(startMs: number): { labels: string[]; likelyMaxF: number; layout: Array<{ label: string; lo_f: number | null; hi_f: number | null }> } {
  const { config } = loadConfig({ env: {} });
  const universe = buildSimUniverse(config, [], startMs);
  const station = config.weather.stations[0]!;
  const labels = universe.markets.flatMap((m) => (m.spec.fair_source.kind === 'nowcast' ? [m.spec.fair_source.bucket_label] : []));
  const likelyMaxF = new WorldSimulator(simulatorOptions(config.weather, config.app.seed, station.id)).likelyMaxF(startMs);
  return { labels, likelyMaxF, layout: universe.layouts.find((l) => l.station_id === station.id)!.buckets };
}

describe('the embedded default lists its temperature buckets around the simulated day', () => {
  // 06:00 in New York (the default station's zone) on days across the year.
  const starts = ['2026-01-15T11:00:00Z', '2026-04-15T10:00:00Z', '2026-07-15T10:00:00Z', '2026-10-15T10:00:00Z', '2026-12-06T11:00:00Z'].map((iso) => Date.parse(iso));

  it('a listed market is the bucket of the day’s likely maximum, in every season', () => {
    for (const start of starts) {
      const { labels, likelyMaxF, layout } = listedBuckets(start);
      expect(labels.length).toBeGreaterThan(2);
      const home = layout.find((b) => (b.lo_f === null || likelyMaxF >= b.lo_f) && (b.hi_f === null || likelyMaxF <= b.hi_f))!;
      expect(labels, `${new Date(start).toISOString()}: likely max ${likelyMaxF}°F`).toContain(home.label);
      // Neither open-ended bucket is listed: every listed bucket can still win or lose.
      expect(labels).not.toContain(layout[0]!.label);
      expect(labels).not.toContain(layout[layout.length - 1]!.label);
    }
  });

  it('the simulated crowd prices the listed buckets as one event, the likely one highest', () => {
    const { config } = loadConfig({ env: {} });
    for (const start of starts) {
      const universe = buildSimUniverse(config, [], start);
      const { likelyMaxF, layout } = listedBuckets(start);
      const weather = universe.markets.filter((m) => m.spec.fair_source.kind === 'nowcast');
      const prices = weather.map((m) => m.venue.fair);
      const sum = prices.reduce((a, b) => a + b, 0);
      // The listed buckets span ten degrees around the likely maximum: most, not all, of the belief.
      expect(sum).toBeGreaterThan(0.6);
      expect(sum).toBeLessThan(1.05);
      const home = layout.find((b) => (b.lo_f === null || likelyMaxF >= b.lo_f) && (b.hi_f === null || likelyMaxF <= b.hi_f))!;
      const homeMarket = weather.find((m) => m.spec.fair_source.kind === 'nowcast' && m.spec.fair_source.bucket_label === home.label)!;
      expect(homeMarket.venue.fair).toBe(Math.max(...prices));
    }
  });

  it('any start within the station’s local day lists the same buckets (a restarted daemon relabels nothing)', () => {
    // 00:10, 06:00, 14:00 and 23:50 in New York on 2026-12-06 (UTC−5).
    const day = ['2026-12-06T05:10:00Z', '2026-12-06T11:00:00Z', '2026-12-06T19:00:00Z', '2026-12-07T04:50:00Z'].map((iso) => listedBuckets(Date.parse(iso)).labels);
    for (const labels of day) expect(labels).toEqual(day[0]);
  });

  it('the ladder follows the season (a fixed one sat above every winter day)', () => {
    const winter = listedBuckets(starts[0]!);
    const summer = listedBuckets(starts[2]!);
    expect(summer.likelyMaxF - winter.likelyMaxF).toBeGreaterThan(20);
    expect(winter.labels.some((l) => summer.labels.includes(l))).toBe(false);
  });
});
