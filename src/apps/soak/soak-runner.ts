import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../config/load.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import { compareBooks } from '../../domain/soak/book-compare.ts';
import { FAULT_CLASSES, zeroFaultCounts, type FaultClass, type FaultCounts, type SoakExecution, type VenueFaultClass } from '../../domain/soak/fault-classes.ts';
import { nodeBookSyncAtOrders } from '../../domain/soak/node-books.ts';
import { SoakReferee, type RefereeMarket } from '../../domain/soak/referee.ts';
import { soakSchedule, type SoakAction } from '../../domain/soak/schedule.ts';
import type { SoakSummary } from '../../domain/soak/summary.ts';
import type { SimUniverse } from '../../sim/sim-universe.ts';
import { daemonSimUniverse } from '../../sim/clob/stand-in-venue.ts';
import { DaemonProcess, type DaemonExit } from './daemon-process.ts';
import { EventTap } from './event-tap.ts';
import { auditJournal, type InstanceSpan, type JournalAudit } from './journal-audit.ts';
import { auditPaperFills, readTradingSessions } from './paper-fill-audit.ts';
import { freeLoopbackPort, OwnRedisServer, sleep, waitFor } from './redis-process.ts';
import { planInputs, soakDaemonOverlay, soakPlan, soakVenueFaults } from './soak-profile.ts';
import { forceVenueFault } from './venue-injector.ts';
import { RealExecutionSoak } from './real-execution-soak.ts';

export interface SoakRunOptions {
  minutes: number;
  seed: number;
  faults: readonly FaultClass[];
  /** A Redis the user runs: the daemon's bus, never killed (redis_kill needs `ownRedis`). */
  redisUrl?: string;
  /** Start our own redis-server (this executable) on a free loopback port: the bus, and the one redis_kill kills. */
  ownRedis?: { binary: string };
  dataDir: string;
  /** real: the daemon's real adapter trades against a stand-in CLOB this harness hosts (real-execution-soak.ts). */
  execution?: SoakExecution;
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a human (stderr in the CLI). */
  progress?: (line: string) => void;
}

interface MirrorBook {
  token_id: string;
  synced: boolean;
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
}

type SimFaultStats = Partial<Record<'truth_conflict' | 'truth_stale' | 'weather_stale', number>>;

interface Instance {
  span: InstanceSpan;
  process: DaemonProcess;
  tap: EventTap;
  lastStats: { errors: number; sim_faults: SimFaultStats };
  ended: boolean;
  exit: DaemonExit | null;
  /** When the harness asked it to stop (SIGTERM). */
  stopRequestedMs: number | null;
}

/**
 * `helios soak`: runs the daemon as a child process against a venue simulator this harness hosts,
 * injects every selected fault class at seeded times, kills and restarts the daemon (and Redis),
 * pauses at checkpoints to compare every mirrored book with the venue's true book, and at the end
 * audits the journal with an independent referee. See docs/soak.md.
 */
export class SoakRun {
  private readonly o: SoakRunOptions;
  private config!: HeliosConfig;
  private universe!: SimUniverse;
  private venue!: VenueSimulator;
  private port = 0;
  private configFile = '';
  private readonly instances: Instance[] = [];
  private readonly faults: FaultCounts = zeroFaultCounts();
  private readonly recoveries: FaultCounts = zeroFaultCounts();
  private readonly credited: FaultCounts = zeroFaultCounts();
  private bookMismatches = 0;
  private deepDivergences = 0;
  private harnessErrors: string[] = [];
  private readonly checkpoints: Array<Record<string, unknown>> = [];
  private readonly mismatchExamples: string[] = [];
  private readonly restartToReadyMs: number[] = [];
  private scraper: NodeJS.Timeout | null = null;
  private stopping = false;
  private redis: OwnRedisServer | null = null;
  /** The bus URL of the soaked daemon: the user's Redis, our own, or none (in-memory bus). */
  private busUrl: string | undefined;
  private readonly injectFailures: string[] = [];
  /** The soak's start (epoch ms): the schedule's offsets and the daemon's esports matches count from it. */
  private t0 = 0;
  private real: RealExecutionSoak | null = null;
  private restartingFailedClosed = false;

