/** What a command may touch of the process: injected so tests can run commands in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Records the exit code; the launcher applies it. */
  exit(code: number): void;
}

export function processIo(): CliIo & { code: number } {
  const io = {
    code: 0,
    out: (t: string) => void process.stdout.write(t),
    err: (t: string) => void process.stderr.write(t),
    env: process.env,
    exit(code: number) {
      io.code = code;
    },
  };
  return io;
}
