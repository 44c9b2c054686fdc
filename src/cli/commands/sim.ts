import type { Command } from 'commander';
import { loadCliConfig } from '../load-cli-config.ts';
import { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import { syntheticMarketSpecs } from '../../sim/venue/synthetic-markets.ts';
import { DURATION_RANGE_TEXT, MAX_DURATION_S } from '../duration-option.ts';
import { PortUnavailable } from '../../adapters/net/listen.ts';
import { badPortMessage, parsePort, portUnavailableMessage } from '../port-option.ts';
import { isSeed, SEED_TEXT } from '../seed-option.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface SimOptions {
  config?: string;
  seed?: string;
  port?: string;
  markets?: string;
  rate?: string;
  duration?: string;
}

/** Each numeric option's accepted values, and how its error message says them. */
const RANGES = {
  '--seed': { ok: isSeed, text: SEED_TEXT },
  '--markets': { ok: (v: number) => Number.isInteger(v) && v >= 1 && v <= 10_000, text: 'a whole number 1–10000' },
  '--rate': { ok: (v: number) => Number.isFinite(v) && v > 0, text: 'a positive number of events per second' },
  '--duration': { ok: (v: number) => v >= 0 && v <= MAX_DURATION_S, text: DURATION_RANGE_TEXT },
} as const;

/**
 * The venue simulator alone, for other clients (a second daemon, a notebook, a load test): prints
 * its endpoints and markets as one JSON line, runs its order flow until SIGTERM/SIGINT or
 * --duration, then prints its counters.
 */
export async function runSim(opts: SimOptions, io: CliIo): Promise<number> {
  const loaded = loadCliConfig(io, 'helios sim', { file: opts.config });
  if (!loaded) return EXIT.CONFIG_ERROR;
  const { config } = loaded;
  const num = (flag: keyof typeof RANGES, text: string | undefined, fallback: number): number | string => {
    if (text === undefined) return fallback;
    const v = text.trim() === '' ? Number.NaN : Number(text);
    return RANGES[flag].ok(v) ? v : `helios sim: ${flag} expects ${RANGES[flag].text}; got ${JSON.stringify(text)}`;
  };
  const seed = num('--seed', opts.seed, config.app.seed);
  const port = opts.port === undefined ? 0 : (parsePort(opts.port) ?? `helios sim: ${badPortMessage('--port', opts.port)}`);
  const markets = num('--markets', opts.markets, config.daemon.sim.markets);
  const rate = num('--rate', opts.rate, config.daemon.sim.venue_events_per_s);
  const duration = opts.duration === undefined ? null : num('--duration', opts.duration, 0);
  for (const v of [seed, port, markets, rate, duration]) {
    if (typeof v === 'string') {
      io.err(`${v}\n`);
      return EXIT.CONFIG_ERROR;
    }
  }

  const specs = syntheticMarketSpecs(markets as number);
  // Frames carry the wall clock, as the real venue's do, so a client's source-to-ingest lag is real.
  const venue = new VenueSimulator({ seed: seed as number, markets: specs, port: port as number, now: () => Date.now() });
  let endpoints;
  try {
    endpoints = await venue.start();
  } catch (err) {
    if (err instanceof PortUnavailable) {
      io.err(`helios sim: ${portUnavailableMessage(err, '--port')}\n`);
      return EXIT.CONFIG_ERROR;
    }
    io.err(`helios sim: cannot listen on 127.0.0.1:${port as number}: ${(err as Error).message}\n`);
    return EXIT.RUNTIME_ERROR;
  }
  // Ready for signals before announcing the endpoints: a client may stop us as soon as it read them.
  const stopped = new Promise<void>((resolve) => {
    const done = () => {
      process.removeListener('SIGTERM', done);
      process.removeListener('SIGINT', done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer = duration === null ? null : setTimeout(done, (duration as number) * 1000);
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  venue.run(rate as number);
  io.out(
    JSON.stringify({
      kind: 'venue_sim',
      ws_url: endpoints.wsUrl,
      rest_url: endpoints.restUrl,
      seed,
      events_per_s: rate,
      markets: specs.map((m) => ({ market: m.market, yes: m.yes, no: m.no, tick_size: m.tick_size })),
    }) + '\n',
  );
  await stopped;
  await venue.stop();
  const s = venue.stats;
  io.out(JSON.stringify({ kind: 'venue_sim_stopped', steps: s.steps, frames_sent: s.frames_sent, connections_opened: s.connections_opened, subscribe_messages: s.subscribe_messages }) + '\n');
  return EXIT.OK;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('sim')
    .description('run the venue simulator alone on loopback (market channel WebSocket + REST books) for other clients')
    .option('--config <file>', 'YAML file layered over the defaults (seed, markets and rate default from it)')
    .option('--seed <n>', 'order-flow seed (default app.seed)')
    .option('--port <n>', 'loopback port (default 0: any free port)')
    .option('--markets <n>', 'number of binary markets (default daemon.sim.markets)')
    .option('--rate <x>', 'order-flow events per second (default daemon.sim.venue_events_per_s)')
    .option('--duration <seconds>', 'stop after this many seconds (default: until SIGTERM/SIGINT)')
    .action(async (opts: SimOptions) => io.exit(await runSim(opts, io)));
}
