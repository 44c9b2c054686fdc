import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../../src/adapters/clock/virtual-clock.ts';
import { JournalRecorder, type JournalOptions, type JournalRecorderDeps } from '../../../src/adapters/storage/journal/recorder.ts';
import { ulidGenerator } from '../../../src/domain/events/ids.ts';
import type { WindowRules } from '../../../src/domain/storage/windows.ts';
import { seededRng } from '../../../src/domain/util/random.ts';
import { T0 } from './synthetic.ts';

export const JOURNAL_DEFAULTS: JournalOptions = {
  flush_interval_ms: 100,
  flush_max_bytes: 1 << 20,
  fsync: 'none',
  fsync_interval_ms: 1000,
  max_pending_events: 1_000_000,
  max_open_files: 64,
  exclude_channels: [],
};

export const WINDOW_DEFAULTS: WindowRules = {
  metar_ms: 120_000,
  qc_outlier_ms: 120_000,
  shock_ticks: 3,
  shock_lookback_ms: 1_000,
  shock_ms: 60_000,
  spread_locked_max_ticks: 0,
  spread_wide_min_ticks: 5,
  spread_regime_ms: 60_000,
  depth_levels: 10,
  depth_min_size: 50,
  depth_drop_fraction: 0.5,
  depth_cliff_ms: 60_000,
  default_tick_size: 0.01,
};

export function tempDataDir(prefix = 'helios-storage-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A recorder on a virtual clock (its timers only fire when the test advances time). */
export function makeRecorder(dataDir: string, overrides: Omit<Partial<JournalRecorderDeps>, 'journal'> & { journal?: Partial<JournalOptions> } = {}) {
  const clock = (overrides.clock as VirtualClock | undefined) ?? new VirtualClock(T0);
  const recorder = new JournalRecorder({
    dataDir,
    windows: WINDOW_DEFAULTS,
    ids: ulidGenerator(seededRng(99)),
    ...overrides,
    clock,
    journal: { ...JOURNAL_DEFAULTS, ...overrides.journal },
  });
  return { recorder, clock };
}
