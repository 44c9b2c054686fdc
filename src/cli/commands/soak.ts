import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { FaultListError, parseFaultList, type FaultClass, type SoakExecution } from '../../domain/soak/fault-classes.ts';
import { soakFailures } from '../../domain/soak/summary.ts';
import { SoakRun } from '../../apps/soak/soak-runner.ts';
import { minimumSoakDurationMs, planInputs, unschedulableClasses } from '../../apps/soak/soak-profile.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { parseSeed, SEED_TEXT } from '../seed-option.ts';

interface SoakOptions {
  minutes?: string;
  seed?: string;
  faults?: string;
  /** true: start our own redis-server; a string: the user's Redis URL (never killed). */
  redis?: string | boolean;
  json?: boolean;
  dataDir?: string;
  execution?: string;
}

/**
 * Runs a soak; 0 when the nine safety figures are all 0 and every requested class was injected,
 * 1 otherwise, 2 on bad usage (including a duration too short for the requested classes).
 */
export async function soak(opts: SoakOptions, io: CliIo): Promise<number> {
  const usage = (message: string) => {
    io.err(`helios soak: ${message}\n`);
    return EXIT.CONFIG_ERROR;
  };
  const minutes = Number(opts.minutes ?? '2');
  if (!(Number.isFinite(minutes) && minutes > 0 && minutes <= 7 * 24 * 60)) return usage(`--minutes expects a positive number of minutes; got ${JSON.stringify(opts.minutes)}`);
  const redisUrl = typeof opts.redis === 'string' ? opts.redis : undefined;
  const ownRedis = opts.redis === true;
  const execution = (opts.execution ?? 'paper') as SoakExecution;
  if (execution !== 'paper' && execution !== 'real') return usage(`--execution expects paper or real; got ${JSON.stringify(opts.execution)}`);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) return usage(`--redis expects a redis:// URL (or no value: the soak starts its own redis-server); got ${JSON.stringify(redisUrl)}`);
  let seed: number;
  let faults: FaultClass[];
  let config: HeliosConfig;
  try {
    config = loadConfig({ env: io.env }).config;
    const given = opts.seed === undefined ? config.app.seed : parseSeed(opts.seed);
    if (given === null) throw new FaultListError(`--seed expects ${SEED_TEXT}; got ${JSON.stringify(opts.seed)}`);
    seed = given;
    faults = parseFaultList(opts.faults ?? 'all', ownRedis, execution);
  } catch (err) {
    return usage(err instanceof ConfigError || err instanceof FaultListError ? err.message : (err as Error).message);
  }
  const minimumMs = minimumSoakDurationMs(planInputs(config), faults, seed);
  if (minutes * 60_000 < minimumMs) {
    const at = Number.isFinite(minimumMs) ? `at least --minutes ${+(minimumMs / 60_000).toFixed(2)}` : `no duration can for seed ${seed}; try another --seed`;
    const alone = unschedulableClasses(planInputs(config), faults, seed, minutes * 60_000);
    const which = alone.length ? `; cannot be scheduled in it: ${alone.join(', ')}` : '; together they do not fit (each kill must follow the esports faults)';
    return usage(`--minutes ${minutes} is too short to inject every requested fault class (${faults.join(',')}) and judge the recovery: ${at}${which}`);
  }
  if (ownRedis) {
    const probe = spawnSync(config.soak.redis_server, ['--version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) return usage(`--redis without a URL starts redis-server, but "${config.soak.redis_server}" cannot be run (${probe.error?.message ?? `exit ${probe.status}`}); install it or set soak.redis_server`);
  }
  const unwritable = opts.dataDir === undefined ? null : unwritableOutput(opts.dataDir, 'directory');
  if (unwritable) return usage(`--data-dir ${unwritable}; give another directory`);
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'helios-soak-'));
  // The audit reads the whole journal back: an old one would be judged as part of this soak.
  if (existsSync(path.join(dataDir, 'journal')) && readdirSync(path.join(dataDir, 'journal')).length > 0) {
    return usage(`${dataDir} already holds a journal; give --data-dir an empty directory`);
  }
  const progress = opts.json ? undefined : (line: string) => io.err(line + '\n');
  progress?.(`helios soak: journal, daemon logs and soak files go to ${dataDir} (kept after the run; remove it when done)`);
  if (redisUrl && (opts.faults ?? 'all').trim() === 'all') progress?.(`helios soak: redis_kill left out: the Redis at ${redisUrl} is not the soak's to kill (--redis without a URL starts one it may kill)`);
  const run = new SoakRun({ minutes, seed, faults, execution, redisUrl, ownRedis: ownRedis ? { binary: config.soak.redis_server } : undefined, dataDir, env: io.env, progress });
  // Interrupted: exit now; the daemon child is killed on the way out (it must not outlive us).
  const interrupted = () => process.exit(130);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const summary = await run.run().finally(() => {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  });
  const failed = soakFailures(summary);
  if (!opts.json) io.err(`helios soak: data in ${dataDir}; ${failed.length ? `FAILED (${failed.join('; ')})` : 'passed'}\n`);
  io.out(JSON.stringify(summary) + '\n');
  return failed.length ? EXIT.DATA_ERROR : EXIT.OK;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('soak')
    .description('run the daemon against the simulators while injecting every fault class; print a soak_summary and exit 1 if a safety figure is not 0 or a class was never injected')
    .option('--minutes <n>', 'how long to soak (default 2; a duration too short for the requested classes is refused)')
    .option('--seed <s>', 'seed of the fault timeline and the simulators (default app.seed)')
    .option('--faults <list>', 'all, or a comma-separated list of fault classes', 'all')
    .option('--redis [url]', "run the daemon on a Redis Streams bus: without a URL the soak starts its own redis-server on a free loopback port (and redis_kill kills only that one); with a URL, the user's server, never killed")
    .option('--execution <mode>', 'paper (default: the paper venue inside the daemon) or real: the real adapter against a stand-in CLOB on loopback the soak hosts, matching against its venue simulator, with the clob_* fault classes')
    .option('--data-dir <dir>', 'where the soaked daemon keeps its journal and the logs (default: a fresh temporary directory, named on stderr)')
    .option('--json', 'print only the summary')
    .action(async (opts: SoakOptions) => io.exit(await soak(opts, io)));
}
