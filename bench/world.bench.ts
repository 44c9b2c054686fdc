import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMetar } from 'metar-taf-parser';
import { NowcastStations, type NowcastStationSpec } from '../src/actors/nowcast-engine.ts';
import { NowcastWorker } from '../src/actors/nowcast-worker.ts';
import { parseMetarText } from '../src/adapters/weather/metar-parser.ts';
import { fitSimulatedModel } from '../src/sim/world/sim-model.ts';
import { WorldSimulator, type WorldSimOptions } from '../src/sim/world/world-sim.ts';
import type { NowcastResult } from '../src/actors/nowcast-engine.ts';
import type { Benchmark } from './types.ts';

/**
 * World tape: METAR reports parsed per second by helios (metar-taf-parser for the body plus the
 * strict remark extractor, checks and normalization) beside metar-taf-parser alone on the same
 * reports in the same run; and the nowcast recompute for 50 stations × 11 buckets, in this thread
 * and as a round trip through the worker thread.
 */
const ARCHIVE = fileURLToPath(new URL('../../shared/fixtures/weather/iem_asos_KJFK_2019-11_2020-09.csv', import.meta.url));
const ROUNDS = 5;
const STATIONS = 50;
const RECOMPUTE_ROUNDS = 40;

function loadReports(): { source: string; reports: Array<{ raw: string; refMs: number }> } {
  if (existsSync(ARCHIVE)) {
    const lines = readFileSync(ARCHIVE, 'utf8').split('\n').slice(1).filter(Boolean);
    return {
      source: 'IEM KJFK archive (shared fixture)',
      reports: lines.map((l) => {
        const c = l.split(',');
        return { raw: c[28]!, refMs: Date.parse(c[1]!.replace(' ', 'T') + ':00Z') };
      }),
    };
  }
  const sim = new WorldSimulator(simOptions(1));
  const from = Date.UTC(2025, 0, 1);
  return { source: 'world simulator (shared fixture absent)', reports: sim.metarsBetween(from, from + 340 * 86_400_000).map((m) => ({ raw: m.raw, refMs: m.obsMs })) };
}

