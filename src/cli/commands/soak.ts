import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { FaultListError, parseFaultList, type FaultClass } from '../../domain/soak/fault-classes.ts';
import { failedFigures } from '../../domain/soak/summary.ts';
import { SoakRun } from '../../apps/soak/soak-runner.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface SoakOptions {
  minutes?: string;
  seed?: string;
  faults?: string;
  redis?: string;
  json?: boolean;
  dataDir?: string;
}

/** Runs a soak; 0 when the seven safety figures are all 0, 1 when any is not, 2 on bad usage. */
export async function soak(opts: SoakOptions, io: CliIo): Promise<number> {
  const minutes = Number(opts.minutes ?? '2');
  if (!(Number.isFinite(minutes) && minutes > 0 && minutes <= 7 * 24 * 60)) {
    io.err(`helios soak: --minutes expects a positive number of minutes; got ${JSON.stringify(opts.minutes)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  let seed: number;
  let faults: FaultClass[];
  try {
    seed = opts.seed === undefined ? loadConfig({ env: io.env }).config.app.seed : Number(opts.seed);
    if (!Number.isSafeInteger(seed)) throw new FaultListError(`--seed expects an integer; got ${JSON.stringify(opts.seed)}`);
    faults = parseFaultList(opts.faults ?? 'all', !!opts.redis);
  } catch (err) {
    io.err(`helios soak: ${err instanceof ConfigError || err instanceof FaultListError ? err.message : (err as Error).message}\n`);
    return EXIT.CONFIG_ERROR;
  }
  if (opts.redis && !/^rediss?:\/\//.test(opts.redis)) {
    io.err(`helios soak: --redis expects a redis:// URL; got ${JSON.stringify(opts.redis)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'helios-soak-'));
  // The audit reads the whole journal back: an old one would be judged as part of this soak.
  if (existsSync(path.join(dataDir, 'journal')) && readdirSync(path.join(dataDir, 'journal')).length > 0) {
    io.err(`helios soak: ${dataDir} already holds a journal; give --data-dir an empty directory\n`);
    return EXIT.CONFIG_ERROR;
  }
  const run = new SoakRun({ minutes, seed, faults, redisUrl: opts.redis, dataDir, env: io.env, progress: opts.json ? undefined : (line) => io.err(line + '\n') });
  // Interrupted: exit now; the daemon child is killed on the way out (it must not outlive us).
  const interrupted = () => process.exit(130);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const summary = await run.run().finally(() => {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  });
  const failed = failedFigures(summary);
  if (!opts.json) io.err(`helios soak: data in ${dataDir}; ${failed.length ? `FAILED (${failed.join(', ')})` : 'passed'}\n`);
  io.out(JSON.stringify(summary) + '\n');
  return failed.length ? EXIT.DATA_ERROR : EXIT.OK;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('soak')
    .description('run the daemon against the simulators while injecting every fault class; print a soak_summary and exit 1 if a safety figure is not 0')
    .option('--minutes <n>', 'how long to soak (default 2)')
    .option('--seed <s>', 'seed of the fault timeline and the simulators (default app.seed)')
    .option('--faults <list>', 'all, or a comma-separated list of fault classes', 'all')
    .option('--redis <url>', 'run the daemon on this Redis Streams bus and kill/restart the (loopback) server during the soak')
    .option('--data-dir <dir>', 'where the soaked daemon keeps its journal and the logs (default: a fresh temporary directory)')
    .option('--json', 'print only the summary')
    .action(async (opts: SoakOptions) => io.exit(await soak(opts, io)));
}
