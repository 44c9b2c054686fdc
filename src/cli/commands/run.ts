import type { Command } from 'commander';
import { loadCliConfig } from '../load-cli-config.ts';
import { createLogger } from '../../adapters/log/logger.ts';
import { Daemon, ExecutionConfigError, RealOrdersRefused, type DaemonRole } from '../../apps/daemon/daemon.ts';
import { DataDirLocked, DataDirUnusable } from '../../adapters/storage/data-dir-lock.ts';
import { recordedDataOverwrite } from '../../adapters/storage/recorded-data.ts';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { SessionCounterError } from '../../adapters/storage/session-counter.ts';
import { PaperStateError } from '../../adapters/storage/paper-state-file.ts';
import { RetiredMarketsError } from '../../adapters/storage/retired-markets-file.ts';
import { parseShard, type Shard } from '../../domain/scale-out/shard.ts';
import { DURATION_RANGE_TEXT, parseDurationSeconds } from '../duration-option.ts';
import { PortUnavailable } from '../../adapters/net/listen.ts';
import { apiPortSetBy, badPortMessage, parsePort, portUnavailableMessage } from '../port-option.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

export interface RunOptions {
  config?: string;
  redis?: string;
  sim?: boolean;
  live?: boolean;
  speed?: string;
  duration?: string;
  dataDir?: string;
  inspect?: boolean;
  port?: string;
  role?: string;
  shard?: string;
  decisionsOut?: string;
  execution?: string;
  clobUrl?: string;
}

const ROLES: readonly DaemonRole[] = ['all', 'feeds', 'trading'];

