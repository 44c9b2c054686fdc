import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { journalRecords } from './support/daemon-io.ts';

/**
 * The embedded default shows a new user trading within half a simulated minute whatever the hour
 * of the stations' (New York) day. Started just after New York's midnight it used to trade nothing
 * for minutes: the nowcast has no observation of the new day yet, so every listed bucket's YES is
 * dearer than it (and a neg-risk bucket's NO enters nothing), and the first simulated match's
 * first map ended only five minutes in. The simulated clock is started at the chosen hour with
 * daemon.sim.start_at; the bound is on that clock, not on the wall.
 */

const SPEED = 4;
const WITHIN_MS = 30_000;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The virtual ms after the start of the first order and the first fill of an embedded default started at `startAt`. */
async function firstTradeAfterStart(startAt: string): Promise<{ order: number | null; fill: number | null }> {
  const config = loadConfig({ env: {}, overrides: { 'daemon.sim.start_at': startAt } }).config;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-any-hour-'));
  dirs.push(dataDir);
  const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
  const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: SPEED, dataDir, inspect: false, apiPort: 0 });
  const startMs = Date.parse(startAt);
  try {
    await daemon.start();
    expect(daemon.clock.now()).toBeGreaterThanOrEqual(startMs);
    await vi.waitFor(() => expect(daemon.clock.now()).toBeGreaterThan(startMs + WITHIN_MS), { timeout: 40_000, interval: 100 });
  } finally {
    await daemon.stop();
  }
  const first = (ch: string, type: string) => {
    const at = journalRecords(dataDir, ch).filter((e) => e.type === type).map((e) => e.ts_ingest as number);
    return at.length ? Math.min(...at) - startMs : null;
  };
  return { order: first('order', 'ORDER_UPDATE'), fill: first('fill', 'FILL') };
}

describe('the embedded default started at any hour of the New York day', () => {
  it.each([
    ['00:05, just after midnight (no observation of the new day yet)', '2026-12-07T00:05:00-05:00'],
    ['12:30, mid-day', '2026-12-07T12:30:00-05:00'],
  ])('%s: a paper order and a fill within 30 simulated seconds of the start', { timeout: 60_000 }, async (_, startAt) => {
    const first = await firstTradeAfterStart(startAt);
    expect(first.order, 'an order').not.toBeNull();
    expect(first.order!).toBeLessThanOrEqual(WITHIN_MS);
    expect(first.fill, 'a fill').not.toBeNull();
    expect(first.fill!).toBeLessThanOrEqual(WITHIN_MS);
  });

  it('daemon.sim.start_at is refused by a scale-out process, whose clock follows the shared timeline from now', async () => {
    const config = loadConfig({ env: {}, overrides: { 'daemon.sim.start_at': '2026-12-07T00:05:00-05:00', 'bus.kind': 'redis', 'bus.redis_url': 'redis://127.0.0.1:1' } }).config;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-any-hour-'));
    dirs.push(dataDir);
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 1, dataDir, inspect: false, apiPort: 0, role: 'feeds' });
    await expect(daemon.start()).rejects.toThrow(/role feeds: daemon\.sim\.start_at applies to a single process/);
  });
});