  constructor(o: SoakRunOptions) {
    this.o = o;
  }

  private say(line: string): void {
    this.o.progress?.(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
  }

  async run(): Promise<SoakSummary> {
    const o = this.o;
    const soakDir = path.join(o.dataDir, 'soak');
    mkdirSync(soakDir, { recursive: true });
    this.configFile = path.join(soakDir, 'daemon-config.yaml');
    if (o.redisUrl && o.ownRedis) throw new Error('either a Redis URL or our own redis-server, not both');
    this.busUrl = o.redisUrl;
    if (o.ownRedis) {
      const dir = path.join(soakDir, 'redis');
      this.redis = await OwnRedisServer.start({ binary: o.ownRedis.binary, dir, logFile: path.join(soakDir, 'redis-server.log') });
      this.busUrl = this.redis.url;
      this.say(`started redis-server (pid ${this.redis.pid}) at ${this.redis.url}, data in ${dir}`);
    }
    try {
      return await this.soak();
    } finally {
      await this.real?.close();
      await this.redis?.stop();
    }
  }

  private async soak(): Promise<SoakSummary> {
    const o = this.o;

    // The universe first (it does not depend on the venue's address), then the venue, then the
    // daemon's configuration naming it.
    const base = this.writeConfig(null);
    this.universe = daemonSimUniverse(base, Date.now());
    this.venue = new VenueSimulator({ seed: o.seed, markets: this.universe.markets.map((m) => m.venue), faults: soakVenueFaults(base.soak, o.faults) });
    const urls = await this.venue.start();
    if (o.execution === 'real') this.real = await RealExecutionSoak.start(this.venue, this.universe);
    // The soak starts now: the daemon's matches are anchored here (the universe above does not
    // depend on when), the schedule counts from here.
    this.t0 = Date.now();
    this.config = this.writeConfig({ wsUrl: urls.wsUrl, restUrl: urls.restUrl });
    this.venue.run(this.config.daemon.sim.venue_events_per_s);
    this.port = await freeLoopbackPort();

    const durationMs = Math.round(o.minutes * 60_000);
    const s = this.config.soak;
    // The command refuses a duration this plan cannot fit; a direct caller gets no kill floor.
    const plan = soakPlan(planInputs(this.config), o.faults, o.seed, durationMs);
    const killsNotBeforeMs = plan?.killsNotBeforeMs ?? 0;
    const schedule = soakSchedule({ duration_ms: durationMs, seed: o.seed, faults: o.faults, checkpoint_every_ms: s.checkpoint_every_ms, kill_every_ms: s.kill_every_ms, kills_not_before_ms: killsNotBeforeMs, heartbeat_at_ms: plan?.heartbeatAtMs });
    this.say(`${this.universe.markets.length} markets, ${this.tokens().length} tokens, faults: ${o.faults.join(',')}; ${schedule.length} scheduled actions over ${o.minutes} min`);
    if (plan) {
      const first = plan.opportunities[0];
      this.say(`esports matches anchored to the soak's start; kills after ${Math.round(killsNotBeforeMs / 1000)} s (the requested truth faults have begun); ${plan.opportunities.length} planned trading opportunities${first ? `, the first ${Math.round(first.from / 1000)}–${Math.round(first.to / 1000)} s (${first.match_id})` : ''}`);
    }

    const t0 = this.t0;
    const started = await this.startInstance().then(
      () => true,
      (err: Error) => (this.harnessError(`the daemon did not start: ${err.message}`), false),
    );
    this.scraper = setInterval(() => void this.scrape(), this.config.soak.scrape_interval_ms);
    for (const action of started ? schedule : []) {
      const wait = t0 + action.at_ms - Date.now();
      if (wait > 0) await sleep(wait);
      await this.perform(action).catch((err: Error) => this.harnessError(`${action.kind}: ${err.message}`));
    }
    clearInterval(this.scraper);
    this.stopping = true;
    await this.real?.settle();
    await this.stopInstance();
    await this.venue.stop();
    return this.judge(o.minutes);
  }

  private writeConfig(venue: { wsUrl: string; restUrl: string } | null): HeliosConfig {
    const base = loadConfig({ env: this.o.env ?? process.env }).config;
    const overlay = soakDaemonOverlay({ ...planInputs(base), faults: this.o.faults, venue, redisUrl: this.busUrl, streamPrefix: `${base.bus.stream_prefix}-soak-${this.t0}`, durationMs: Math.round(this.o.minutes * 60_000), seed: this.o.seed, anchorMs: this.t0 });
    (overlay as { app?: unknown }).app = { seed: this.o.seed };
    if (this.real) overlay.execution = { ...(overlay.execution as object), ...this.real.daemonExecution() };
    writeFileSync(this.configFile, toYaml(overlay));
    return loadConfig({ file: this.configFile, env: this.o.env ?? process.env }).config;
  }

  private tokens(): string[] {
    return this.universe.markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]).sort();
  }

  private get current(): Instance | undefined {
    return this.instances[this.instances.length - 1];
  }

  // ---- daemon processes ----------------------------------------------------------------------

  private async startInstance(): Promise<void> {
    const index = this.instances.length;
    const proc = new DaemonProcess({
      configFile: this.configFile,
      dataDir: this.o.dataDir,
      port: this.port,
      redisUrl: this.busUrl,
      logFile: path.join(this.o.dataDir, 'soak', `daemon-${index}.log`),
      env: { ...this.o.env, ...(this.real ? RealExecutionSoak.env() : {}) },
    });
    const tap = new EventTap(`ws://127.0.0.1:${this.port}${this.config.api.ws_path}`);
    const instance: Instance = { span: { index, start_ms: proc.startedAt, end_ms: Infinity, graceful: false, tapped: tap.events }, process: proc, tap, lastStats: { errors: 0, sim_faults: {} }, ended: false, exit: null, stopRequestedMs: null };
    this.instances.push(instance);
    void proc.exited.then((exit) => this.onExit(instance, exit));
    await waitFor(async () => instance.ended || (await this.get('/health').then(() => true, () => false)), this.config.soak.ready_timeout_ms, 'daemon API did not come up');
    if (instance.ended) return;
    await tap.connect();
    const allSynced = async () => {
      const books = await this.books();
      return books.length === this.tokens().length && books.every((b) => b.synced);
    };
    const ready = await waitFor(allSynced, this.config.soak.ready_timeout_ms, 'not ready').then(
      () => true,
      () => false,
    );
    if (index > 0 && ready) this.restartToReadyMs.push(Date.now() - proc.startedAt);
    this.say(`daemon #${index} (pid ${proc.pid}) ${ready ? `ready in ${Date.now() - proc.startedAt} ms` : 'NOT ready within the timeout'}`);
  }

  private onExit(instance: Instance, exit: DaemonExit): void {
    instance.ended = true;
    instance.exit = exit;
    instance.span.end_ms = Date.now();
    instance.tap.close();
    if (exit.crashed && !this.stopping) {
      this.harnessError(`daemon #${instance.span.index} exited on its own (code ${exit.code}, signal ${exit.signal})`);
      void sleep(this.config.soak.restart_delay_ms)
        .then(() => this.startInstance())
        .catch((err: Error) => this.harnessError(`restarting the daemon: ${err.message}`));
    }
  }

  private async stopInstance(): Promise<void> {
    const inst = this.current;
    if (!inst || inst.ended) return;
    inst.stopRequestedMs = Date.now();
    const exit = await inst.process.stop(this.config.daemon.shutdown_timeout_ms + 5000);
    inst.span.graceful = exit.code === 0 && exit.signal === null;
    if (!inst.span.graceful) this.harnessError(`daemon #${inst.span.index} did not stop cleanly (code ${exit.code}, signal ${exit.signal})`);
  }

  private async killDaemon(): Promise<void> {
    const inst = this.current;
    if (!inst || inst.ended) return;
    this.faults.daemon_kill++;
    this.say(`SIGKILL daemon #${inst.span.index}`);
    await inst.process.kill();
    await sleep(this.config.soak.restart_delay_ms);
    await this.startInstance();
  }

  private async killRedis(): Promise<void> {
    if (!this.redis) return;
    this.faults.redis_kill++;
    this.say(`SIGKILL redis-server (pid ${this.redis.pid}, started by this soak)`);
    await this.redis.killAndRestart(this.config.soak.restart_delay_ms);
    this.say('redis-server restarted');
  }

  // ---- observation ---------------------------------------------------------------------------

  private async get<T>(route: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}${route}`, { signal: AbortSignal.timeout(5000) });
    if (res.status >= 500 && route !== '/health') throw new Error(`${route}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  private async books(): Promise<MirrorBook[]> {
    return (await this.get<{ books: MirrorBook[] }>('/books')).books;
  }

  private async scrape(): Promise<void> {
    const inst = this.current;
    if (!inst || inst.ended) return;
    try {
      const stats = await this.get<{ summary?: { errors?: number }; sim_faults?: SimFaultStats }>('/stats');
      if (!inst.ended) inst.lastStats = { errors: stats.summary?.errors ?? 0, sim_faults: stats.sim_faults ?? {} };
    } catch {
      // The daemon may be starting or just killed; the next scrape tries again.
    }
    // The CLOB faults waiting on the daemon (a live heartbeat chain, a connected user socket) are looked at every scrape.
    this.real?.injector.poll();
    if (this.real && inst.tap.failedClosed && !this.restartingFailedClosed && !this.stopping) void this.restartFailedClosed();
  }

  /** A failed-closed adapter trades no more in that life: like an operator, the harness restarts the daemon. */
  private async restartFailedClosed(): Promise<void> {
    this.restartingFailedClosed = true;
    this.say(`daemon #${this.current!.span.index} failed closed (its heartbeats were refused): restarting it`);
    await this.stopInstance()
      .then(() => sleep(this.config.soak.restart_delay_ms))
      .then(() => this.startInstance())
      .catch((err: Error) => this.harnessError(`restarting the daemon after it failed closed: ${err.message}`))
      .finally(() => (this.restartingFailedClosed = false));
  }

  /** Faults injected so far, from the venue, the daemons' simulators, the tap and the harness. */
  private countFaults(): FaultCounts {
    const v = this.venue.stats.faults;
    const f = this.faults;
    f.ws_disconnect = v.disconnect;
    f.ws_policy_close = v.policy_close;
    f.ws_freeze = v.freeze;
    f.frame_drop = v.drop;
    f.frame_duplicate = v.duplicate;
    f.frame_reorder = v.reorder;
    f.frame_malformed = v.malformed;
    f.crossed_update = v.crossed_update;
    f.tick_size_change = v.tick_size_change;
    f.rest_429 = v.rest_429;
    f.rest_5xx = v.rest_5xx;
    f.weather_stale = this.sumSim('weather_stale');
    f.truth_stale = this.sumSim('truth_stale');
    f.truth_conflict = this.sumSim('truth_conflict');
    f.paper_fill_failed = this.instances.reduce((n, i) => n + i.tap.failedFills, 0);
    if (this.real) Object.assign(f, this.real.injector.injected());
    for (const c of FAULT_CLASSES) if (!this.o.faults.includes(c)) f[c] = 0;
    return { ...f };
  }

  private sumSim(key: keyof SimFaultStats): number {
    return this.instances.reduce((n, i) => n + (i.lastStats.sim_faults[key] ?? 0), 0);
  }

  // ---- the timeline --------------------------------------------------------------------------

  private async perform(action: SoakAction): Promise<void> {
    if (action.kind === 'daemon_kill') return this.killDaemon();
    if (action.kind === 'redis_kill') return this.killRedis();
    if (action.kind === 'inject') return this.inject(action.fault);
    if (action.kind === 'clob') {
      this.say(`armed ${action.fault}`);
      return this.real?.arm(action.fault);
    }
    return this.checkpoint(action.final);
  }

  /**
   * Faults paused, then the order flow; once every book is synced (or the settle time is up) each
   * mirrored book is compared with the venue's true book. A healthy checkpoint — every book synced
   * and equal at the top, every subscription restored, no frozen connection left — credits every
   * fault injected before it as recovered.
   */
  private async checkpoint(final: boolean): Promise<void> {
    const s = this.config.soak;
    // Faults off, then fault-free order flow for a while: every price_change carries the venue's
    // best prices, so a book left wrong by a dropped or reordered frame gets its chance to notice
    // (as it would in a live market) before it is judged. Then the flow stops too.
    this.venue.pauseFaults();
    this.venue.flushHeld();
    await sleep(s.checkpoint_clean_flow_ms);
    this.venue.pause();
    await sleep(s.checkpoint_quiet_ms);
    await this.scrape();
    const tokens = this.tokens();
    const settled = await waitFor(
      async () => {
        if (this.venue.frozenConnections() > 0) return false;
        const subs = new Set(this.venue.subscriptions());
        if (!tokens.every((t) => subs.has(t))) return false;
        const books = await this.books().catch(() => []);
        return books.length === tokens.length && books.every((b) => b.synced);
      },
      s.checkpoint_settle_timeout_ms,
      'settle',
    ).then(
      () => true,
      () => false,
    );
    await sleep(s.checkpoint_quiet_ms);
    const books = await this.books().catch(() => [] as MirrorBook[]);
    let unsynced = 0;
    let mismatches = 0;
    let deep = 0;
    for (const token of tokens) {
      const b = books.find((x) => x.token_id === token);
      if (!b || !b.synced) {
        unsynced++;
        continue;
      }
      const cmp = compareBooks(b, this.venue.trueBook(token));
      if (!cmp.top_equal) {
        mismatches++;
        if (this.mismatchExamples.length < 10) this.mismatchExamples.push(`${token}: ${cmp.detail}`);
      } else if (!cmp.depth_equal) deep++;
    }
    this.bookMismatches += mismatches;
    this.deepDivergences += deep;
    const counts = this.countFaults();
    const positionsEqual = !this.real || (await this.real.checkpoint(() => this.instances.map((i) => i.tap.positions), this.config.execution.reconcile.position_tolerance_shares, `checkpoint ${this.checkpoints.length}`));
    const healthy = settled && unsynced === 0 && mismatches === 0 && positionsEqual && !!this.current && !this.current.ended && (!this.real || this.real.standIn.userConnections() > 0);
    if (healthy) {
      for (const c of FAULT_CLASSES) {
        this.recoveries[c] += counts[c] - this.credited[c];
        this.credited[c] = counts[c];
      }
    }
    this.checkpoints.push({ final, healthy, unsynced, mismatches, deep_divergences: deep });
    this.say(`checkpoint${final ? ' (final)' : ''}: ${healthy ? 'healthy' : 'NOT healthy'}; ${tokens.length - unsynced}/${tokens.length} synced, ${mismatches} best-price mismatches, ${deep} books differing in sizes or depth`);
    if (!final) {
      this.venue.resumeFaults();
      this.venue.run(this.config.daemon.sim.venue_events_per_s);
    }
  }

  private async inject(fault: VenueFaultClass): Promise<void> {
    try {
      await forceVenueFault(this.venue, fault, this.config.soak.inject_timeout_ms);
      this.say(`injected ${fault}`);
    } catch (err) {
      // Not a daemon error: the class shows up in not_injected if it never happened at all.
      this.injectFailures.push((err as Error).message);
      this.say(`WARNING ${(err as Error).message}`);
    }
  }

  private harnessError(message: string): void {
    this.harnessErrors.push(message);
    this.say(`ERROR ${message}`);
  }

  // ---- the verdict ---------------------------------------------------------------------------

  private async judge(minutes: number): Promise<SoakSummary> {
    const faults = this.countFaults();
    const spans = this.instances.map((i) => i.span);
    const audit = await auditJournal(this.o.dataDir, spans, this.config.soak.durability_horizon_ms, this.busUrl ? { url: this.busUrl, prefix: this.config.bus.stream_prefix } : undefined).catch(
      // Without the audit nothing is proven: the error fails the soak, the summary still prints.
      (err: Error): JournalAudit => (this.harnessError(`auditing the journal: ${err.message}`), { records: [], skipped_lines: 0, lost: [], checked_against_journal: 0, checked_against_redis: 0 }),
    );
    const markets: RefereeMarket[] = this.universe.markets.map((m) => ({
      market_id: m.spec.market_id,
      yes_token: m.spec.yes_token,
      no_token: m.spec.no_token,
      fair_source: m.spec.fair_source.kind,
      match_id: m.match_id,
      station_id: m.station_id,
      fee: m.spec.fee,
    }));
    // The daemon's paced clock trails the wall clock by up to a few ticks: a second of margin.
    const shutdowns = new Map(this.instances.filter((i) => i.span.graceful && i.stopRequestedMs !== null).map((i) => [i.span.index, i.stopRequestedMs! - 1000] as [number, number]));
    // A naked leg may last the trading bound plus one order's round trip (place, then cancel or fill).
    const nakedLegMaxMs = this.config.trading.pair_arb.naked_leg_max_ms + this.config.risk.breakers.max_order_latency_ms;
    const sessions = await readTradingSessions(this.o.dataDir).catch((err: Error) => (this.harnessError(`reading the dispatch logs: ${err.message}`), [])); // what the trading nodes consumed
    const referee = new SoakReferee(markets, { ...this.config.trading.staleness, naked_leg_max_ms: nakedLegMaxMs }, shutdowns, nodeBookSyncAtOrders(audit.records, sessions));
    for (const r of audit.records) referee.observe(r);
    const verdict = referee.finish();
    // Real fills are the venue's matches against its own book, not paper's against the node's.
    const paperFills = this.real ? { judged: 0, overfills: 0, unjudged: 0, examples: [], sessions: 0 } : auditPaperFills(sessions, audit.records);
    if (paperFills.sessions === 0 && paperFills.unjudged > 0) this.harnessError(`${paperFills.unjudged} paper fills but no dispatch log to judge them against`);
    const daemonErrors = this.instances.reduce((n, i) => n + (i.exit?.summary?.errors ?? i.lastStats.errors), 0);
    const crashes = this.instances.filter((i) => i.exit?.crashed).length;
    const real = this.real?.judge(audit.records, spans, this.config.execution.reconcile.position_tolerance_shares);
    return {
      kind: 'soak_summary',
      minutes,
      execution: this.o.execution ?? 'paper',
      faults,
      recoveries: this.recoveries,
      max_resync_ms: verdict.max_resync_ms,
      orders_while_unsynced: verdict.orders_while_unsynced,
      orders_while_stale: verdict.orders_while_stale,
      orders_while_halted: verdict.orders_while_halted,
      lost_events: audit.lost.length,
      duplicate_orders: verdict.duplicate_orders,
      unhandled_errors: daemonErrors + this.harnessErrors.length,
      book_mismatches: this.bookMismatches,
      naked_legs: verdict.naked_legs,
      paper_overfills: verdict.order_overfills + paperFills.overfills,
      ...real?.figures,
      not_injected: this.o.faults.filter((c) => faults[c] === 0),
      detail: {
        seed: this.o.seed,
        data_dir: this.o.dataDir,
        bus: this.o.ownRedis ? 'redis (started by the soak)' : this.o.redisUrl ? 'redis' : 'in_memory',
        inject_failures: this.injectFailures,
        daemon_processes: this.instances.length,
        crashes,
        restart_to_ready_ms: this.restartToReadyMs,
        orders: verdict.orders, orders_decided_before_resync: verdict.orders_decided_before_resync,
        max_naked_leg_ms: verdict.max_naked_leg_ms,
        paper_fills: { taker_fills_judged: paperFills.judged, beyond_book: paperFills.overfills, beyond_order_size: verdict.order_overfills, unjudged_after_log_end: paperFills.unjudged, trading_sessions: paperFills.sessions, examples: paperFills.examples },
        resyncs: verdict.resyncs,
        unfinished_resyncs: verdict.unfinished_resyncs,
        journal_records: audit.records.length,
        journal_torn_lines: audit.skipped_lines,
        events_checked_against_journal: audit.checked_against_journal,
        events_checked_against_redis: audit.checked_against_redis,
        checkpoints: this.checkpoints,
        deep_level_divergences: this.deepDivergences,
        venue: { steps: this.venue.stats.steps, frames_sent: this.venue.stats.frames_sent, connections_opened: this.venue.stats.connections_opened, rest_requests: this.venue.stats.rest_requests },
        harness_errors: this.harnessErrors,
        book_mismatch_examples: this.mismatchExamples,
        violations: verdict.examples,
        lost_examples: audit.lost.slice(0, 10),
        ...real?.detail,
      },
    };
  }
}
