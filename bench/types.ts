export interface BenchContext {
  json: boolean;
  /** Human-readable progress and tables (silent with --json). */
  log(line: string): void;
}

export interface Benchmark {
  title: string;
  /** Returns the figures as a flat JSON object (printed with --json). */
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}
