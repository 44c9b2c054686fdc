import { describe, expect, it, vi } from 'vitest';
import { HOT_PATH_STAGES } from '../../src/adapters/metrics/stage-latency.ts';
import { fetchJson as json } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * The hot path's stage latency on live traffic: a real `helios run` child process (embedded
 * simulated venue, paper execution) trades until every stage has samples in `stage_latency_ms`.
 */

const { start, tempDir } = processScope('helios-stages-');

interface StageHistogram {
  count: number;
  sum: number;
  buckets: Array<{ le: number; cumulative: number }>;
}

function parseStageHistograms(text: string): Map<string, StageHistogram> {
  const out = new Map<string, StageHistogram>();
  const of = (stage: string) => out.get(stage) ?? out.set(stage, { count: 0, sum: 0, buckets: [] }).get(stage)!;
  for (const line of text.split('\n')) {
    const bucket = /^stage_latency_ms_bucket\{le="([^"]+)",stage="([^"]+)"\} (\S+)$/.exec(line) ?? /^stage_latency_ms_bucket\{stage="([^"]+)",le="([^"]+)"\} (\S+)$/.exec(line);
    if (bucket) {
      const [le, stage] = line.indexOf('{le=') >= 0 ? [bucket[1]!, bucket[2]!] : [bucket[2]!, bucket[1]!];
      of(stage).buckets.push({ le: le === '+Inf' ? Infinity : Number(le), cumulative: Number(bucket[3]) });
      continue;
    }
    const total = /^stage_latency_ms_(count|sum)\{stage="([^"]+)"\} (\S+)$/.exec(line);
    if (total) of(total[2]!)[total[1] as 'count' | 'sum'] = Number(total[3]);
  }
  return out;
}

/** The upper bound of the bucket holding quantile `q` (what a histogram can tell of it). */
function bucketQuantile(h: StageHistogram, q: number): number {
  const rank = q * h.count;
  return h.buckets.find((b) => b.cumulative >= rank)!.le;
}

describe('per-stage hot-path latency (helios run, embedded default)', () => {
  it('exports stage_latency_ms with samples for every stage, frame → book → BEST_PRICE → decision → order', { timeout: 90_000 }, async () => {
    const daemon = start(['run', '--port', '0', '--data-dir', tempDir(), '--speed', '20'], {});
    const url = await daemon.apiUrl();
    const stages = await vi.waitFor(
      async () => {
        const hist = parseStageHistograms(await (await fetch(`${url}/metrics`)).text());
        for (const stage of HOT_PATH_STAGES) expect(hist.get(stage)?.count ?? 0, `samples of ${stage}`).toBeGreaterThan(0);
        return hist;
      },
      { timeout: 60_000, interval: 500 },
    );
    for (const stage of HOT_PATH_STAGES) {
      const h = stages.get(stage)!;
      expect(h.sum, `${stage} sum`).toBeGreaterThanOrEqual(0);
      // No sample below zero: the lowest bucket's bound is positive and holds what was ≤ it.
      expect(h.buckets[0]!.le).toBeGreaterThan(0);
      expect(h.buckets.at(-1)!.cumulative).toBe(h.count);
      expect(bucketQuantile(h, 0.99), `${stage} p99 ≥ p50`).toBeGreaterThanOrEqual(bucketQuantile(h, 0.5));
    }
    // The daemon's own summary counts the orders the decision → order stage timed.
    expect(((await json(`${url}/stats`)).body as { summary: { orders: number } }).summary.orders).toBeGreaterThan(0);
    daemon.kill('SIGTERM');
  });
});
