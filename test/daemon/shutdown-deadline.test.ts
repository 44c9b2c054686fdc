import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { journalFile, utcDateHour } from '../../src/adapters/storage/layout.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { runDaemon } from '../../src/cli/commands/run.ts';
import { captureIo } from '../support/cli.ts';

/**
 * daemon.shutdown_timeout_ms is the bound an operator (a service manager) is promised. A step that
 * has not finished when it passes is left running: the daemon says so, exits 3, and stops its
 * simulated world, which would otherwise go on producing (and holding the process open) for a
 * daemon that has given up on stopping it.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The L2 journal files of this hour and the next as FIFOs nobody reads: the journal's writes block once the pipe is full. */
function wedgeTheL2Journal(dataDir: string): string[] {
  return [Date.now(), Date.now() + 3_600_000].map((t) => {
    const { date, hour } = utcDateHour(t);
    const file = journalFile(dataDir, date, 'l2', hour);
    mkdirSync(path.dirname(file), { recursive: true });
    execFileSync('mkfifo', [file]);
    return file;
  });
}

/** A data directory whose L2 journal is wedged; its FIFOs are drained when the file's tests end. */
function wedgedDataDir(): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-shutdown-deadline-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const fifos = wedgeTheL2Journal(dataDir);
  // Read what the abandoned flush still writes, so it (and the rest of the abandoned shutdown) can end.
  cleanups.push(() => {
    for (const f of fifos) createReadStream(f).resume().on('error', () => undefined);
  });
  return dataDir;
}

describe('Daemon.stop past daemon.shutdown_timeout_ms', () => {
  it('helios run: exit 3 and the process told to end at once (the launcher does not wait out its grace for what the step holds open)', { timeout: 60_000 }, async () => {
    const dataDir = wedgedDataDir();
    const config = path.join(dataDir, 'deadline.yaml');
    writeFileSync(config, 'log:\n  level: silent\ndaemon:\n  shutdown_timeout_ms: 1000\nweather:\n  nowcast:\n    enabled: false\n');
    const io = captureIo();
    let abandoned = false;
    const code = await runDaemon({ config, dataDir, port: '0', speed: '1000', duration: '2' }, { ...io, abandon: () => (abandoned = true) });
    expect(code, io.stderr()).toBe(3);
    expect(abandoned).toBe(true);
  });

  it('a journal flush that never finishes: exit 3, the shutdown marked abandoned and the simulated clock stopped', { timeout: 60_000 }, async () => {
    const dataDir = wedgedDataDir();
    const config = loadConfig({ env: {}, overrides: { 'daemon.shutdown_timeout_ms': 1_000, 'weather.nowcast.enabled': false } }).config;
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 1_000, dataDir, inspect: false, apiPort: 0 });
    await daemon.start();
    // L2 lines come once books are synced (a loaded machine takes a while): without any, nothing
    // opens the FIFO and the flush has nothing to wedge on.
    await vi.waitFor(() => expect(daemon.summary().tokens_synced).toBeGreaterThan(0), { timeout: 30_000, interval: 20 });
    // Enough L2 lines to fill the pipe before the stop.
    const startedAt = daemon.clock.now();
    while (daemon.clock.now() - startedAt < 60_000) await new Promise((r) => setTimeout(r, 20));

    const code = await daemon.stop(0);
    expect(code).toBe(3);
    expect(daemon.shutdownAbandoned).toBe(true);
    const stoppedAt = daemon.clock.now();
    // At 1000x the paced clock would move a simulated minute in these 60 real ms.
    await new Promise((r) => setTimeout(r, 60));
    expect(daemon.clock.now()).toBe(stoppedAt);
  });
});
