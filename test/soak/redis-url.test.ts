import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SoakRun } from '../../src/apps/soak/soak-runner.ts';
import { soakFailures } from '../../src/domain/soak/summary.ts';
import { freePort, waitForPort } from '../setup/global-redis.ts';

const bin = inject('redisBinary');
if (!bin) console.warn('\n*** SKIPPING the soak on a Redis URL: redis-server is not installed ***\n');

/**
 * `helios soak --redis URL` runs on the user's server, which may be the one a real scale-out uses:
 * the soaked daemon keeps to streams of its own there (`<bus.stream_prefix>-soak-<start>`), so no
 * production process reads its simulated events (a global HALT on `control:_` reaches every
 * trading process) and the soak judges none of theirs. A redis-server of this file's own, so
 * every key on it is the soak's.
 */
describe.skipIf(!bin)('helios soak --redis URL (a server the soak did not start)', () => {
  const dirs: string[] = [];
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes nothing under the configured bus.stream_prefix: the soak has streams of its own', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const redisDir = mkdtempSync(path.join(tmpdir(), 'helios-soak-url-redis-'));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-soak-url-'));
    dirs.push(redisDir, dataDir);
    server = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port);
    const url = `redis://127.0.0.1:${port}`;
    const lines: string[] = [];
    // A minute: the first trade (an esports market, ~25 s after the start) then lands inside it also
    // on a loaded machine; half a minute missed it once, leaving nothing to check against Redis.
    const summary = await new SoakRun({ minutes: 1, seed: 42, faults: ['ws_disconnect'], redisUrl: url, dataDir, progress: (l) => lines.push(l) }).run();
    const report = JSON.stringify({ ...summary, progress: lines }, null, 1);
    expect(soakFailures(summary), report).toEqual([]);
    expect(summary.detail.events_checked_against_redis as number, report).toBeGreaterThan(0);

    const client = createClient({ url });
    await client.connect();
    const production = await client.keys('helios:*');
    const soak = await client.keys('helios-soak-*');
    await client.quit();
    expect(production).toEqual([]);
    expect(soak.some((k) => /^helios-soak-\d+:control:_$/.test(k)), soak.join('\n')).toBe(true);
  });
});
