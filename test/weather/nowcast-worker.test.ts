import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InlineNowcastEngine, type NowcastResult, type NowcastStationSpec } from '../../src/actors/nowcast-engine.ts';
import { NowcastWorker } from '../../src/actors/nowcast-worker.ts';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { fitSimulatedModel } from '../../src/sim/world/sim-model.ts';
import { WorldSimulator, type WorldSimOptions } from '../../src/sim/world/world-sim.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { isoDateAt, parseIsoDate } from '../../src/domain/time/civil.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { DailyHigh } from '../../src/domain/weather/nowcast/daily-record.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { fitClimatePrior } from '../../src/domain/weather/nowcast/prior.ts';

const TZ = 'America/New_York';
const T = Date.UTC(2025, 6, 4, 17, 30);
const DAY = 86_400_000;
const sim: WorldSimOptions = { seed: 3, station: 'KLGA', tz: TZ, pwsIds: [], speciPerHour: 0.08, outlierShare: 0, stuckShare: 0, staleShare: 0, pwsIntervalMs: 300_000 };
const buckets = [
  { label: '79°F or below', lo_f: null, hi_f: 79 },
  ...Array.from({ length: 9 }, (_, i) => ({ label: `${80 + 2 * i}-${81 + 2 * i}°F`, lo_f: 80 + 2 * i, hi_f: 81 + 2 * i })),
  { label: '98°F or higher', lo_f: 98, hi_f: null },
];

let specs: NowcastStationSpec[];
let reports: MetarReport[];
let worker: NowcastWorker;

beforeAll(async () => {
  const model = fitSimulatedModel({ sim, fromMs: T - 60 * DAY, toMs: T - 2 * DAY, judgeDay: 'local' });
  specs = [{ id: 'KLGA', tz: TZ, judgeDay: 'local', model }];
  reports = new WorldSimulator(sim)
    .metarsBetween(T - 2 * DAY, T)
    .map((m) => parseMetarText(m.raw, { refMs: m.obsMs }))
    .flatMap((r) => (r.ok ? [r.report] : []));
  worker = await NowcastWorker.start(specs, 5_400_000);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
});

describe('nowcast worker thread', () => {
  it('answers recomputes in order with the same forecast as the in-thread engine', async () => {
    const inline = new InlineNowcastEngine(specs, 5_400_000, () => 0);
    const expected: NowcastResult[] = [];
    inline.onResult((r) => expected.push(r));
    const got: NowcastResult[] = [];
    const done = new Promise<void>((resolve) =>
      worker.onResult((r) => {
        got.push(r);
        if (got.length === 3) resolve();
      }),
    );
    for (const r of reports) {
      worker.addReport('KLGA', r);
      inline.addReport('KLGA', r);
    }
    for (const [i, at] of [T - 3_600_000, T - 60_000, T].entries()) {
      const req = { requestId: i + 1, atMs: at, buckets, qcState: 'ok' as const };
      worker.recompute('KLGA', req);
      inline.recompute('KLGA', req);
    }
    await done;
    expect(got.map((r) => r.requestId)).toEqual([1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      expect(got[i]!.error).toBeUndefined();
      expect(got[i]!.outcome).toEqual(expected[i]!.outcome);
    }
    expect(got[2]!.outcome!.payload.buckets.map((b) => b.label)).toEqual(buckets.map((b) => b.label));
    expect(got[2]!.outcome!.payload.qc_gate).toBe('open');
  });

  it('reports an unknown station as an error result instead of dying', async () => {
    const r = await new Promise<NowcastResult>((resolve) => {
      worker.onResult((x) => x.stationId === 'KXXX' && resolve(x));
      worker.recompute('KXXX', { requestId: 9, atMs: T, buckets: null, qcState: 'ok' });
    });
    expect(r.outcome).toBeNull();
    expect(r.error).toMatch(/no nowcast model/);
  });

  it('abandons a start still loading when its signal aborts (the daemon stopping): no wait for the models, no worker left', async () => {
    const stopping = new AbortController();
    const starting = NowcastWorker.start(specs, 5_400_000, stopping.signal);
    const workers = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const before = workers();
    stopping.abort();
    await expect(starting).rejects.toThrow(/nowcast worker start abandoned: stopping/);
    // The abandoned worker is terminated: only the shared worker of this file holds a port.
    await vi.waitFor(() => expect(workers()).toBeLessThan(before));
    await expect(NowcastWorker.start(specs, 5_400_000, stopping.signal)).rejects.toThrow(/abandoned/);
  });
});

describe('nowcast worker thread with a station prior', () => {
  it('gives the prior\'s start-of-day forecast before any report (gate closed) and mixes it in afterwards, as the in-thread engine does', async () => {
    const base = specs[0]!.model as NowcastModel;
    const highs: DailyHigh[] = [];
    const start = parseIsoDate('2015-01-01')!;
    for (let i = 0; i < 6 * 365; i++) {
      const day = isoDateAt((start + i) * DAY);
      const season = Math.cos((2 * Math.PI * (JudgeCalendar.dayOfYear(day) - 205)) / 365.25);
      highs.push({ day, dayIndex: start + i, maxF: Math.round(60 + 25 * season + ((i * 7919) % 13) - 6), peakHour: 14 + ((i * 31) % 5) - 2 });
    }
    const prior = fitClimatePrior(highs, { station: 'KPRI', source: 'daily_record', seasonDays: [30], smoothings: [1] });
    const withPrior: NowcastStationSpec[] = [{ id: 'KPRI', tz: TZ, judgeDay: 'local', model: { ...base, station: 'KPRI', prior, prior_weights: Array.from({ length: 24 }, (_, h) => Math.max(0, 0.5 - h / 24)) } }];
    const w = await NowcastWorker.start(withPrior, 5_400_000);
    try {
      const inline = new InlineNowcastEngine(withPrior, 5_400_000, () => 0);
      const expected: NowcastResult[] = [];
      inline.onResult((r) => expected.push(r));
      const got: NowcastResult[] = [];
      const done = new Promise<void>((resolve) =>
        w.onResult((r) => {
          got.push(r);
          if (got.length === 2) resolve();
        }),
      );
      const first = { requestId: 1, atMs: T - 3 * DAY, buckets, qcState: 'ok' as const };
      w.recompute('KPRI', first);
      inline.recompute('KPRI', first);
      for (const r of reports) {
        w.addReport('KPRI', r);
        inline.addReport('KPRI', r);
      }
      const later = { requestId: 2, atMs: T, buckets, qcState: 'ok' as const };
      w.recompute('KPRI', later);
      inline.recompute('KPRI', later);
      await done;
      expect(got.map((r) => r.error)).toEqual([undefined, undefined]);
      expect(got[0]!.outcome).not.toBeNull();
      expect(got[0]!.outcome!.payload.qc_gate).toBe('closed');
      expect(got[0]!.outcome!.payload.qc_reason).toBe('no temperature yet');
      expect(got[0]!.outcome!.payload.confidence).toBe(0);
      expect(got.map((r) => r.outcome)).toEqual(expected.map((r) => r.outcome));
      // Mid-July prior (≈ 85 °F) puts its mass across the default buckets; the day's own reports then dominate.
      const p0 = got[0]!.outcome!.payload;
      expect(p0.distribution.length).toBeGreaterThan(10);
      expect(got[1]!.outcome!.payload.qc_gate).toBe('open');
    } finally {
      await w.stop();
    }
  }, 120_000);
});
