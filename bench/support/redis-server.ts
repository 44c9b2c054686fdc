import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, redisServerBinary, waitForPort } from '../../test/setup/global-redis.ts';

/** A throwaway redis-server on loopback for a benchmark run (no persistence: we measure the bus). */
export async function startBenchRedis(): Promise<{ url: string; port: number; stop(): void } | null> {
  const bin = redisServerBinary();
  if (!bin) return null;
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'helios-bench-redis-'));
  const proc: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop() {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function hasRedisBenchmark(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-benchmark']).status === 0;
}

/** Pipelined XADD through redis-benchmark against the same server: requests per second. */
export function redisBenchmarkXadd(port: number, payload: string, requests = 200_000, pipeline = 100): number | null {
  const r = spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-P', String(pipeline), '-c', '1', '-q', 'XADD', 'bench:refstream', 'MAXLEN', '~', '100000', '*', 'e', payload], {
    encoding: 'utf8',
  });
  const m = /([\d.]+) requests per second/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : null;
}
