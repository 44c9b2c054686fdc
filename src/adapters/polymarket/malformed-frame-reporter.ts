import type { Clock } from '../../domain/time/clock.ts';
import type { DecodeError, DecodeErrorReason } from './market-decoder.ts';

export interface MalformedSample {
  /** Wall time of the sample (the injected clock). */
  at: number;
  reason: DecodeErrorReason;
  path: string;
  message: string;
  /** The raw frame, cut to `maxSampleChars`. */
  sample: string;
  /** Malformed frames counted since the previous sample (this one included). */
  count_since_last_sample: number;
  total: number;
}

export interface MalformedFrameReporterOptions {
  clock: Pick<Clock, 'now' | 'monotonicNow'>;
  /** At most one sample per this many ms; every frame is still counted. */
  minSampleIntervalMs: number;
  maxSampleChars: number;
  /** Called with each kept sample (e.g. to log it). */
  onSample?: (sample: MalformedSample) => void;
}

/**
 * Counts malformed frames and keeps a sample at most once per interval, so a feed that suddenly
 * turns to garbage produces one log line per interval instead of one per frame.
 */
export class MalformedFrameReporter {
  private readonly opts: MalformedFrameReporterOptions;
  private totalCount = 0;
  private sinceLastSample = 0;
  private lastSampleMono = -Infinity;
  private last: MalformedSample | null = null;
  private readonly byReason = new Map<DecodeErrorReason, number>();

  constructor(opts: MalformedFrameReporterOptions) {
    if (!(opts.minSampleIntervalMs >= 0)) throw new RangeError('minSampleIntervalMs must be ≥ 0');
    if (!(opts.maxSampleChars > 0)) throw new RangeError('maxSampleChars must be > 0');
    this.opts = opts;
  }

  /** Record one malformed frame; returns the sample when one was kept, null when rate-limited. */
  report(raw: string, error: DecodeError): MalformedSample | null {
    this.totalCount++;
    this.sinceLastSample++;
    this.byReason.set(error.reason, (this.byReason.get(error.reason) ?? 0) + 1);
    const mono = this.opts.clock.monotonicNow();
    if (mono - this.lastSampleMono < this.opts.minSampleIntervalMs) return null;
    const max = this.opts.maxSampleChars;
    const sample: MalformedSample = {
      at: this.opts.clock.now(),
      reason: error.reason,
      path: error.path,
      message: error.message,
      sample: raw.length > max ? raw.slice(0, max) + '…' : raw,
      count_since_last_sample: this.sinceLastSample,
      total: this.totalCount,
    };
    this.lastSampleMono = mono;
    this.sinceLastSample = 0;
    this.last = sample;
    this.opts.onSample?.(sample);
    return sample;
  }

  get total(): number {
    return this.totalCount;
  }

  get lastSample(): MalformedSample | null {
    return this.last;
  }

  /** Counts per reason, keys sorted. */
  countsByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.byReason.keys()].sort()) out[k] = this.byReason.get(k)!;
    return out;
  }
}
