import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBacktest } from '../src/apps/replay/backtest.ts';
import { runReplay } from '../src/apps/replay/replay-run.ts';
import { recordSimulatedDay } from '../src/sim/day/simulated-recording.ts';
import { loadConfig } from '../src/config/load.ts';
import { round } from './support/stats.ts';
import type { Benchmark } from './types.ts';

const FROM = Date.UTC(2025, 6, 15, 17, 0, 0);
const MINUTES = 30;
/** Days with no input appended to the range: what a --to past the data, or a gap in recording, costs. */
const EMPTY_DAYS = 1;
const DAY_MS = 86_400_000;

/** CPU seconds (user + system) `run` takes. */
async function cpuSeconds<T>(run: () => Promise<T>): Promise<{ result: T; cpu_s: number }> {
  const start = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(start);
  return { result, cpu_s: (used.user + used.system) / 1e6 };
}

/**
 * Replay with the decision pipeline as a multiple of real time, beside the reference in the same
 * run: the same journal replayed with no consumer. Also how fast a simulated session is generated
 * (recorded live run on the virtual clock) and what a backtest (three pipelines) costs.
 */
export const replayBenchmark: Benchmark = {
  title: 'decision pipeline speed vs bare replay (× real time), simulated recording, backtest',
  async run(ctx) {
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-bench-replay-'));
    try {
      const { config } = loadConfig({ env: {}, overrides: { 'weather.nowcast.simulated_fit_days': 60 } });
      const to = FROM + MINUTES * 60_000;
      const span = to - FROM;
      let t = performance.now();
      const rec = await recordSimulatedDay({ config, dataDir: dir, from: FROM, to, venueEventsPerS: 5 });
      const recordMs = performance.now() - t;
      ctx.log(`recorded ${rec.recorder.written.toLocaleString()} events (${MINUTES} simulated minutes, 4 markets) in ${round(recordMs / 1000, 1)} s: ${round(span / recordMs, 0)}× real time`);

      const bare = await runReplay({ config, dataDir: dir, from: FROM, to, source: 'journal', sink: { emit() {} } });
      const { result: withDecisions, cpu_s: rangeCpu } = await cpuSeconds(() => runReplay({ config, dataDir: dir, from: FROM, to, source: 'journal', decisions: {} }));
      const { cpu_s: extendedCpu } = await cpuSeconds(() => runReplay({ config, dataDir: dir, from: FROM, to: to + EMPTY_DAYS * DAY_MS, source: 'journal', decisions: {} }));
      const emptyDayCpu = (extendedCpu - rangeCpu) / EMPTY_DAYS;
      t = performance.now();
      await runBacktest({ config, dataDir: dir, from: FROM, to, source: 'journal' });
      const backtestMs = performance.now() - t;
      const x = (wall: number) => span / wall;
      ctx.log(`replay of the journal at max speed          events     wall s   × real time`);
      ctx.log(`  bare (no consumer)                     ${String(bare.replay.emitted).padStart(8)}   ${round(bare.replay.wall_ms / 1000, 2).toString().padStart(6)}   ${Math.round(x(bare.replay.wall_ms)).toString().padStart(8)}×`);
      ctx.log(`  with the decision pipeline             ${String(withDecisions.replay.emitted).padStart(8)}   ${round(withDecisions.replay.wall_ms / 1000, 2).toString().padStart(6)}   ${Math.round(x(withDecisions.replay.wall_ms)).toString().padStart(8)}×`);
      ctx.log(`  backtest (3 pipelines: QC as recorded/open/closed)  ${round(backtestMs / 1000, 2).toString().padStart(6)}   ${Math.round(x(backtestMs)).toString().padStart(8)}×`);
      ctx.log(`→ the pipeline runs at ${round(bare.replay.wall_ms / withDecisions.replay.wall_ms, 2)}× of bare replay speed`);
      ctx.log(`a day without input costs the pipeline ${round(emptyDayCpu, 2)} s of CPU (range ${round(rangeCpu, 2)} s, with ${EMPTY_DAYS} empty day(s) appended ${round(extendedCpu, 2)} s)`);
      return {
        simulated_minutes: MINUTES,
        events: bare.replay.emitted,
        record_x_real_time: round(span / recordMs, 1),
        bare_replay_x_real_time: round(x(bare.replay.wall_ms), 1),
        decision_replay_x_real_time: round(x(withDecisions.replay.wall_ms), 1),
        backtest_x_real_time: round(x(backtestMs), 1),
        pipeline_vs_bare_speed: round(bare.replay.wall_ms / withDecisions.replay.wall_ms, 3),
        decision_events_per_s: Math.round(withDecisions.replay.emitted / (withDecisions.replay.wall_ms / 1000)),
        empty_day_cpu_s: round(emptyDayCpu, 2),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
