import type { DesiredSet } from '../../domain/subscriptions/desired-set.ts';
import { diffSubscriptions } from '../../domain/subscriptions/subscription-diff.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import type { Logger } from '../../adapters/log/logger.ts';

/** What the reconciler steers: the feed's subscriptions. */
export interface ReconcileTarget {
  /** Tokens the feed means to carry. */
  assigned(): ReadonlySet<string>;
  subscribe(ids: readonly string[]): void;
  unsubscribe(ids: readonly string[]): void;
  /** Live sockets whose subscriptions differ from their assignment resend the difference; returns how many tokens were out of place. */
  repairWire(): number;
}

export interface ReconcileReport {
  at: number;
  desired: number;
  /** Desired but not carried: subscribed now. */
  missing: string[];
  /** Carried but not desired: unsubscribed now. */
  extra: string[];
  /** Tokens out of place on live sockets, resent. */
  wire_drift: number;
}

export interface ReconcilerMetrics {
  reconciliations: number;
  drift_detected: number;
  corrections: number;
  failures: number;
  /** Clock time of the last completed reconciliation (null before the first). */
  last_reconciliation_at: number | null;
  last_drift: number;
}

/**
 * Declarative subscriptions: the desired set is the truth, the feed's subscriptions are made to
 * match it. Runs every `intervalMs`, on demand (`forceReconcile`), and before every socket
 * (re)subscribes; runs never overlap (a request during a run gets one more run after it).
 */
export class SubscriptionReconciler {
  readonly metrics: ReconcilerMetrics = {
    reconciliations: 0,
    drift_detected: 0,
    corrections: 0,
    failures: 0,
    last_reconciliation_at: null,
    last_drift: 0,
  };
  private inFlight: Promise<ReconcileReport> | null = null;
  private queued: Promise<ReconcileReport> | null = null;
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(
    private readonly desired: DesiredSet,
    private readonly target: ReconcileTarget,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Reconcile now; rejects when the desired set cannot be read. */
  forceReconcile(): Promise<ReconcileReport> {
    if (this.inFlight) {
      this.queued ??= this.inFlight.then(
        () => this.runAfterQueue(),
        () => this.runAfterQueue(),
      );
      return this.queued;
    }
    const run = this.runOnce().finally(() => {
      if (this.inFlight === run) this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private runAfterQueue(): Promise<ReconcileReport> {
    this.queued = null;
    return this.forceReconcile();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.forceReconcile()
        .catch((err: unknown) => this.logger?.warn({ err: (err as Error).message }, 'reconciliation failed'))
        .finally(() => {
          if (this.running) this.schedule();
        });
    }, this.intervalMs);
  }

  private async runOnce(): Promise<ReconcileReport> {
    let want: string[];
    try {
      want = await this.desired.members();
    } catch (err) {
      this.metrics.failures++;
      throw err;
    }
    const { missing, extra } = diffSubscriptions(want, this.target.assigned());
    if (extra.length > 0) this.target.unsubscribe(extra);
    if (missing.length > 0) this.target.subscribe(missing);
    const wire = this.target.repairWire();
    const drift = missing.length + extra.length + wire;
    const m = this.metrics;
    m.reconciliations++;
    m.drift_detected += drift;
    m.corrections += drift;
    m.last_drift = drift;
    m.last_reconciliation_at = this.clock.now();
    if (drift > 0) this.logger?.warn({ missing: missing.length, extra: extra.length, wire_drift: wire }, 'subscription drift corrected');
    return { at: m.last_reconciliation_at, desired: want.length, missing, extra, wire_drift: wire };
  }
}
