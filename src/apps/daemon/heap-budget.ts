import v8 from 'node:v8';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

/** V8 never lets the heap grow past this multiple of what a full collection kept on its own. */
const V8_MAX_GROWING_FACTOR = 4;
/** V8's own floor: a smaller factor would collect again almost at once. */
const MIN_GROWING_PERCENT = 10;

/**
 * The `--heap-growing-percent` that keeps the next collection's limit (live × factor) within the
 * budget, or 0 (V8's own factor) when even V8's largest factor stays within it.
 */
export function growingPercentFor(liveBytes: number, budgetBytes: number): number {
  if (budgetBytes <= 0 || liveBytes <= 0) return 0;
  const factor = budgetBytes / liveBytes;
  if (factor >= V8_MAX_GROWING_FACTOR) return 0;
  return Math.max(MIN_GROWING_PERCENT, Math.floor((factor - 1) * 100));
}

/**
 * Keeps the heap within `daemon.heap_budget_mb` by choosing V8's growth factor after each full
 * collection from what it kept. A fixed factor has to be set for the largest heap: at 1,000 markets
 * (~137 MB live) V8's own factor held 478 MB of heap and ~740 MB of RSS, but the 1.5× that fixed it
 * made a 60 MB heap collect in full every ~270 ms at 5,000 frames/s (p99 decision latency 2–4× worse
 * than with V8's own factor). A budget costs nothing while the heap is small and caps it when large.
 * V8 reads the flag at each collection, so setting it while running applies (process-wide).
 */
export class HeapBudget {
  private observer: PerformanceObserver | null = null;
  private percent = -1;

  constructor(private readonly budgetMb: number) {}

  start(): void {
    if (this.budgetMb <= 0 || this.observer) return;
    this.apply(v8.getHeapStatistics().used_heap_size);
    this.observer = new PerformanceObserver((list) => {
      if (list.getEntries().some(isFullCollection)) this.apply(v8.getHeapStatistics().used_heap_size);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  /** The growth percent in force (0: V8's own), -1 before start. */
  get growingPercent(): number {
    return this.percent;
  }

  private apply(liveBytes: number): void {
    const percent = growingPercentFor(liveBytes, this.budgetMb * 1024 * 1024);
    if (percent === this.percent) return;
    this.percent = percent;
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  }
}

function isFullCollection(entry: PerformanceEntry): boolean {
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}
