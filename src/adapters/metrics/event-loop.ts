import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop lag from Node's own sampler (ms), reset each time it is read. */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  constructor() {
    this.histogram.enable();
  }
  /** p99 and max since the last read, in milliseconds. */
  read(): { p50_ms: number; p99_ms: number; max_ms: number } {
    const h = this.histogram;
    const out = { p50_ms: h.percentile(50) / 1e6, p99_ms: h.percentile(99) / 1e6, max_ms: h.max / 1e6 };
    h.reset();
    return out;
  }
  stop(): void {
    this.histogram.disable();
  }
}
