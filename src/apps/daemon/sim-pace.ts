import type { Metrics } from '../../adapters/metrics/metrics.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';

/** What /health says of the simulated clock's pace (`sim_pace`). */
export interface SimPaceReport {
  /** Virtual ms the clock trails its pace (a scale-out's shared timeline at --speed). */
  lag_ms: number;
  max_lag_ms: number;
  caught_up_lag_ms: number;
  /** Since the lag passed max_lag_ms, until it is back within caught_up_lag_ms. */
  behind: boolean;
  /** The largest lag of the current (or last) time behind; 0 before any. */
  worst_lag_ms: number;
}

export interface SimPaceWatchOptions {
  /** Virtual ms the simulated clock trails its pace (PacedClock.lagMs). */
  lagMs: () => number;
  maxLagMs: number;
  caughtUpLagMs: number;
  metrics: Pick<Metrics, 'simClockLagMs' | 'simClockMaxLagMs'>;
  factory: EventFactory;
  /** Where the ALERTs go (the daemon's sink: bus, journal, operator log); read at each alert, as the sink is built at start. */
  sink: () => EventSink;
}

/**
 * A simulated process that cannot keep its --speed falls behind the pace the others keep: its
 * clock judges their events older or newer than they are (fresh books stale, or the reverse).
 * This tells the operator: the lag as a gauge and in /health, one warn ALERT SIM_CLOCK_BEHIND
 * when it passes max_lag_ms and one info ALERT SIM_CLOCK_CAUGHT_UP once back within
 * caught_up_lag_ms (the gap between them keeps a lag wobbling around one threshold from alerting
 * at every check).
 */
export class SimPaceWatch {
  private behind = false;
  private worstLagMs = 0;

  constructor(private readonly opts: SimPaceWatchOptions) {
    opts.metrics.simClockMaxLagMs.set(opts.maxLagMs);
  }

  /** Reads the lag, updates the gauge and alerts on a crossing (called on the health interval). */
  check(): void {
    const { opts } = this;
    const lag = opts.lagMs();
    opts.metrics.simClockLagMs.set(lag);
    if (this.behind) this.worstLagMs = Math.max(this.worstLagMs, lag);
    if (!this.behind && lag > opts.maxLagMs) {
      this.behind = true;
      this.worstLagMs = lag;
      this.alert(
        'warn',
        'SIM_CLOCK_BEHIND',
        `simulated clock ${lag} ms behind its pace (daemon.sim.max_lag_ms ${opts.maxLagMs}): this process cannot keep --speed, and judges the other processes' events by a clock that far behind; it catches up by firing every timer it owes, never by jumping over them (a lower --speed, or fewer markets per process, keeps it on time)`,
      );
    } else if (this.behind && lag <= opts.caughtUpLagMs) {
      this.behind = false;
      this.alert('info', 'SIM_CLOCK_CAUGHT_UP', `simulated clock back within ${opts.caughtUpLagMs} ms of its pace (${lag} ms behind; at worst ${this.worstLagMs} ms)`);
    }
  }

  report(): SimPaceReport {
    const { opts } = this;
    return { lag_ms: opts.lagMs(), max_lag_ms: opts.maxLagMs, caught_up_lag_ms: opts.caughtUpLagMs, behind: this.behind, worst_lag_ms: this.worstLagMs };
  }

  private alert(severity: 'warn' | 'info', code: string, message: string): void {
    this.opts.sink().emit(this.opts.factory.make('ALERT', { severity, code, message }, {}));
  }
}
