import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { HOT_PATH_STAGES, StageLatency } from '../../src/adapters/metrics/stage-latency.ts';

describe('StageLatency: per-stage histograms and interval percentiles of the hot path', () => {
  it('summarizes each interval by nearest-rank p50/p99, counts every sample into stage_latency_ms, and starts afresh', async () => {
    const metrics = createMetrics();
    const stages = new StageLatency(metrics.stageLatencyMs, 1000);
    for (let i = 1; i <= 100; i++) stages.record('frame_to_book', i / 100);
    stages.record('decision_to_order', 7);
    // A clock stepping back is counted as 0, never as a negative latency.
    stages.record('book_to_best_price', -3);
    const first = stages.drain();
    expect(first.frame_to_book).toEqual({ p50: 0.5, p99: 0.99, n: 100 });
    expect(first.decision_to_order).toEqual({ p50: 7, p99: 7, n: 1 });
    expect(first.book_to_best_price).toEqual({ p50: 0, p99: 0, n: 1 });
    expect(first.best_price_to_decision).toEqual({ p50: null, p99: null, n: 0 });
    expect(stages.drain().frame_to_book).toEqual({ p50: null, p99: null, n: 0 });

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^stage_latency_ms_count\{stage="frame_to_book"\} 100$/m);
    expect(text).toMatch(/^stage_latency_ms_count\{stage="book_to_best_price"\} 1$/m);
    expect(text).toMatch(/^stage_latency_ms_bucket\{le="0.1",stage="book_to_best_price"\} 1$/m);
    expect(HOT_PATH_STAGES).toEqual(['frame_to_book', 'book_to_best_price', 'best_price_to_decision', 'decision_to_order']);
  });

  it('keeps the newest samples when an interval outgrows its ring', () => {
    const stages = new StageLatency(createMetrics().stageLatencyMs, 10);
    for (let i = 0; i < 25; i++) stages.record('frame_to_book', i < 15 ? 1000 : 1);
    expect(stages.drain().frame_to_book).toEqual({ p50: 1, p99: 1, n: 25 });
  });

  it('refuses a ring without room', () => {
    expect(() => new StageLatency(createMetrics().stageLatencyMs, 0)).toThrow(/positive integer/);
  });
});
