import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Starts one real redis-server on a free loopback port for the whole run (AOF with fsync always,
 * so a killed server loses nothing it acknowledged) and stops it at the end. Tests find it through
 * the injected `redisUrl`/`redisPort`; where the binary is absent they skip loudly.
 */
let server: ChildProcess | undefined;
let dir: string | undefined;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function redisServerBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p ? p : null;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bin = redisServerBinary();
  if (!bin) {
    console.warn('\n*** redis-server not found: Redis tests will SKIP (CI installs it; apt-get install redis-server) ***\n');
    project.provide('redisBinary', '');
    project.provide('redisUrl', '');
    return async () => {};
  }
  dir = mkdtempSync(path.join(tmpdir(), 'helios-redis-'));
  const port = await freePort();
  server = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'], {
    stdio: 'ignore',
  });
  await waitForPort(port);
  project.provide('redisBinary', bin);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  return async () => {
    server?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
