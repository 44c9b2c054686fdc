import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { scrubText } from '../../adapters/log/redact.ts';
import { createLogger } from '../../adapters/log/logger.ts';
import { CHECK_NAMES, runStartupChecklist, type CheckResult } from '../../apps/daemon/startup-checklist.ts';
import { LIVE_CHECK_NAMES, runLiveChecks } from '../../apps/live-check/live-checks.ts';
import { walletCheck } from '../../apps/daemon/real-execution.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface HealthcheckOptions {
  config?: string;
  json?: boolean;
  live?: boolean;
}

/** Runs the start-up checklist; 0 when every item passed (or was not applicable), 1 otherwise. */
export async function healthcheck(opts: HealthcheckOptions, io: CliIo): Promise<number> {
  const mode = opts.live ? 'live' : 'sim';
  let results: CheckResult[];
  try {
    const { config, secrets } = loadConfig({ file: opts.config, env: io.env });
    // The checklist's own output is the report; component logs would only interleave with it.
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    results = await runStartupChecklist({ config, mode, logger });
    if (opts.live) results.push(...(await runLiveChecks({ config, secrets, clock: new SystemClock() })));
    // Real execution: the wallet item answered from the CLOB, as the daemon's gate reads it before trading.
    if (opts.live && config.execution.adapter === 'real') {
      const wallet = await walletCheck({ config, secrets, env: io.env, clock: new SystemClock() });
      results = results.map((r) => (r.name === wallet.name ? wallet : r));
    }
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `${(err as Error).message}`;
    results = [...CHECK_NAMES, ...(opts.live ? LIVE_CHECK_NAMES : [])].map((name) =>
      name === 'configuration' ? { name, status: 'fail' as const, detail: scrubText(message) } : { name, status: 'skip' as const, detail: 'needs a valid configuration' },
    );
  }
  const ok = results.every((r) => r.status !== 'fail');
  if (opts.json) {
    io.out(JSON.stringify({ kind: 'healthcheck', ok, mode, checks: results }) + '\n');
  } else {
    const width = Math.max(...results.map((r) => r.name.length));
    for (const r of results) io.out(`${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}\n`);
    const failed = results.filter((r) => r.status === 'fail').length;
    io.out(ok ? `healthcheck: ok (${results.filter((r) => r.status === 'pass').length} passed, ${results.filter((r) => r.status === 'skip').length} not applicable)\n` : `healthcheck: ${failed} of ${results.length} checks failed\n`);
  }
  return ok ? EXIT.OK : EXIT.DATA_ERROR;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('healthcheck')
    .description('run the start-up checklist (config, clocks, feeds and books, caches, paper mode); exit 0 when all pass, 1 otherwise')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--live', "check Polymarket's real endpoints instead of a loopback venue simulator, and what live mode needs: discovery selects a market, CLOB /time skew, AWC, WU PWS and PandaScore (when keyed)")
    .option('--json', 'one JSON object instead of lines')
    .action(async (opts: HealthcheckOptions) => io.exit(await healthcheck(opts, io)));
}
