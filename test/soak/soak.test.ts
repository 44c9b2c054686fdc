import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FAULT_CLASSES, parseFaultList } from '../../src/domain/soak/fault-classes.ts';
import { failedFigures, type SoakSummary } from '../../src/domain/soak/summary.ts';
import { SoakRun } from '../../src/apps/soak/soak-runner.ts';
import { RedisKiller } from '../../src/apps/soak/redis-process.ts';
import { freePort, waitForPort } from '../setup/global-redis.ts';

const bin = inject('redisBinary');
if (!bin) console.warn('\n*** SKIPPING the soak with redis_kill: redis-server is not installed ***\n');

/**
 * The CI soak: the real daemon as a child process for two minutes with every fault class on,
 * killed and restarted once, on a Redis Streams bus whose server is killed and restarted once.
 */
describe.skipIf(!bin)('helios soak (two minutes, every fault class, real redis-server)', () => {
  const dirs: string[] = [];
  let killer: RedisKiller | null = null;
  let passed = false;
  afterAll(async () => {
    await killer?.shutdown();
    // A failed soak keeps its journal and daemon logs for whoever investigates.
    if (passed) for (const d of dirs) rmSync(d, { recursive: true, force: true });
    else console.warn(`soak data kept in ${dirs.join(', ')}`);
  });

  it('recovers from every fault and keeps all seven safety figures at 0', { timeout: 420_000 }, async () => {
    const redisDir = mkdtempSync(path.join(tmpdir(), 'helios-soak-redis-'));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-soak-'));
    dirs.push(redisDir, dataDir);
    const port = await freePort();
    // Detached like a server the soak did not start: the soak kills it by pid and restarts it.
    spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore', detached: true }).unref();
    await waitForPort(port);
    const redisUrl = `redis://127.0.0.1:${port}`;
    killer = new RedisKiller(redisUrl);
    const lines: string[] = [];
    const summary: SoakSummary = await new SoakRun({ minutes: 2, seed: 42, faults: parseFaultList('all', true), redisUrl, dataDir, progress: (l) => lines.push(l) }).run();
    const report = JSON.stringify({ ...summary, progress: lines }, null, 1);

    expect(failedFigures(summary), report).toEqual([]);
    expect(summary.detail.harness_errors, report).toEqual([]);
    // Both kills happened and the daemon came back from its kill on the same data directory.
    expect(summary.faults.daemon_kill, report).toBe(1);
    expect(summary.faults.redis_kill, report).toBe(1);
    expect(summary.detail.daemon_processes).toBe(2);
    // The classes that come often enough in two minutes were all injected (the rare ones — REST
    // errors on a handful of resync requests, a 1008 on a subscribe, an esports conflict — are
    // counted, but a short soak may see none of them).
    for (const c of ['ws_disconnect', 'frame_drop', 'frame_duplicate', 'frame_reorder', 'frame_malformed', 'crossed_update'] as const) {
      expect(summary.faults[c], `${c}\n${report}`).toBeGreaterThan(0);
    }
    // The final checkpoint found every book synced and equal to the venue's: everything recovered.
    const checkpoints = summary.detail.checkpoints as Array<{ final: boolean; healthy: boolean }>;
    expect(checkpoints.at(-1), report).toMatchObject({ final: true, healthy: true });
    for (const c of FAULT_CLASSES) expect(summary.recoveries[c], `${c}\n${report}`).toBe(summary.faults[c]);
    // The referee and the audit really looked at something: orders were placed and judged.
    expect(summary.detail.orders as number, report).toBeGreaterThan(0);
    expect(summary.detail.journal_records as number).toBeGreaterThan(1000);
    expect(summary.detail.events_checked_against_journal as number).toBeGreaterThan(1000);
    expect(summary.detail.events_checked_against_redis as number).toBeGreaterThan(0);
    passed = true;
  });
});
