import { describe, expect, inject, it } from 'vitest';
import { fetchJson, journalRecords } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * A scale-out process asked for a speed no machine keeps: 10 000 simulated seconds per 10 ms
 * advance, of which each advance may spend a microsecond firing timers. Its clock falls behind
 * the shared timeline at once, and the operator hears of it: the ALERT (log, journal, bus),
 * `sim_pace` in /health and the gauges on /metrics.
 */

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** redis-server absent: the simulated clock lag test SKIPS ***\n');

const scope = processScope('helios-sim-lag-');
const MAX_LAG_MS = 5_000;

describe.skipIf(!redisUrl)('a simulated scale-out process that cannot keep --speed', () => {
  it('reports how far behind the shared timeline its clock is, with one warn ALERT SIM_CLOCK_BEHIND', { timeout: 120_000 }, async () => {
    const dataDir = scope.tempDir();
    const env = {
      HELIOS_BUS__STREAM_PREFIX: `simlag${process.pid}x${Date.now() % 1_000_000}`,
      HELIOS_DAEMON__SIM__PACE_BUDGET_MS: '0.001',
      HELIOS_DAEMON__SIM__MAX_LAG_MS: String(MAX_LAG_MS),
      HELIOS_DAEMON__HEALTH_INTERVAL_MS: '200',
    };
    const shard = scope.start(['run', '--redis', redisUrl, '--role', 'trading', '--shard', '0/1', '--data-dir', dataDir, '--port', '0', '--speed', '1000000'], env);
    const url = await shard.apiUrl(30_000);
    await shard.waitForLine(/"msg":"joined the scale-out simulated timeline"/, 30_000);
    await shard.waitForLine(/alert SIM_CLOCK_BEHIND: simulated clock \d+ ms behind its pace/, 30_000);

    const health = await fetchJson(`${url}/health`);
    expect(health.body.sim_pace).toMatchObject({ max_lag_ms: MAX_LAG_MS, behind: true });
    expect(health.body.sim_pace.lag_ms).toBeGreaterThan(MAX_LAG_MS);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`sim_clock_max_lag_ms ${MAX_LAG_MS}`);
    expect(Number(/^sim_clock_lag_ms (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(MAX_LAG_MS);

    shard.kill('SIGTERM');
    expect((await shard.exited).code, shard.stderr.slice(-2000)).toBe(0);
    const alerts = journalRecords(dataDir, 'control').filter((e) => e.type === 'ALERT' && String(e.payload.code).startsWith('SIM_CLOCK'));
    // Behind from the first check to the stop: one alert, not one per check.
    expect(alerts.map((e) => [e.payload.severity, e.payload.code])).toEqual([['warn', 'SIM_CLOCK_BEHIND']]);
  });
});
