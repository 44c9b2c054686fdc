import { readFileSync } from 'node:fs';

/** What a command may touch of the process: injected so tests can run commands in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Records the exit code; the launcher applies it. */
  exit(code: number): void;
  /**
   * The command gave up on work it started (a shutdown past its deadline), which may hold the
   * process open: the launcher ends the process as soon as the command returns, with no grace.
   */
  abandon?(): void;
}

export function processIo(): CliIo & { code: number; abandoned: boolean } {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  const io = {
    code: 0,
    abandoned: false,
    out: (t: string) => void process.stdout.write(t),
    err: (t: string) => void process.stderr.write(t),
    env: process.env,
    exit(code: number) {
      io.code = code;
    },
    abandon() {
      io.abandoned = true;
    },
  };
  return io;
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * `helios … | head -1`: once the reader is gone nothing more can be said, so the process ends at
 * once, as `cat` does, instead of dying on an unhandled `write EPIPE` with a stack trace.
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    throw err;
  });
}

/**
 * A text file as a command reads its input: UTF-8, without the byte-order mark some editors and
 * spreadsheet exports put first (JSON.parse would fail on it with an invisible character).
 */
export function readTextFile(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
