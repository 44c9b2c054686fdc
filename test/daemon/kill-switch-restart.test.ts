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
const DAY_MS = 86_400_000;
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

  // The daemon's clock starts at the wall clock and runs 20× (runningDaemon): a UTC day ending within
  // the test's simulated half hour or so would move it to the next day, so not within an hour of one.
  it.skipIf(DAY_MS - (Date.now() % DAY_MS) < 3_600_000)('a restored daily-loss kill refuses a resume the day its limit was reached, and ends by itself once that day is over', { timeout: 120_000 }, async () => {
    const today = Math.floor(Date.now() / DAY_MS);
    const dataDir = tempDir();
    writeAtomically(killSwitchFile(dataDir), JSON.stringify({ reason: 'daily loss 21.00 ≥ 20', since_ms: Date.now() - 60_000, kind: 'daily_loss', daily_limit_day: today }) + '\n');
    // A short cool-down: only the day refuses the resume (the carried loss is gone: this data directory has no paper state).
    const first = await running(dataDir, { HELIOS_RISK__COOL_DOWN_MS: '1000' });
    await vi.waitFor(() => expect(globalRiskStates(dataDir).at(-1)).toMatchObject({ payload: { state: 'HALTED' } }), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    const refused = await postJson(`${first.url}/resume`, { scope: 'global', reason: 'loss recovered' }, TOKEN);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('daily loss limit still breached today');
    expect(readKillSwitch(dataDir)).toMatchObject({ kind: 'daily_loss', daily_limit_day: today });
    first.daemon.kill('SIGTERM');
    await first.daemon.exited;

    // The same kill recorded yesterday: lifted by the day's rollover after the cool-down, no resume needed.
    writeAtomically(killSwitchFile(dataDir), JSON.stringify({ reason: 'daily loss 21.00 ≥ 20', since_ms: Date.now() - DAY_MS, kind: 'daily_loss', daily_limit_day: today - 1 }) + '\n');
    const second = await running(dataDir, { HELIOS_RISK__COOL_DOWN_MS: '1000' });
    await vi.waitFor(() => expect(existsSync(killSwitchFile(dataDir))).toBe(false), { timeout: 15_000 });
    await vi.waitFor(() => expect(globalRiskStates(dataDir).at(-1)?.payload.state).not.toBe('HALTED'), { timeout: 10_000 });
    second.daemon.kill('SIGTERM');
    await second.daemon.exited;
  });

  it('a kill-switch file it cannot understand counts as on', () => {
    const dataDir = tempDir();
    writeAtomically(killSwitchFile(dataDir), '{"halted": maybe');
    expect(readKillSwitch(dataDir)).toMatchObject({ reason: expect.stringContaining('not understood') });
    expect(readFileSync(killSwitchFile(dataDir), 'utf8')).toContain('maybe');
  });
});
