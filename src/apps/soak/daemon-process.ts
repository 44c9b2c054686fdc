import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELIOS_BIN = fileURLToPath(new URL('../../../bin/helios.js', import.meta.url));

export interface DaemonProcessOptions {
  configFile: string;
  dataDir: string;
  port: number;
  redisUrl?: string;
  /** Where the process's stdout and stderr go (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The run_summary line the daemon prints when it stops cleanly. */
  summary: { errors?: number } | null;
  /** Log lines at error level or worse (pino 50/60) and stack traces on stderr. */
  errorLines: number;
  crashed: boolean;
}

/**
 * One `helios run --sim` child process of the soak. It can be stopped gracefully (SIGTERM, the
 * daemon flushes and prints its run summary) or killed (SIGKILL, nothing is flushed).
 */
export class DaemonProcess {
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private stdoutTail = '';
  private errorLines = 0;
  private summary: { errors?: number } | null = null;
  private killedByUs = false;
  readonly exited: Promise<DaemonExit>;
  readonly startedAt = Date.now();

  constructor(o: DaemonProcessOptions) {
    const args = [HELIOS_BIN, 'run', '--sim', '--config', o.configFile, '--data-dir', o.dataDir, '--port', String(o.port)];
    if (o.redisUrl) args.push('--redis', o.redisUrl);
    this.log = createWriteStream(o.logFile, { flags: 'a' });
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.log.write(chunk);
      for (const line of chunk.split('\n')) if (/\b(Error|Uncaught|unhandled)\b/.test(line) && !line.startsWith('{')) this.errorLines++;
    });
    // A harness that dies must not leave its daemon running on the data directory.
    const orphanGuard = () => this.child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        process.removeListener('exit', orphanGuard);
        this.flushStdout();
        this.log.end();
        resolve({ code, signal, summary: this.summary, errorLines: this.errorLines, crashed: !this.killedByUs && code !== 0 });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL: the daemon gets no chance to flush or cancel anything. */
  kill(): Promise<DaemonExit> {
    this.killedByUs = true;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM and wait; SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<DaemonExit> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.killedByUs = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private onStdout(chunk: string): void {
    this.log.write(chunk);
    this.stdoutTail += chunk;
    const lines = this.stdoutTail.split('\n');
    this.stdoutTail = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  private flushStdout(): void {
    if (this.stdoutTail) this.onLine(this.stdoutTail);
    this.stdoutTail = '';
  }

  private onLine(line: string): void {
    if (!line.startsWith('{')) return;
    let parsed: { kind?: string; level?: number; errors?: number };
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    if (parsed.kind === 'run_summary') this.summary = parsed;
    else if (typeof parsed.level === 'number' && parsed.level >= 50) this.errorLines++;
  }
}
