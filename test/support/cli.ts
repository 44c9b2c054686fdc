import type { CliIo } from '../../src/cli/io.ts';

/** In-process CLI I/O that records what a command printed. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { code: number; stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    code: 0,
    env,
    out: (t: string) => void out.push(t),
    err: (t: string) => void err.push(t),
    exit(code: number) {
      io.code = code;
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
  return io;
}

/** Runs `helios ARGV` in-process: its exit code and what it printed. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../src/cli/main.ts');
  const io = captureIo(env);
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
