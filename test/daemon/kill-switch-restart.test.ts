import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { killSwitchFile, readKillSwitch } from '../../src/adapters/storage/kill-switch-file.ts';
import { writeAtomically } from '../../src/adapters/storage/atomic-file.ts';
import { journalRecords, postJson } from './support/daemon-io.ts';
import { processScope, runningDaemon, type HeliosProcess } from './support/helios-process.ts';

/**
 * A global halt outlives the process: a daemon restarted on the same data directory (after
 * SIGTERM, or SIGKILL as a crash under `Restart=on-failure` would be) starts halted and places
 * nothing until an operator resumes; a resume clears it for the next start too.
 */

const TOKEN = 'kill-switch-token';
const scope = processScope('helios-kill-switch-');
const { start, tempDir } = scope;

const running = (dataDir: string, env: Record<string, string> = {}) => runningDaemon(scope, dataDir, [], { HELIOS_API_TOKEN: TOKEN, ...env });

/** The global RISK_STATE events of one trading session, in journal order. */
const globalRiskStates = (dataDir: string) => journalRecords(dataDir, 'risk').filter((e) => e.type === 'RISK_STATE' && e.market_id === undefined);

describe('the global kill switch across restarts', () => {
  it('a halted daemon restarts halted (SIGTERM or SIGKILL), refuses an early resume, and a resume clears it', { timeout: 180_000 }, async () => {
    const dataDir = tempDir();
    const first = await running(dataDir);
    expect((await postJson(`${first.url}/halt`, { scope: 'global', reason: 'operator stop' }, TOKEN)).status).toBe(200);
    await vi.waitFor(() => expect(readKillSwitch(dataDir)).toMatchObject({ reason: 'operator stop' }), { timeout: 10_000 });
    const since = readKillSwitch(dataDir)!.since_ms;
    first.daemon.kill('SIGKILL');
    await first.daemon.exited;

    const second = await running(dataDir);
    const placed = () => journalRecords(dataDir, 'order').filter((e) => e.payload.status === 'pending').length;
    const placedBefore = placed();
    await vi.waitFor(() => expect(globalRiskStates(dataDir).at(-1)).toMatchObject({ payload: { state: 'HALTED', reason: expect.stringContaining('operator stop (restored: halted since') } }), { timeout: 10_000 });
    const early = await postJson(`${second.url}/resume`, { scope: 'global', reason: 'too soon' }, TOKEN);
    expect(early.status).toBe(409);
    // Halted for a while of simulated trading: nothing new is placed, and the record keeps its first time.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(placed()).toBe(placedBefore);
    expect(readKillSwitch(dataDir)!.since_ms).toBe(since);
    second.daemon.kill('SIGTERM');
    expect((await second.daemon.exited).code).toBe(0);

    // With a short cool-down the resume is accepted, and the next start trades.
    const third = await running(dataDir, { HELIOS_RISK__COOL_DOWN_MS: '1000' });
    await new Promise((r) => setTimeout(r, 1_500));
    await vi.waitFor(async () => expect((await postJson(`${third.url}/resume`, { scope: 'global', reason: 'checked' }, TOKEN)).status).toBe(200), { timeout: 10_000 });
    await vi.waitFor(() => expect(existsSync(killSwitchFile(dataDir))).toBe(false), { timeout: 10_000 });
    third.daemon.kill('SIGTERM');
    await third.daemon.exited;
    const fourth = await running(dataDir);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(globalRiskStates(dataDir).at(-1)?.payload.state).not.toBe('HALTED');
    fourth.daemon.kill('SIGTERM');
    await fourth.daemon.exited;
  });

  it('a kill-switch file it cannot understand counts as on', () => {
    const dataDir = tempDir();
    writeAtomically(killSwitchFile(dataDir), '{"halted": maybe');
    expect(readKillSwitch(dataDir)).toMatchObject({ reason: expect.stringContaining('not understood') });
    expect(readFileSync(killSwitchFile(dataDir), 'utf8')).toContain('maybe');
  });
});
