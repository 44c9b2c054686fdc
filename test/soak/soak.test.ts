import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseFaultList } from '../../src/domain/soak/fault-classes.ts';
import { soakFailures, type SoakSummary } from '../../src/domain/soak/summary.ts';
import { SoakRun } from '../../src/apps/soak/soak-runner.ts';

const bin = inject('redisBinary');
if (!bin) console.warn('\n*** SKIPPING the soak with redis_kill: redis-server is not installed ***\n');

/**
 * The CI soak: the real daemon as a child process for two minutes with every fault class on,
 * killed and restarted once, on a Redis Streams bus whose server — one the soak started itself —
 * is killed and restarted once. It passes only if every class was injected at least once and
 * every injected fault was recovered from.
 */
describe.skipIf(!bin)('helios soak (two minutes, every fault class, its own redis-server)', () => {
  const dirs: string[] = [];
  let passed = false;
  afterAll(() => {
    // A failed soak keeps its journal and daemon logs for whoever investigates.
    if (passed) for (const d of dirs) rmSync(d, { recursive: true, force: true });
    else console.warn(`soak data kept in ${dirs.join(', ')}`);
  });

  it('injects every fault class, recovers from each, and keeps all nine safety figures at 0', { timeout: 420_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-soak-'));
    dirs.push(dataDir);
    const lines: string[] = [];
    // Every class of a paper soak (the CLOB classes need --execution real: soak-real.test.ts).
    const faults = parseFaultList('all', true);
    const summary: SoakSummary = await new SoakRun({ minutes: 2, seed: 42, faults, ownRedis: { binary: bin }, dataDir, progress: (l) => lines.push(l) }).run();
    const report = JSON.stringify({ ...summary, progress: lines }, null, 1);

    expect(soakFailures(summary), report).toEqual([]);
    expect(summary.detail.harness_errors, report).toEqual([]);
    // The folder it leaves is named; the Redis it killed was its own child, started and stopped here.
    expect(summary.detail.data_dir).toBe(dataDir);
    expect(summary.detail.bus).toBe('redis (started by the soak)');
    expect(lines.some((l) => /started redis-server \(pid \d+\) at redis:\/\/127\.0\.0\.1:\d+/.test(l)), report).toBe(true);
    // Both kills happened and the daemon came back from its kill on the same data directory.
    expect(summary.faults.daemon_kill, report).toBe(1);
    expect(summary.faults.redis_kill, report).toBe(1);
    expect(summary.detail.daemon_processes).toBe(2);
    // Every class fired at least once: a recovery count equal to a fault count of 0 proves nothing.
    expect(summary.not_injected, report).toEqual([]);
    for (const c of faults) expect(summary.faults[c], `${c}\n${report}`).toBeGreaterThan(0);
    // The final checkpoint found every book synced and equal to the venue's: everything recovered.
    const checkpoints = summary.detail.checkpoints as Array<{ final: boolean; healthy: boolean }>;
    expect(checkpoints.at(-1), report).toMatchObject({ final: true, healthy: true });
    for (const c of faults) expect(summary.recoveries[c], `${c}\n${report}`).toBe(summary.faults[c]);
    // The referee and the audit really looked at something: orders were placed and judged.
    expect(summary.detail.orders as number, report).toBeGreaterThan(0);
    expect(summary.detail.journal_records as number).toBeGreaterThan(1000);
    expect(summary.detail.events_checked_against_journal as number).toBeGreaterThan(1000);
    expect(summary.detail.events_checked_against_redis as number).toBeGreaterThan(0);
    passed = true;
  });
});
