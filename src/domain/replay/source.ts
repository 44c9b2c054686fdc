import type { Channel } from '../events/channels.ts';
import { compareReplayRecords, type ReplayRecord } from './order.ts';

export interface ReplayRange {
  /** Inclusive start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  /** Only these channels (all when omitted). */
  channels?: readonly Channel[];
}

/**
 * Where replay reads recorded events: successive chunks, each in replay order and each later than
 * the previous one, so memory stays bounded to one chunk whatever the range.
 */
export interface ReplaySource {
  read(range: ReplayRange): AsyncIterable<ReplayRecord[]>;
}

/** Records already in memory (tests, a simulated run compared with its replay). */
export class ArrayReplaySource implements ReplaySource {
  constructor(private readonly records: readonly ReplayRecord[]) {}
  async *read(range: ReplayRange): AsyncIterable<ReplayRecord[]> {
    const ch = range.channels ? new Set<string>(range.channels) : undefined;
    const out = this.records.filter((r) => r.ts >= range.from && r.ts < range.to && (!ch || ch.has(r.event.ch))).sort(compareReplayRecords);
    if (out.length) yield out;
  }
}
