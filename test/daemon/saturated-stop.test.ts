import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';

/**
 * `helios run --speed 100000` never stopped: every 10 ms the paced clock fired all the simulated
 * work due since the last advance, in one go, so the advances grew until --duration, SIGTERM and the
 * shutdown deadline never got a turn. Here simulated work that costs a real millisecond per simulated
 * one saturates the loop the same way, deterministically.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Simulated work: `count` timers a simulated ms apart, each busy for a real ms. */
function saturate(daemon: Daemon, count: number, onFirst: () => void): { fired: number } {
  const state = { fired: 0 };
  const fire = () => {
    if (state.fired++ === 0) onFirst();
    const until = performance.now() + 1;
    while (performance.now() < until) {
      // busy: the cost of the simulated work behind this timer
    }
    if (state.fired < count) daemon.clock.setTimeout(fire, 1);
  };
  daemon.clock.setTimeout(fire, 1);
  return state;
}

describe('a daemon whose simulated work outruns real time', () => {
  it('stops when asked: the stop gets its turn while the simulated work is still going, and exits 0', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-saturated-stop-'));
    dirs.push(dataDir);
    const config = loadConfig({ env: {}, overrides: { 'weather.nowcast.enabled': false } }).config;
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 1_000, dataDir, inspect: false, apiPort: 0 });
    await daemon.start();

    const TIMERS = 3_000;
    let firedWhenStopRan = -1;
    let stopped: Promise<number> | null = null;
    // A stop requested at the first firing, as a signal or --duration is: by a real timer.
    const work = saturate(daemon, TIMERS, () =>
      setTimeout(() => {
        firedWhenStopRan = work.fired;
        stopped = daemon.stop(0);
      }, 0),
    );
    while (stopped === null) await new Promise((r) => setTimeout(r, 5));

    expect(firedWhenStopRan).toBeGreaterThan(0);
    // Before the fix every one of them fired (3 real seconds) before anything else ran.
    expect(firedWhenStopRan).toBeLessThan(TIMERS);
    expect(await stopped).toBe(0);
  });
});
