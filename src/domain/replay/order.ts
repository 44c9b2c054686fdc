import type { HeliosEvent } from '../events/catalog.ts';

/** An event as replay schedules it: its time, the recorder's sequence, the envelope to emit unchanged. */
export interface ReplayRecord {
  ts: number;
  seq: number;
  event: HeliosEvent;
}

/**
 * Replay order: timestamp, then the recorder's sequence (the order events reached it live), then
 * event id — a total order, so the same records always replay in the same order whatever file,
 * channel or chunk they came from.
 */
export function compareReplayRecords(a: ReplayRecord, b: ReplayRecord): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.seq !== b.seq) return a.seq - b.seq;
  const x = a.event.event_id;
  const y = b.event.event_id;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sortReplayRecords(records: ReplayRecord[]): ReplayRecord[] {
  return records.sort(compareReplayRecords);
}

/** k-way merge of lists each already in replay order (one per channel). */
export function mergeReplayStreams(lists: readonly ReplayRecord[][]): ReplayRecord[] {
  const live = lists.filter((l) => l.length > 0);
  if (live.length === 0) return [];
  if (live.length === 1) return live[0]!.slice();
  const total = live.reduce((n, l) => n + l.length, 0);
  const out: ReplayRecord[] = new Array(total);
  // Binary heap of list indexes keyed by each list's head.
  const pos = new Array<number>(live.length).fill(0);
  const heap: number[] = [];
  const head = (i: number) => live[i]![pos[i]!]!;
  const less = (i: number, j: number) => {
    const c = compareReplayRecords(head(i), head(j));
    return c < 0 || (c === 0 && i < j);
  };
  const up = (k: number) => {
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!less(heap[k]!, heap[p]!)) break;
      [heap[k], heap[p]] = [heap[p]!, heap[k]!];
      k = p;
    }
  };
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m]!, heap[k]!];
      k = m;
    }
  };
  for (let i = 0; i < live.length; i++) {
    heap.push(i);
    up(heap.length - 1);
  }
  for (let n = 0; n < total; n++) {
    const i = heap[0]!;
    out[n] = head(i);
    pos[i]!++;
    if (pos[i]! < live[i]!.length) {
      down(0);
    } else {
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
    }
  }
  return out;
}
