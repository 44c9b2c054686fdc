import { describe, expect, it } from 'vitest';
import { recordedEventBounds } from '../../src/cli/replay-options.ts';
import { ArrayReplaySource, type ReplayRange, type ReplaySource } from '../../src/domain/replay/source.ts';
import type { ReplayRecord } from '../../src/domain/replay/order.ts';
import { syntheticEvents, T0 } from '../storage/support/synthetic.ts';

const HOUR = 3_600_000;

/** Counts what each read asks for, to show the last event is found without reading the whole recording. */
class WatchedSource implements ReplaySource {
  readonly reads: ReplayRange[] = [];
  constructor(private readonly inner: ReplaySource) {}
  read(range: ReplayRange): AsyncIterable<ReplayRecord[]> {
    this.reads.push(range);
    return this.inner.read(range);
  }
}

function at(offsets: number[]): ReplayRecord[] {
  const [proto] = syntheticEvents({ start: T0, durationMs: 1_000 });
  return offsets.map((o, i) => ({ ts: T0 + o, seq: i, event: { ...proto!, ts_ingest: T0 + o } }));
}

describe('a whole-recording replay spans the first to the last recorded event', () => {
  it('narrows whole journal hours to the events in them', async () => {
    const records = at([HOUR + 12_345, HOUR + 50_000, 2 * HOUR + 7_000]);
    const bounds = await recordedEventBounds(new ArrayReplaySource(records), { from: T0, to: T0 + 3 * HOUR });
    expect(bounds).toEqual({ first: T0 + HOUR + 12_345, last: T0 + 2 * HOUR + 7_000 });
  });

  it('finds the last event from the end in widening windows, not by reading the whole range', async () => {
    const source = new WatchedSource(new ArrayReplaySource(at([1_000, 2_000, 3_000])));
    const bounds = await recordedEventBounds(source, { from: T0, to: T0 + 30 * 24 * HOUR });
    expect(bounds).toEqual({ first: T0 + 1_000, last: T0 + 3_000 });
    // First read: from the start; then windows of 1 h, 4 h, 16 h… back from the end, never [from, to) again.
    expect(source.reads[1]).toMatchObject({ to: T0 + 30 * 24 * HOUR, from: T0 + 30 * 24 * HOUR - HOUR });
    expect(source.reads.slice(1).every((r) => r.to - r.from < 30 * 24 * HOUR)).toBe(true);
  });

  it('nothing recorded: null', async () => {
    expect(await recordedEventBounds(new ArrayReplaySource([]), { from: T0, to: T0 + HOUR })).toBeNull();
  });
});
