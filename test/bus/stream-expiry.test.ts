import { describe, expect, it } from 'vitest';
import { StreamExpiry } from '../../src/adapters/bus/stream-expiry.ts';

describe('StreamExpiry', () => {
  it('sends a topic TTL with its first write, then at most once per quarter of the TTL, however often it is written', () => {
    const expiry = new StreamExpiry(1_000);
    const sent: number[] = [];
    for (let t = 0; t <= 1_000; t += 10) if (expiry.written('tape:m', t)) sent.push(t);
    expect(sent).toEqual([0, 250, 500, 750, 1_000]);
    expect(expiry.mayExpireAfterMs).toBe(750);
  });

  it('sends it again with the next write after a failure or a reconnect', () => {
    const expiry = new StreamExpiry(1_000);
    expiry.written('tape:a', 0);
    expiry.written('tape:b', 0);
    expiry.refreshDue('tape:a');
    expect([expiry.written('tape:a', 10), expiry.written('tape:b', 10)]).toEqual([true, false]);
    expiry.refreshDue();
    expect([expiry.written('tape:a', 20), expiry.written('tape:b', 20)]).toEqual([true, true]);
  });

  it('hands over, and forgets, the topics not written for a whole TTL', () => {
    const expiry = new StreamExpiry(1_000);
    expiry.written('tape:gone', 0);
    expiry.written('tape:live', 0);
    expiry.written('tape:live', 900);
    expect(expiry.takeIdle(999)).toEqual([]);
    expect(expiry.takeIdle(1_300)).toEqual(['tape:gone']);
    expect(expiry.size).toBe(1);
  });

  it('with a TTL of 0 sends none and forgets nothing', () => {
    const expiry = new StreamExpiry(0);
    expect(expiry.written('tape:m', 0)).toBe(false);
    expect(expiry.takeIdle(1e12)).toEqual([]);
    expect(expiry.mayExpireAfterMs).toBe(Number.POSITIVE_INFINITY);
  });
});
