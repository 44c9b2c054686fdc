import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordSimulatedDay, type SimulatedRecording } from '../../src/sim/day/simulated-recording.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosConfig } from '../../src/config/schema.ts';

/** 12:00 EDT on a summer day: matches start within the first minutes, METARs every hour at :51. */
export const FROM = Date.UTC(2025, 6, 15, 16, 0, 0);

/** The shipped defaults, with a smaller nowcast fit (the model is fitted on simulated history at start). */
export function testConfig(overrides: Record<string, unknown> = {}): HeliosConfig {
  return loadConfig({ env: {}, overrides: { 'weather.nowcast.simulated_fit_days': 30, ...overrides } }).config;
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A simulated live session recorded into `dir` (journal + catalog), its live decisions in `dir/live.ndjson`. */
export async function recordSession(dir: string, minutes: number, config = testConfig()): Promise<SimulatedRecording & { to: number; liveDecisions: string }> {
  const to = FROM + minutes * 60_000;
  const liveDecisions = path.join(dir, 'live.ndjson');
  const rec = await recordSimulatedDay({ config, dataDir: dir, from: FROM, to, decisionsOut: liveDecisions, venueEventsPerS: 5 });
  return { ...rec, to, liveDecisions };
}
