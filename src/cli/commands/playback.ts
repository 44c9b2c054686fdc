import type { Command } from 'commander';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { CaptureUnreadable, readCapture, type LoadedCapture } from '../../adapters/capture/reader.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { createLogger } from '../../adapters/log/logger.ts';
import { playbackOverlay } from '../../apps/playback/overlay.ts';
import { PlaybackServer } from '../../apps/playback/playback-server.ts';
import { DURATION_RANGE_TEXT, parseDurationSeconds } from '../duration-option.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { PortUnavailable } from '../../adapters/net/listen.ts';
import { badPortMessage, parsePort, portUnavailableMessage } from '../port-option.ts';
import { untilSignal } from '../until-signal.ts';

export interface PlaybackCliOptions {
  speed?: string;
  port?: string;
  duration?: string;
  overlay?: string;
}

/** Largest request body the stand-in reads (a CLOB `POST /books` of a few thousand tokens). */
const MAX_BODY_BYTES = 1 << 20;

/**
 * `helios playback DIR`: serves a capture on loopback until SIGINT/SIGTERM (or --duration),
 * printing the URLs and a config overlay that points helios at them.
 */
export async function playback(dir: string, opts: PlaybackCliOptions, io: CliIo): Promise<number> {
  const speed = opts.speed === undefined ? 1 : Number(opts.speed);
  const port = opts.port === undefined ? 0 : parsePort(opts.port);
  const duration = opts.duration === undefined ? undefined : parseDurationSeconds(opts.duration, { allowZero: false });
  if (!(Number.isFinite(speed) && speed > 0)) return usage(io, `--speed expects a positive number; got ${JSON.stringify(opts.speed)}`);
  if (port === null) return usage(io, badPortMessage('--port', opts.port));
  if (duration === null) return usage(io, `--duration expects ${DURATION_RANGE_TEXT}, above 0; got ${JSON.stringify(opts.duration)}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return usage(io, `${dir} is not a directory`);
  const unwritable = opts.overlay === undefined ? null : unwritableOutput(opts.overlay, 'file');
  if (unwritable) return usage(io, `--overlay ${unwritable}; write the overlay elsewhere`);
  let capture: LoadedCapture;
  try {
    capture = readCapture(dir);
  } catch (err) {
    if (!(err instanceof CaptureUnreadable)) throw err;
    io.err(`helios playback: ${err.message}\n`);
    return EXIT.DATA_ERROR;
  }
  for (const m of capture.malformed.slice(0, 20)) io.err(`helios playback: ${m.file}:${m.line}: skipped: ${m.reason}\n`);
  if (capture.malformed.length > 20) io.err(`helios playback: … ${capture.malformed.length - 20} more malformed lines skipped\n`);

  const clock = new SystemClock();
  const server = new PlaybackServer({ capture, clock, speed, host: '127.0.0.1', port, maxBodyBytes: MAX_BODY_BYTES, logger: createLogger({ level: 'warn', format: 'json' }) });
  try {
    await server.listen();
  } catch (err) {
    if (err instanceof PortUnavailable) return usage(io, portUnavailableMessage(err, '--port'));
    io.err(`helios playback: cannot listen on 127.0.0.1:${port}: ${(err as Error).message}\n`);
    return EXIT.RUNTIME_ERROR;
  }
  const urls = server.urls();
  const overlay = playbackOverlay(urls);
  if (opts.overlay) writeFileSync(opts.overlay, overlay);
  io.out(JSON.stringify({ kind: 'playback', dir, speed, http_answers: capture.http.length, frames: capture.frames.length, from: capture.manifest.started_at, to: capture.manifest.ended_at, urls }) + '\n');
  io.out(`# config overlay for \`helios run --live --config FILE\`${opts.overlay ? ` (written to ${opts.overlay})` : ''}:\n${overlay.replace(/^/gm, '# ')}\n`);

  await untilSignal(duration === undefined ? undefined : duration * 1000);
  await server.close();
  io.out(JSON.stringify({ kind: 'playback_summary', ...server.stats }) + '\n');
  return capture.malformed.length > 0 ? EXIT.DATA_ERROR : EXIT.OK;
}

function usage(io: CliIo, message: string): number {
  io.err(`helios playback: ${message}\n`);
  return EXIT.CONFIG_ERROR;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('playback')
    .argument('<dir>', 'a directory written by `helios capture`')
    .description("serve a capture on loopback as stand-ins of Polymarket's public endpoints (Gamma, CLOB REST, market WebSocket) and the weather and esports sources")
    .option('--speed <x>', 'play the capture this many times faster than it was recorded (default 1)')
    .option('--port <n>', 'port on 127.0.0.1 (default 0: any free port)')
    .option('--duration <seconds>', 'stop after this many seconds (default: until SIGINT/SIGTERM)')
    .option('--overlay <file>', 'also write the config overlay to this file')
    .action(async (dir: string, opts: PlaybackCliOptions) => io.exit(await playback(dir, opts, io)));
}
