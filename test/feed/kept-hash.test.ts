import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { tapeRig } from './support/tape-rig.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const M = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';
const T0 = 1_757_908_892_000;
const TOKENS = Array.from({ length: 40 }, (_, i) => String(10n ** 76n + BigInt(i)));

/** A ~200 KB price_change in the venue's layout (read in place: the reader takes up to 256 KB): one token's level set 1,000 times, a hash on each. */
function hugeFrame(token: string, ts: number): string {
  const entries = Array.from(
    { length: 1_000 },
    (_, i) => `{"asset_id":"${token}","price":"0.4","size":"${10 + i}","side":"BUY","hash":"${(i.toString(16) + 'f'.repeat(40)).slice(0, 40)}","best_bid":"0.45","best_ask":"0.55"}`,
  );
  return `{"market":"${M}","price_changes":[${entries.join(',')}],"timestamp":"${ts}","event_type":"price_change"}`;
}

describe('a book\'s last hash', () => {
  it.each([
    ['read in place', (frame: string) => frame],
    ['decoded (a leading space: not the venue layout)', (frame: string) => ' ' + frame],
  ])('does not keep the frame it came in alive (40 books, each last moved by a ~200 KB frame %s)', (_, write) => {
    const clock = new VirtualClock(T0);
    // No L2_DELTA: the collected events would be most of the heap measured.
    const { books } = tapeRig(clock, TOKENS);
    for (const token of TOKENS) {
      books.handleFrame(
        JSON.stringify({ event_type: 'book', market: M, asset_id: token, timestamp: String(T0), hash: 'h0', bids: [{ price: '0.45', size: '5' }], asks: [{ price: '0.55', size: '5' }], tick_size: '0.01' }),
      );
    }
    gc();
    const before = v8.getHeapStatistics().used_heap_size;
    TOKENS.forEach((token, i) => books.handleFrame(write(hugeFrame(token, T0 + 1 + i))));
    gc();
    const held = v8.getHeapStatistics().used_heap_size - before;
    expect(books.metrics.applied).toBe(TOKENS.length);
    expect(TOKENS.every((t) => books.books.get(t)!.hash === (999).toString(16) + 'f'.repeat(37))).toBe(true);
    // A kept slice would hold 40 × ~200 KB of frames.
    expect(held).toBeLessThan(3_000_000);
  });
});
