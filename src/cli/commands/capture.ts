import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { CaptureRecorder } from '../../adapters/capture/recorder.ts';
import { sourceBases } from '../../adapters/capture/sources.ts';
import { setCaptureTap } from '../../adapters/capture/tap.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { DURATION_RANGE_TEXT, parseDurationSeconds } from '../duration-option.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { loadCliConfig } from '../load-cli-config.ts';
import { badPortMessage, parsePort } from '../port-option.ts';
import { runDaemon } from './run.ts';

export interface CaptureOptions {
  out?: string;
  duration?: string;
  config?: string;
  dataDir?: string;
  port?: string;
  /** `helios --version`, for the manifest. */
  version: string;
}

/**
 * `helios capture`: the live daemon in paper mode with the capture tap installed for its run, so
 * the capture holds every market-channel frame, CLOB/Gamma answer and weather/esports answer the
 * daemon received, with receive times. Ends after --duration (or on SIGINT/SIGTERM).
 */
export async function capture(opts: CaptureOptions, io: CliIo): Promise<number> {
  if (!opts.out) {
    io.err('helios capture: --out DIR is required\n');
    return EXIT.CONFIG_ERROR;
  }
  if (existsSync(opts.out) && readdirSync(opts.out).length > 0) {
    io.err(`helios capture: ${opts.out} is not empty (a capture never overwrites one)\n`);
    return EXIT.CONFIG_ERROR;
  }
  const unwritable = unwritableOutput(opts.out, 'directory');
  if (unwritable) {
    io.err(`helios capture: --out ${unwritable}; capture into another directory\n`);
    return EXIT.CONFIG_ERROR;
  }
  if (opts.duration !== undefined && parseDurationSeconds(opts.duration, { allowZero: false }) === null) {
    io.err(`helios capture: --duration expects ${DURATION_RANGE_TEXT}, above 0; got ${JSON.stringify(opts.duration)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  // Before the capture directory exists: the daemon would refuse the port only after it was made.
  if (opts.port !== undefined && parsePort(opts.port) === null) {
    io.err(`helios capture: ${badPortMessage('--port', opts.port)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  const loaded = loadCliConfig(io, 'helios capture', { file: opts.config });
  if (!loaded) return EXIT.CONFIG_ERROR;
  // A capture watches the venue; it never trades it for real.
  if (loaded.config.execution.adapter !== 'paper') {
    io.err('helios capture: refused: execution.adapter must be paper while capturing\n');
    return EXIT.REFUSED;
  }
  const recorder = new CaptureRecorder({
    dir: opts.out,
    clock: new SystemClock(),
    sources: sourceBases(loaded.config),
    heliosVersion: opts.version,
    note: `helios capture --duration ${opts.duration ?? 'until signalled'}`,
  });
  const previous = setCaptureTap(recorder);
  let code: number;
  try {
    code = await runDaemon({ config: opts.config, live: true, duration: opts.duration, dataDir: opts.dataDir, port: opts.port }, io);
  } finally {
    setCaptureTap(previous);
  }
  let manifest;
  try {
    manifest = await recorder.close();
  } catch (err) {
    io.err(`helios capture: the capture in ${opts.out} is incomplete: ${(err as Error).message}\n`);
    return EXIT.RUNTIME_ERROR;
  }
  io.out(JSON.stringify({ kind: 'capture', dir: opts.out, http: manifest.counts.http, frames: manifest.counts.frames, started_at: manifest.started_at, ended_at: manifest.ended_at }) + '\n');
  return code;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('capture')
    .description('run the live daemon (paper) and record every raw frame and HTTP answer it receives into DIR (manifest + NDJSON)')
    .option('--out <dir>', 'capture directory (new or empty)')
    .option('--duration <seconds>', 'stop after this many seconds of wall time (default: until SIGINT/SIGTERM)')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--data-dir <dir>', "the daemon's journal and Parquet directory")
    .option('--port <n>', 'HTTP API port (0: any free port)')
    .action(async (opts: Omit<CaptureOptions, 'version'>) => io.exit(await capture({ ...opts, version: program.version() ?? '0.0.0' }, io)));
}