function simOptions(seed: number, station = 'KLGA'): WorldSimOptions {
  return { seed, station, tz: 'America/New_York', pwsIds: [], speciPerHour: 0.08, outlierShare: 0, stuckShare: 0, staleShare: 0, pwsIntervalMs: 300_000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export const worldBenchmark: Benchmark = {
  title: 'world tape: METAR parse (helios vs metar-taf-parser alone) and nowcast recompute (50 stations × 11 buckets)',
  async run(ctx) {
    const { source, reports } = loadReports();
    ctx.log(`${reports.length} reports from ${source}`);
    let sink = 0;
    const libraryOnly = (): number => {
      const t0 = performance.now();
      for (const r of reports) sink += parseMetar(r.raw).remarks.length;
      return performance.now() - t0;
    };
    const helios = (): number => {
      const t0 = performance.now();
      for (const r of reports) {
        const out = parseMetarText(r.raw, { refMs: r.refMs, routineMinute: 51 });
        if (out.ok) sink += out.report.flags.length;
      }
      return performance.now() - t0;
    };
    libraryOnly();
    helios();
    const lib: number[] = [];
    const hel: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      lib.push(libraryOnly());
      hel.push(helios());
    }
    const libRate = reports.length / (median(lib) / 1000);
    const helRate = reports.length / (median(hel) / 1000);
    ctx.log(`parse: metar-taf-parser alone ${libRate.toFixed(0)} reports/s, helios ${helRate.toFixed(0)} reports/s (ratio ${(helRate / libRate).toFixed(3)})`);

    // Nowcast: one model fitted on simulated history, shared by 50 stations with their own weather.
    const t0 = Date.UTC(2025, 6, 10, 15, 20);
    const fitStarted = performance.now();
    const model = fitSimulatedModel({ sim: simOptions(7), fromMs: t0 - 120 * 86_400_000, toMs: t0 - 2 * 86_400_000, judgeDay: 'local' });
    const fitMs = performance.now() - fitStarted;
    const specs: NowcastStationSpec[] = Array.from({ length: STATIONS }, (_, i) => ({ id: `ST${String(i).padStart(2, '0')}`, tz: 'America/New_York', judgeDay: 'local', model }));
    const stations = new NowcastStations(specs, 5_400_000, () => performance.now());
    const feeds = specs.map((s, i) => {
      const sim = new WorldSimulator(simOptions(100 + i, s.id));
      const reps: ReturnType<typeof parseMetarText>[] = sim.metarsBetween(t0 - 2 * 86_400_000, t0).map((m) => parseMetarText(m.raw, { refMs: m.obsMs }));
      return reps.flatMap((r) => (r.ok ? [r.report] : []));
    });
    specs.forEach((s, i) => feeds[i]!.forEach((r) => stations.addReport(s.id, r)));
    const buckets = null;
    const inline: number[] = [];
    let bucketCount = 0;
    for (let round = 0; round < RECOMPUTE_ROUNDS; round++) {
      const started = performance.now();
      for (const s of specs) {
        const r = stations.recompute(s.id, { requestId: round, atMs: t0 + round * 60_000, buckets, qcState: 'ok' });
        bucketCount = r.outcome?.payload.buckets.length ?? 0;
        sink += r.outcome?.payload.confidence ?? 0;
      }
      inline.push(performance.now() - started);
    }
    const inlineMed = median(inline.slice(5));
    ctx.log(`nowcast (model fitted on ${model.fitted.days} simulated days in ${fitMs.toFixed(0)} ms): ${STATIONS} stations × ${bucketCount} buckets recomputed in ${inlineMed.toFixed(2)} ms (p95 ${quantile(inline.slice(5), 0.95).toFixed(2)} ms), ${((inlineMed / STATIONS) * 1000).toFixed(0)} µs per station`);

    const worker = await NowcastWorker.start(specs, 5_400_000);
    specs.forEach((s, i) => feeds[i]!.forEach((r) => worker.addReport(s.id, r)));
    const roundTrips: number[] = [];
    let resolveRound: (() => void) | null = null;
    let pending = 0;
    worker.onResult((r: NowcastResult) => {
      sink += r.computeMs;
      if (--pending === 0) resolveRound?.();
    });
    for (let round = 0; round < RECOMPUTE_ROUNDS; round++) {
      const started = performance.now();
      pending = STATIONS;
      const done = new Promise<void>((res) => (resolveRound = res));
      for (const s of specs) worker.recompute(s.id, { requestId: round, atMs: t0 + round * 60_000, buckets, qcState: 'ok' });
      await done;
      roundTrips.push(performance.now() - started);
    }
    await worker.stop();
    const workerMed = median(roundTrips.slice(5));
    ctx.log(`nowcast via worker thread: ${STATIONS} stations round trip ${workerMed.toFixed(2)} ms (p95 ${quantile(roundTrips.slice(5), 0.95).toFixed(2)} ms)`);
    if (sink === -1) ctx.log('');
    return {
      reports: reports.length,
      report_source: source,
      parse_reports_per_s_helios: Math.round(helRate),
      parse_reports_per_s_metar_taf_parser: Math.round(libRate),
      parse_ratio_helios_to_library: Math.round((helRate / libRate) * 1000) / 1000,
      nowcast_stations: STATIONS,
      nowcast_buckets: bucketCount,
      nowcast_recompute_ms_inline_p50: Math.round(inlineMed * 100) / 100,
      nowcast_recompute_ms_inline_p95: Math.round(quantile(inline.slice(5), 0.95) * 100) / 100,
      nowcast_recompute_ms_worker_roundtrip_p50: Math.round(workerMed * 100) / 100,
      nowcast_recompute_ms_worker_roundtrip_p95: Math.round(quantile(roundTrips.slice(5), 0.95) * 100) / 100,
      nowcast_model_fit_ms: Math.round(fitMs),
    };
  },
};
