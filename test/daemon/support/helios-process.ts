import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, vi } from 'vitest';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/helios.js');

/** The environment of a child helios: ours without HELIOS_* (a developer's settings stay out), plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HELIOS_')) env[k] = v;
  return { ...env, ...extra };
}

/** `node bin/helios.js ARGS` in `cwd`, run to its end: its exit code and everything it printed. */
export function runHeliosToEnd(args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** A real `node bin/helios.js …` child process whose stdout is read line by line. */
export class HeliosProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        if (partial) this.lines.push(partial);
        resolve({ code, signal });
      }),
    );
  }

  /** The first stdout line matching `re` (waiting for it, bounded by `timeoutMs`; an exit ends the wait). */
  async waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const find = () => this.lines.map((line) => re.exec(line)).find((m) => m !== null);
    const printed = vi.waitFor(
      () => {
        const m = find();
        if (!m) throw new Error(`no line matching ${re} within ${timeoutMs} ms; last lines: ${this.lines.slice(-5).join('\n')}`);
        return m;
      },
      { timeout: timeoutMs, interval: 25 },
    );
    const exited = this.exited.then(() => {
      const m = find();
      if (m) return m;
      throw new Error(`helios exited before printing ${re}; stderr: ${this.stderr.slice(-2000)}`);
    });
    // The loser of the race settles later; it is handled so its outcome is not an unhandled rejection.
    printed.catch(() => undefined);
    exited.catch(() => undefined);
    return Promise.race([printed, exited]);
  }

  /** The API's base URL, from the daemon's "http api listening on" log line. */
  async apiUrl(timeoutMs = 20_000): Promise<string> {
    return (await this.waitForLine(/http api listening on (http:\/\/127\.0\.0\.1:\d+)/, timeoutMs))[1]!;
  }

  /** Parsed JSON lines of the given `kind` (run_summary, venue_sim, …). */
  jsonOfKind(kind: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.startsWith('{"kind":')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.kind === kind);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export interface ProcessScope {
  procs: HeliosProcess[];
  tempDir(): string;
  /** `helios ARGS` as a child process with `childEnv(env)`, killed after the file. */
  start(args: string[], env?: Record<string, string>): HeliosProcess;
}

/**
 * Temporary data directories and daemon processes of one test file, all cleaned up after it
 * (processes killed, directories removed). Call from the file's top level.
 */
export function processScope(prefix: string): ProcessScope {
  const dirs: string[] = [];
  const procs: HeliosProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    procs,
    tempDir() {
      const d = mkdtempSync(path.join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    start(args, env = {}) {
      const p = new HeliosProcess(args, childEnv(env));
      procs.push(p);
      return p;
    },
  };
}

/**
 * `helios run` on DATA_DIR at `--speed 20` (plus `args`), once its API listens and every market has
 * a state: a daemon life that has started trading, for tests that stop and restart one.
 */
export async function runningDaemon(scope: ProcessScope, dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ daemon: HeliosProcess; url: string }> {
  const daemon = scope.start(['run', '--port', '0', '--data-dir', dataDir, '--speed', '20', ...args], env);
  const url = await daemon.apiUrl(30_000);
  await vi.waitFor(
    async () => {
      const m = (await (await fetch(`${url}/markets`)).json()) as Array<{ state: string | null }>;
      expect(m.length > 0 && m.every((x) => x.state !== null)).toBe(true);
    },
    { timeout: 45_000, interval: 250 },
  );
  return { daemon, url };
}
