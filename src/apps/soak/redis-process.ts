import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { createClient } from 'redis';

export interface OwnRedisOptions {
  /** The redis-server executable (a path, or a name found on PATH). */
  binary: string;
  /** Its data directory (AOF, fsync always: a SIGKILL loses nothing it acknowledged). */
  dir: string;
  /** Its stdout and stderr, appended across restarts. */
  logFile: string;
}

export class RedisStartError extends Error {}

/**
 * A redis-server the soak starts itself on a free loopback port, and the only one it ever kills:
 * the pid comes from our own spawn, never from a server found at some URL. `killAndRestart`
 * SIGKILLs it and starts it again with the same port and data; `stop` ends it for good.
 */
export class OwnRedisServer {
  private child: ChildProcess | null = null;
  /** The soak may end by process.exit (Ctrl-C, SIGTERM): its server must not outlive it. */
  private readonly killOnExit = () => this.child?.kill('SIGKILL');
  private constructor(
    private readonly o: OwnRedisOptions,
    readonly port: number,
  ) {}

  static async start(o: OwnRedisOptions): Promise<OwnRedisServer> {
    mkdirSync(o.dir, { recursive: true });
    const server = new OwnRedisServer(o, await freeLoopbackPort());
    process.on('exit', server.killOnExit);
    try {
      await server.spawn();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async killAndRestart(downMs: number): Promise<void> {
    await this.kill('SIGKILL');
    await sleep(downMs);
    await this.spawn();
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    process.off('exit', this.killOnExit);
  }

  private async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
  }

  private async spawn(): Promise<void> {
    const log = openSync(this.o.logFile, 'a');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.o.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'];
    const child = spawn(this.o.binary, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new RedisStartError(`cannot start ${this.o.binary}: ${err.message}`)));
      child.once('exit', (code, signal) => reject(new RedisStartError(`${this.o.binary} exited at start (code ${code}, signal ${signal}); see ${this.o.logFile}`)));
    });
    failed.catch(() => {});
    this.child = child;
    await Promise.race([failed, waitFor(() => this.ping(), 10_000, `redis-server on port ${this.port} did not answer within 10 s; see ${this.o.logFile}`)]);
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

/** A loopback port nothing listens on now (the OS's choice). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
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
