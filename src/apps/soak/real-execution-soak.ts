import type { HeliosConfig } from '../../config/schema.ts';
import { judgeExecution, journalPositions, positionMismatches, type ExecutionVerdict, type PositionMismatch, type ProcessWindow } from '../../domain/soak/execution-referee.ts';
import type { ClobFaultClass } from '../../domain/soak/fault-classes.ts';
import type { RefereeRecord } from '../../domain/soak/referee.ts';
import type { RealExecutionFigures } from '../../domain/soak/summary.ts';
import type { ClobStandIn } from '../../sim/clob/clob-server.ts';
import { startCrowdStandIn } from '../../sim/clob/crowd-stand-in.ts';
import { DEV_ADDRESS, DEV_KEY } from '../../sim/clob/dev-key.ts';
import { standInExecutionUrls } from '../../sim/clob/stand-in-venue.ts';
import type { SimUniverse } from '../../sim/sim-universe.ts';
import type { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import { ClobInjector } from './clob-injector.ts';
import { sleep, waitFor } from './redis-process.ts';

/** Collateral the soak's key starts with at the stand-in: never the limit on what the daemon trades. */
const SOAK_USDC = 100_000;
/** Trades settle MATCHED → MINED → CONFIRMED this long a step. */
const SETTLE_STEP_MS = 200;
/** The stand-in's dead-man switch: no heartbeat for this long and it cancels every order of the key. */
const DEAD_MAN_MS = 3000;
/** helios learns of a match after the venue made it: a checkpoint gives positions this long to agree. */
const POSITION_SETTLE_MS = 5000;
/**
 * The esports markets' matching delay at the stand-in, seconds (Polymarket delays sports markets'
 * marketable orders): the daemon's FAKs there wait DELAYED, open, with its heartbeats beating, as
 * at the venue; without it every FAK matched at once and a heartbeat chain was rarely running for
 * the heartbeat fault to meet.
 */
const SPORTS_SECONDS_DELAY = 2;
/** Heartbeats refused in a row before the soaked daemon's adapter fails closed. */
const HEARTBEAT_MAX_MISSES = 2;

/**
 * The real-execution side of `helios soak --execution real`: the stand-in CLOB on loopback
 * (in the harness's process) matching against the soak's venue simulator, the development key
 * funded; the CLOB fault classes armed and counted (clob-injector.ts); positions compared with the
 * venue's at every checkpoint; and at the end the venue's records judged against the journal
 * (domain/soak/execution-referee.ts).
 */
export class RealExecutionSoak {
  readonly injector: ClobInjector;
  private mismatches = 0;
  private readonly mismatchExamples: Array<PositionMismatch & { at: string }> = [];
  private readonly checkpointsJudged: number[] = [];

  private constructor(
    readonly standIn: ClobStandIn,
    readonly clob: { http: string; ws: string },
  ) {
    this.injector = new ClobInjector(standIn, DEV_ADDRESS, HEARTBEAT_MAX_MISSES);
  }

  static async start(venue: VenueSimulator, universe: SimUniverse): Promise<RealExecutionSoak> {
    const { standIn, clob } = await startCrowdStandIn({ venue, universe, usdc: SOAK_USDC, heartbeatTimeoutMs: DEAD_MAN_MS, autoSettleMs: SETTLE_STEP_MS, sportsSecondsDelay: SPORTS_SECONDS_DELAY });
    return new RealExecutionSoak(standIn, clob);
  }

  /** What the daemon needs in its environment to place real orders (the stand-in's development key). */
  static env(): NodeJS.ProcessEnv {
    return { HELIOS_CONFIRM_REAL_ORDERS: 'yes', HELIOS_POLY_PRIVATE_KEY: DEV_KEY };
  }

  /**
   * The daemon's execution section: the real adapter at the stand-in, with timings sized to a
   * soak of minutes (a lost answer gives up in 3 s, heartbeats every 0.5 s, two misses fail closed).
   */
  daemonExecution(): Record<string, unknown> {
    return {
      adapter: 'real',
      real: {
        ...standInExecutionUrls(this.clob),
        request_timeout_ms: 3000,
        backoff: { initial_ms: 100, max_ms: 1000, max_attempts: 6 },
        heartbeat: { interval_ms: 500, max_misses: HEARTBEAT_MAX_MISSES },
        user_channel: { ping_interval_ms: 5000, reconnect_initial_ms: 100, reconnect_max_ms: 1000 },
      },
    };
  }

  arm(fault: ClobFaultClass): void {
    this.injector.arm(fault);
  }

  venuePositions(): Map<string, number> {
    return new Map(this.standIn.venue.positionsOf(DEV_ADDRESS).map((p) => [p.tokenId, p.shares]));
  }

  /**
   * helios's positions (what its daemons last published, one map per life: the latest life wins,
   * token by token) against the venue's, given a few seconds to agree (a match reaches helios after
   * the venue made it); the tokens still apart count.
   */
  async checkpoint(published: () => ReadonlyArray<ReadonlyMap<string, number>>, tolerance: number, label: string): Promise<boolean> {
    const helios = () => new Map(published().flatMap((m) => [...m]));
    let apart: PositionMismatch[] = [];
    await waitFor(
      async () => (apart = positionMismatches(helios(), this.venuePositions(), tolerance)).length === 0,
      POSITION_SETTLE_MS,
      'positions',
    ).catch(() => {});
    this.checkpointsJudged.push(apart.length);
    this.mismatches += apart.length;
    for (const m of apart) if (this.mismatchExamples.length < 10) this.mismatchExamples.push({ ...m, at: label });
    return apart.length === 0;
  }

  /** Before the final stop: no trade left between MATCHED and its final status. */
  async settle(): Promise<void> {
    const open = () => [...this.standIn.venue.trades.values()].filter((t) => t.status !== 'CONFIRMED' && t.status !== 'FAILED').length;
    await waitFor(async () => open() === 0, 10 * SETTLE_STEP_MS + 2000, 'trades settled').catch(() => {});
    await sleep(SETTLE_STEP_MS);
  }

  /** The verdict from the venue's records and the journal, and the final position check (every daemon stopped). */
  judge(records: readonly RefereeRecord[], windows: readonly ProcessWindow[], tolerance: number): { figures: RealExecutionFigures; detail: Record<string, unknown> } {
    const v = this.standIn.venue;
    const verdict: ExecutionVerdict = judgeExecution(
      records,
      { orders: [...v.orders.values()].map((o) => ({ id: o.id, accepted_ms: o.accepted_ms })), trades: [...v.trades.values()].map((t) => ({ id: t.id, order_id: t.order_id, status: t.status, status_ms: t.status_ms })), duplicate_submissions: v.duplicateSubmissions },
      windows,
    );
    const final = positionMismatches(journalPositions(records), this.venuePositions(), tolerance);
    for (const m of final) if (this.mismatchExamples.length < 20) this.mismatchExamples.push({ ...m, at: 'end (journal)' });
    const { examples, ...counts } = verdict;
    return {
      figures: {
        orders_while_failed_closed: verdict.orders_while_failed_closed,
        venue_duplicate_orders: verdict.venue_duplicate_orders,
        lost_fills: verdict.lost_fills,
        double_counted_fills: verdict.double_counted_fills,
        position_mismatches: this.mismatches + final.length,
      },
      detail: {
        clob: { ...counts, positions_held_at_end: this.venuePositions().size, position_checks: [...this.checkpointsJudged, final.length], orders_delayed: v.delayedAccepted, injector: this.injector.detail(), requests: this.standIn.requests.length },
        position_mismatch_examples: this.mismatchExamples,
        execution_violations: examples,
      },
    };
  }

  close(): Promise<void> {
    return this.standIn.close();
  }
}

