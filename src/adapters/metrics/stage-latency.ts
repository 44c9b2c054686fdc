import type { Histogram } from 'prom-client';

/** The daemon's hot path, stage by stage, in the order a market frame travels it. */
export const HOT_PATH_STAGES = ['frame_to_book', 'book_to_best_price', 'best_price_to_decision', 'decision_to_order'] as const;
export type HotPathStage = (typeof HOT_PATH_STAGES)[number];

/** Where a stage's duration is reported: the hot path holds this, never the registry. */
export interface StageRecorder {
  record(stage: HotPathStage, ms: number): void;
}

/** p50/p99 of one stage over the last interval, and how many samples they stand for. */
export interface StageSummary {
  p50: number | null;
  p99: number | null;
  n: number;
}

/**
 * Per-stage latency of the hot path: every sample goes into the Prometheus histogram
 * (`stage_latency_ms{stage}`) and into a preallocated ring per stage, from which `drain()` computes
 * the interval's p50/p99 for the health payload. Recording allocates nothing (a frame must not pay
 * for being measured); when an interval has more samples than the ring holds, the newest win.
 */
export class StageLatency implements StageRecorder {
  private readonly rings: Float64Array[];
  private readonly counts: number[];
  private readonly children: Array<{ observe(v: number): void }>;

  constructor(
    histogram: Histogram<'stage'>,
    private readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`stage latency ring capacity must be a positive integer, got ${capacity}`);
    this.rings = HOT_PATH_STAGES.map(() => new Float64Array(capacity));
    this.counts = HOT_PATH_STAGES.map(() => 0);
    // Bound once: `observe({ stage }, v)` would build a label object per sample.
    this.children = HOT_PATH_STAGES.map((stage) => histogram.labels(stage));
  }

  record(stage: HotPathStage, ms: number): void {
    const i = HOT_PATH_STAGES.indexOf(stage);
    // A clock step backwards is not a negative latency.
    const v = ms > 0 ? ms : 0;
    this.children[i]!.observe(v);
    this.rings[i]![this.counts[i]! % this.capacity] = v;
    this.counts[i]!++;
  }

  /** The interval's summary per stage (null percentiles for a stage without samples); starts a new interval. */
  drain(): Record<HotPathStage, StageSummary> {
    const out = {} as Record<HotPathStage, StageSummary>;
    HOT_PATH_STAGES.forEach((stage, i) => {
      const n = this.counts[i]!;
      const held = Math.min(n, this.capacity);
      const sorted = this.rings[i]!.slice(0, held).sort();
      out[stage] = { p50: held ? quantile(sorted, 0.5) : null, p99: held ? quantile(sorted, 0.99) : null, n };
      this.counts[i] = 0;
    });
    return out;
  }
}

/** Nearest-rank quantile of ascending `sorted` (non-empty). */
function quantile(sorted: Float64Array, q: number): number {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round(sorted[idx]! * 1000) / 1000;
}
