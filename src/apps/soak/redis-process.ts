import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createClient } from 'redis';

/** What it takes to start the same Redis server again. */
interface RedisServerIdentity {
  pid: number;
  executable: string;
  args: string[];
}

/**
 * Kills a Redis server on this machine with SIGKILL and starts it again with the same port, data
 * directory and persistence settings (read from INFO and CONFIG GET before the kill). Only a
 * loopback server can be killed: the harness must be able to see its process.
 */
export class RedisKiller {
  constructor(readonly url: string) {
    const host = new URL(url).hostname;
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`soak can only kill and restart a Redis on loopback; got ${host}`);
  }

  async killAndRestart(downMs: number): Promise<void> {
    const id = await this.identify();
    process.kill(id.pid, 'SIGKILL');
    await waitFor(() => !alive(id.pid), 5000, 'Redis did not die after SIGKILL');
    await sleep(downMs);
    const child = spawn(id.executable, id.args, { detached: true, stdio: 'ignore' });
    child.unref();
    await waitFor(async () => this.ping(), 10_000, 'Redis did not come back after restart');
  }

  /** Stops the server the soak may have restarted (tests clean up their own server with this). */
  async shutdown(): Promise<void> {
    const id = await this.identify().catch(() => null);
    if (id && alive(id.pid)) process.kill(id.pid, 'SIGKILL');
  }

  private async identify(): Promise<RedisServerIdentity> {
    const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
    try {
      const info = String(await client.sendCommand(['INFO', 'server']));
      const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
      const pid = Number(field('process_id'));
      // Redis reports argv[0] made absolute against its cwd: wrong when it was found on PATH.
      const reported = field('executable');
      const executable = reported && existsSync(reported) ? reported : 'redis-server';
      const configFile = field('config_file');
      const cfg = async (name: string) => {
        const r = (await client.sendCommand(['CONFIG', 'GET', name])) as string[];
        return r[1] ?? '';
      };
      const args: string[] = configFile ? [configFile] : [];
      for (const name of ['port', 'bind', 'dir', 'appendonly', 'appendfsync', 'appendfilename', 'dbfilename', 'save', 'protected-mode']) {
        const value = await cfg(name);
        if (value !== '' || name === 'save') args.push(`--${name}`, value);
      }
      if (!Number.isFinite(pid) || pid <= 0) throw new Error('Redis INFO has no process_id');
      return { pid, executable, args };
    } finally {
      await client.quit().catch(() => {});
    }
  }

  private async ping(): Promise<boolean> {
    const client = createClient({ url: this.url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
    client.on('error', () => {});
    try {
      await client.connect();
      const pong = await client.ping();
      await client.quit();
      return pong === 'PONG';
    } catch {
      return false;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(what);
    await sleep(50);
  }
}
