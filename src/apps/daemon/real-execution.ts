import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { createRealExecutionAdapter, openRealSession } from '../../adapters/execution/create-adapter.ts';
import { liveHealthcheck } from '../../adapters/execution/real-gate.ts';
import type { ClobExecutionAdapter, RealAlert } from '../../adapters/execution/real-clob-adapter.ts';
import { realMarketOf } from '../../adapters/execution/real-types.ts';
import { scrubText } from '../../adapters/log/redact.ts';
import { awaitingFillsStore } from '../../adapters/storage/awaiting-fills-file.ts';
import { givenUpFillsStore } from '../../adapters/storage/given-up-fills-file.ts';
import { sellCostsStore } from '../../adapters/storage/sell-costs-file.ts';
import { registerExecutionMetrics } from '../../adapters/metrics/execution-metrics.ts';
import type { EventOf } from '../../domain/events/catalog.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import { ownsMarket } from '../../domain/scale-out/shard.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import type { Secrets } from '../../config/secrets.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { DaemonContext } from './context.ts';
import type { CheckResult } from './startup-checklist.ts';
import { ExecutionConfigError, RealOrdersRefused } from './options.ts';
import { restoreFastStringPrototype } from '../fast-string-prototype.ts';

/**
 * Real execution for the daemon, opened before trading starts and only when the operator asked
 * twice (execution real and HELIOS_CONFIRM_REAL_ORDERS=yes) with credentials and a passing live
 * healthcheck: the same gate as `helios orders place`. The adapter lives as long as the daemon
 * (the trading component may restart around it) and reconciles with the venue before the first
 * decision; a failed reconciliation stops the start-up.
 */
export async function openDaemonExecution(ctx: DaemonContext, factory: EventFactory): Promise<ClobExecutionAdapter | null> {
  const { config } = ctx;
  if (config.execution.adapter !== 'real' || ctx.role === 'feeds') return null;
  const log = ctx.log.child({ component: 'execution' });
  const opened = await createRealExecutionAdapter({
    real: config.execution.real,
    clobUrl: ctx.opts.clobUrl,
    executionReal: true,
    env: ctx.opts.env ?? process.env,
    secrets: ctx.opts.secrets,
    // The venue's time, never the simulated day's: HTTP timeouts, heartbeats and expirations are real.
    clock: new SystemClock(),
    logger: log,
    onAlert: (a) => haltOn(a, ctx, factory),
    // A fill given up on stays so in the next process on this data directory (no second full wait, no second alert).
    givenUpStore: givenUpFillsStore(ctx.opts.dataDir),
    // A SELL that emptied the position keeps its cost for the next process: its FAILED gives the shares back at it, not at 0.
    sellCostStore: sellCostsStore(ctx.opts.dataDir),
    // A fill still awaiting its answer is read by id by the next process, however long it was down.
    awaitingStore: awaitingFillsStore(ctx.opts.dataDir),
  });
  // The CLOB client loaded just now (lazily, for real sessions only).
  restoreFastStringPrototype();
  if (!opened.ok) {
    const message = scrubText(opened.message);
    if (opened.kind === 'refused') throw new RealOrdersRefused(message);
    if (opened.kind === 'config') throw new ExecutionConfigError(message);
    throw new Error(message);
  }
  const adapter = opened.adapter;
  const register = (markets: typeof ctx.universe.markets) => {
    for (const m of markets) if (ownsMarket(ctx.shard, m.spec)) adapter.registerMarket(realMarketOf(m.spec));
  };
  register(ctx.localMarkets());
  ctx.universeListeners.add((change) => register(change.added));
  try {
    const report = await adapter.start();
    log.info({ ...report }, 'reconciled with the venue: real execution ready');
  } catch (err) {
    adapter.stop();
    throw new Error(`start-up reconciliation with the venue failed, trading does not start: ${scrubText((err as Error).message)}`);
  }
  registerExecutionMetrics(ctx.metrics.registry, () => ({
    placed: adapter.stats.placed,
    rejected: adapter.stats.rejected,
    in_flight: adapter.inFlight(),
    heartbeat_misses: adapter.stats.heartbeat_misses,
    reconcile_breaks: adapter.stats.unknown_orders,
    fail_closed: adapter.stats.fail_closed,
  }));
  return adapter;
}