/** Runs the daemon until SIGTERM/SIGINT or --duration; resolves to the exit code. */
export async function runDaemon(opts: RunOptions, io: CliIo): Promise<number> {
  if (opts.sim && opts.live) {
    io.err('helios run: --sim and --live are exclusive\n');
    return EXIT.CONFIG_ERROR;
  }
  const speed = opts.speed === undefined ? undefined : Number(opts.speed);
  const duration = opts.duration === undefined ? undefined : parseDurationSeconds(opts.duration, { allowZero: true });
  const port = opts.port === undefined ? undefined : parsePort(opts.port);
  // A speed of 0 would start a daemon whose clock never moves: nothing would ever happen.
  if (speed !== undefined && !(Number.isFinite(speed) && speed > 0)) {
    io.err(`helios run: --speed expects a positive number (1: real time); got ${opts.speed}\n`);
    return EXIT.CONFIG_ERROR;
  }
  if (speed !== undefined && opts.live) {
    io.err('helios run: --speed applies to sim mode only (--live runs on the wall clock); drop it\n');
    return EXIT.CONFIG_ERROR;
  }
  if (duration === null) {
    io.err(`helios run: --duration expects ${DURATION_RANGE_TEXT}; got ${JSON.stringify(opts.duration)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  // Caught here so a port no socket can have is a usage error (2), not a listen failure (3).
  if (port === null) {
    io.err(`helios run: ${badPortMessage('--port', opts.port)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  const role = (opts.role ?? 'all') as DaemonRole;
  if (!ROLES.includes(role)) {
    io.err(`helios run: --role expects one of ${ROLES.join(', ')}; got ${JSON.stringify(opts.role)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  if (opts.decisionsOut !== undefined && role === 'feeds') {
    io.err('helios run: --decisions-out needs a trading node (--role all or trading)\n');
    return EXIT.CONFIG_ERROR;
  }
  let shard: Shard | undefined;
  if (opts.shard !== undefined) {
    shard = parseShard(opts.shard) ?? undefined;
    if (!shard || role !== 'trading') {
      io.err(shard ? 'helios run: --shard applies to --role trading\n' : `helios run: --shard expects i/n, two decimal whole numbers without sign or leading zeros, 0 <= i < n (e.g. 0/2, 1/2); got ${JSON.stringify(opts.shard)}\n`);
      return EXIT.CONFIG_ERROR;
    }
  }
  if (opts.execution !== undefined && opts.execution !== 'real' && opts.execution !== 'paper') {
    io.err(`helios run: --execution expects real or paper; got ${JSON.stringify(opts.execution)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  if (opts.clobUrl !== undefined && !/^https?:\/\/\S+$/.test(opts.clobUrl)) {
    io.err(`helios run: --clob-url expects an http(s):// URL; got ${JSON.stringify(opts.clobUrl)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  const overrides: Record<string, unknown> = {};
  if (opts.execution) overrides['execution.adapter'] = opts.execution;
  if (opts.redis) Object.assign(overrides, { 'bus.kind': 'redis', 'bus.redis_url': opts.redis });
  if (opts.dataDir) overrides['app.data_dir'] = opts.dataDir;
  const loaded = loadCliConfig(io, 'helios run', { file: opts.config, overrides });
  if (!loaded) return EXIT.CONFIG_ERROR;
  const { config, secrets } = loaded;
  // Paper execution never reads it: an operator who forgot --execution real must hear so.
  if (opts.clobUrl !== undefined && config.execution.adapter !== 'real') {
    io.err('helios run: --clob-url applies to real execution only (--execution real, or execution.adapter: real); this run trades on paper\n');
    return EXIT.CONFIG_ERROR;
  }
  if (role !== 'all' && config.bus.kind !== 'redis') {
    io.err(`helios run: --role ${role} needs --redis URL (the processes of a scale-out share a Redis Streams bus)\n`);
    return EXIT.CONFIG_ERROR;
  }
  const overwrite = opts.decisionsOut === undefined ? null : recordedDataOverwrite(opts.decisionsOut, config.app.data_dir);
  if (overwrite) {
    io.err(`helios run: --decisions-out ${overwrite}; write the decisions elsewhere\n`);
    return EXIT.CONFIG_ERROR;
  }
  const unwritable = opts.decisionsOut === undefined ? null : unwritableOutput(opts.decisionsOut, 'file');
  if (unwritable) {
    io.err(`helios run: --decisions-out ${unwritable}; write the decisions elsewhere\n`);
    return EXIT.CONFIG_ERROR;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const daemon = new Daemon({
    config,
    secrets,
    logger,
    mode: opts.live ? 'live' : 'sim',
    speed: speed ?? config.daemon.sim.speed,
    dataDir: config.app.data_dir,
    inspect: opts.inspect ?? false,
    apiPort: port,
    role,
    shard,
    decisionsOut: opts.decisionsOut,
    clobUrl: opts.clobUrl,
    env: io.env,
  });
  let starting: Promise<void> | null = null;
  const onSignal = (sig: string) => {
    logger.info({ signal: sig }, 'shutting down');
    // A signal while starting stops once start-up has finished: stopping halfway would leave the
    // rest of start-up running with nothing left to stop it (and the process would never exit).
    void (starting ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => daemon.stop(EXIT.OK));
  };
  const removeSignalHandlers = () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // A shutdown past its deadline left a step running that may hold the process open.
  const abandonIfTimedOut = () => {
    if (daemon.shutdownAbandoned) io.abandon?.();
  };
  try {
    starting = daemon.start();
    await starting;
  } catch (err) {
    removeSignalHandlers();
    if (err instanceof PortUnavailable || err instanceof DataDirLocked || err instanceof DataDirUnusable || err instanceof SessionCounterError || err instanceof PaperStateError || err instanceof RetiredMarketsError || err instanceof ExecutionConfigError) {
      io.err(`helios run: ${err instanceof PortUnavailable ? portUnavailableMessage(err, apiPortSetBy(port !== undefined)) : err.message}\n`);
      await daemon.stop(EXIT.CONFIG_ERROR);
      abandonIfTimedOut();
      return EXIT.CONFIG_ERROR;
    }
    if (err instanceof RealOrdersRefused) {
      io.err(`helios run: ${err.message}\n`);
      await daemon.stop(EXIT.REFUSED);
      abandonIfTimedOut();
      return EXIT.REFUSED;
    }
    logger.fatal({ err: (err as Error).message }, 'daemon failed to start');
    await daemon.stop(EXIT.RUNTIME_ERROR);
    abandonIfTimedOut();
    return EXIT.RUNTIME_ERROR;
  }
  if (duration !== undefined) setTimeout(() => void daemon.stop(EXIT.OK), duration * 1000).unref();
  const code = await daemon.stopped;
  removeSignalHandlers();
  abandonIfTimedOut();
  io.out(JSON.stringify(daemon.summary()) + '\n');
  logger.flush?.();
  return code;
}

export function register(program: Command, io: CliIo): void {
  const addRunOptions = (cmd: Command) =>
    cmd
      .option('--config <file>', 'YAML file layered over the defaults')
      .option('--redis <url>', 'use the Redis Streams bus at this URL (default: in-process bus)')
      .option('--sim', 'run against the simulators (the default)')
      .option('--live', "Polymarket's real endpoints for data, paper execution")
      .option('--speed <x>', 'accelerate the virtual clock in sim mode')
      .option('--duration <seconds>', 'stop cleanly after this many seconds of wall time and print a run summary')
      .option('--data-dir <dir>', 'journal and Parquet directory')
      .option('--port <n>', 'HTTP API port (0: any free port)')
      .option('--inspect', 'start the Stately inspector server on loopback')
      .option('--role <role>', 'scale-out on Redis: feeds (simulators, feeds, world, truth → bus), trading (markets from the bus), all (default)')
      .option('--shard <i/n>', 'with --role trading: trade the markets whose id hashes to shard i of n (0 <= i < n, plain decimals: 0/2, 1/2)')
      .option('--execution <mode>', 'paper (default) or real: real orders on the CLOB, which also need HELIOS_CONFIRM_REAL_ORDERS=yes, credentials and a passing live healthcheck')
      .option('--clob-url <url>', "the CLOB's REST base (default execution.real.clob_url); the user channel and positions are read from the same host")
      .option('--decisions-out <file>', "NDJSON of the trading node's decisions, in the format `helios replay --decisions-out` writes");
  addRunOptions(program.command('run').description('run the daemon (embedded default: simulated venue and feeds, in-process bus, paper execution)')).action(
    async (opts: RunOptions) => io.exit(await runDaemon(opts, io)),
  );
  addRunOptions(program.command('start').description('same as `helios run` with its defaults (what `npm start` runs)')).action(async (opts: RunOptions) =>
    io.exit(await runDaemon(opts, io)),
  );
}