/**
 * Failing closed is a global HALT, and a balance the venue keeps refusing or a trade of a market's
 * open order the venue cannot find a market HALT, published
 * like an operator's: the trading node (here or in a trading process) applies it from the bus,
 * so the record shows why trading stopped and a replay stops alike.
 */
function haltOn(a: RealAlert, ctx: DaemonContext, factory: EventFactory): void {
  const halt = haltFor(a, factory);
  if (halt) ctx.sink.emit(halt);
}

export function haltFor(a: RealAlert, factory: EventFactory): EventOf<'HALT'> | null {
  if (a.code === 'EXECUTION_FAIL_CLOSED') return factory.make('HALT', { scope: 'global', reason: a.message });
  // A market the adapter halted (refused balance, a trade of its missing at the venue) halts on the bus too.
  if ((a.code === 'MARKET_HALTED_BALANCE' || a.code === 'TRADE_NOT_FOUND') && a.market_id) return factory.make('HALT', { scope: 'market', reason: a.message }, { market_id: a.market_id });
  return null;
}

/**
 * SIGTERM: no new real order, then every resting order of the account canceled at the venue (a
 * second pass catches an order that was in flight during the first). A shard of a scale-out that
 * shares the key with other shards cancels its own markets only: the others keep trading.
 */
export async function cancelEverythingAtVenue(ctx: DaemonContext, adapter: ClobExecutionAdapter): Promise<void> {
  adapter.refuseNew('the daemon is shutting down');
  const sweep = async () => {
    if (ctx.shard.count <= 1) return adapter.cancelAll();
    const ids = await Promise.all(ctx.localMarkets().map((m) => adapter.cancelMarket(m.spec.market_id)));
    return ids.flat();
  };
  try {
    let canceled = await sweep();
    if (adapter.tracker.live().length > 0 || adapter.inFlight() > 0) canceled = canceled.concat(await sweep());
    ctx.log.info({ canceled: canceled.length }, 'shutdown: every resting order canceled at the venue');
  } catch (err) {
    ctx.reportError('execution', new Error(`cancel-all at shutdown failed (the venue cancels once heartbeats stop): ${scrubText((err as Error).message)}`));
  }
}

/** The checklist's item of the same name, answered from the venue. */
export const WALLET_CHECK = 'wallet allowance';

/**
 * `healthcheck --live` with execution real: the key's collateral and its allowance for the
 * exchange, read the way the daemon's gate reads them (what a start would be refused for).
 */
export async function walletCheck(input: { config: HeliosConfig; secrets: Secrets; env: NodeJS.ProcessEnv; clock: Clock }): Promise<CheckResult> {
  const name = WALLET_CHECK;
  const opened = await openRealSession({ real: input.config.execution.real, executionReal: true, env: input.env, secrets: input.secrets, clock: input.clock, forPlacing: false });
  if (!opened.ok) return { name, status: 'fail', detail: scrubText(opened.message) };
  const h = await liveHealthcheck(opened.session, opened.cfg, input.clock);
  // Clock skew has its own live item; this one is the wallet's.
  const problems = h.problems.filter((p) => !p.startsWith('clock skew') && !p.startsWith('venue time'));
  if (problems.length) return { name, status: 'fail', detail: scrubText(problems.join('; ')) };
  return { name, status: 'pass', detail: `${h.collateral_usdc} USDC collateral (at least ${opened.cfg.healthcheck.min_collateral_usdc}), an allowance for the exchange` };
}
