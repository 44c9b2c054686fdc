import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { RedisDesiredSet } from '../../src/adapters/subscriptions/redis-desired-set.ts';
import { SubscriptionReconciler, type ReconcileTarget } from '../../src/runtime/market-tape/reconciler.ts';
import { InMemoryDesiredSet, type DesiredSet } from '../../src/domain/subscriptions/desired-set.ts';
import { batches, diffSubscriptions } from '../../src/domain/subscriptions/subscription-diff.ts';

/** A feed stand-in: what it carries, what its sockets carry, and every call the reconciler made. */
class FakeTarget implements ReconcileTarget {
  readonly carried = new Set<string>();
  readonly calls: string[] = [];
  wireDrift = 0;
  assigned(): ReadonlySet<string> {
    return this.carried;
  }
  subscribe(ids: readonly string[]): void {
    this.calls.push(`+${ids.join(',')}`);
    for (const id of ids) this.carried.add(id);
  }
  unsubscribe(ids: readonly string[]): void {
    this.calls.push(`-${ids.join(',')}`);
    for (const id of ids) this.carried.delete(id);
  }
  repairWire(): number {
    const n = this.wireDrift;
    this.wireDrift = 0;
    return n;
  }
}

describe('subscription diff', () => {
  it('names what is missing and what is extra, sorted', () => {
    expect(diffSubscriptions(['c', 'a', 'b'], new Set(['b', 'd', 'e']))).toEqual({ missing: ['a', 'c'], extra: ['d', 'e'] });
    expect(diffSubscriptions([], [])).toEqual({ missing: [], extra: [] });
  });

  it('batches keep order and never exceed the size', () => {
    expect(batches(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(batches([], 3)).toEqual([]);
  });
});

function desiredSetContract(name: string, make: () => Promise<DesiredSet>, skip = false) {
  describe.skipIf(skip)(`${name} desired set`, () => {
    it('adds, removes and replaces; members come back sorted', async () => {
      const set = await make();
      await set.add(['t3', 't1', 't2']);
      await set.add(['t1']);
      expect(await set.members()).toEqual(['t1', 't2', 't3']);
      await set.remove(['t2', 'absent']);
      expect(await set.members()).toEqual(['t1', 't3']);
      await set.replace(['t9', 't8']);
      expect(await set.members()).toEqual(['t8', 't9']);
      await set.replace([]);
      expect(await set.members()).toEqual([]);
      await set.add([]);
      await set.remove([]);
      expect(await set.members()).toEqual([]);
    });
  });
}

desiredSetContract('in-memory', async () => new InMemoryDesiredSet());

const redisUrl = inject('redisUrl');
if (!redisUrl) console.warn('\n*** SKIPPING Redis desired-set tests: no redis-server (redisUrl is empty) ***\n');
let redis: ReturnType<typeof createClient> | null = null;
let keyCounter = 0;
const keyPrefix = `test:feed:desired:${process.pid}:${Date.now()}`;

describe.skipIf(!redisUrl)('Redis desired set (real redis-server)', () => {
  beforeAll(async () => {
    redis = createClient({ url: redisUrl });
    redis.on('error', () => {});
    await redis.connect();
  });
  afterAll(async () => {
    if (redis) {
      for (const k of await redis.keys(`${keyPrefix}:*`)) await redis.del(k);
      await redis.quit();
    }
  });

  desiredSetContract('redis', async () => new RedisDesiredSet(redis!, `${keyPrefix}:${keyCounter++}`));

  it('is the same truth for every reader: another process writing the SET is seen by the reconciler', async () => {
    const key = `${keyPrefix}:shared`;
    const mine = new RedisDesiredSet(redis!, key);
    const target = new FakeTarget();
    const clock = new VirtualClock(1_000);
    const rec = new SubscriptionReconciler(mine, target, clock, 30_000);
    // "The scanner" writes with its own client, straight to the SET.
    const scanner = createClient({ url: redisUrl });
    scanner.on('error', () => {});
    await scanner.connect();
    try {
      await scanner.sAdd(key, ['a', 'b']);
      await rec.forceReconcile();
      expect([...target.carried].sort()).toEqual(['a', 'b']);
      await scanner.sRem(key, 'a');
      await scanner.sAdd(key, 'c');
      const report = await rec.forceReconcile();
      expect(report.missing).toEqual(['c']);
      expect(report.extra).toEqual(['a']);
      expect([...target.carried].sort()).toEqual(['b', 'c']);
    } finally {
      await scanner.quit();
    }
  });
});

describe('subscription reconciler', () => {
  it('corrects drift both ways and counts it', async () => {
    const desired = new InMemoryDesiredSet(['a', 'b', 'c']);
    const target = new FakeTarget();
    target.carried.add('c');
    target.carried.add('x');
    const clock = new VirtualClock(5_000);
    const rec = new SubscriptionReconciler(desired, target, clock, 30_000);
    const report = await rec.forceReconcile();
    expect(report).toEqual({ at: 5_000, desired: 3, missing: ['a', 'b'], extra: ['x'], wire_drift: 0 });
    expect([...target.carried].sort()).toEqual(['a', 'b', 'c']);
    expect(target.calls).toEqual(['-x', '+a,b']);
    expect(rec.metrics).toMatchObject({ reconciliations: 1, drift_detected: 3, corrections: 3, last_drift: 3, last_reconciliation_at: 5_000 });

    // In sync: nothing to do, nothing counted.
    const calm = await rec.forceReconcile();
    expect(calm.missing.length + calm.extra.length + calm.wire_drift).toBe(0);
    expect(rec.metrics).toMatchObject({ reconciliations: 2, drift_detected: 3, corrections: 3, last_drift: 0 });

    // Sockets out of line with their assignment count as drift too.
    target.wireDrift = 2;
    await rec.forceReconcile();
    expect(rec.metrics).toMatchObject({ reconciliations: 3, drift_detected: 5, corrections: 5, last_drift: 2 });
  });

  it('runs every interval on the clock, and not after stop', async () => {
    const desired = new InMemoryDesiredSet(['a']);
    const target = new FakeTarget();
    const clock = new VirtualClock(0);
    const rec = new SubscriptionReconciler(desired, target, clock, 30_000);
    rec.start();
    clock.advanceTo(29_999);
    await flush();
    expect(rec.metrics.reconciliations).toBe(0);
    clock.advanceTo(30_000);
    await flush();
    expect(rec.metrics.reconciliations).toBe(1);
    expect([...target.carried]).toEqual(['a']);
    await desired.add(['b']);
    await desired.remove(['a']);
    clock.advanceTo(60_000);
    await flush();
    expect(rec.metrics.reconciliations).toBe(2);
    expect([...target.carried]).toEqual(['b']);
    expect(rec.metrics.last_reconciliation_at).toBe(60_000);
    rec.stop();
    clock.advanceTo(600_000);
    await flush();
    expect(rec.metrics.reconciliations).toBe(2);
  });

  it('never overlaps runs: requests during a run share one more run after it', async () => {
    let release: () => void = () => {};
    let reads = 0;
    const slow: DesiredSet = {
      members: () =>
        new Promise((resolve) => {
          reads++;
          release = () => resolve(['a']);
        }),
      add: async () => {},
      remove: async () => {},
      replace: async () => {},
    };
    const rec = new SubscriptionReconciler(slow, new FakeTarget(), new VirtualClock(0), 30_000);
    const first = rec.forceReconcile();
    const second = rec.forceReconcile();
    const third = rec.forceReconcile();
    expect(second).toBe(third);
    expect(reads).toBe(1);
    release();
    await first;
    await flush();
    expect(reads).toBe(2);
    release();
    await second;
    expect(rec.metrics.reconciliations).toBe(2);
  });

  it('a desired set that cannot be read fails the run, is counted, and the loop keeps going', async () => {
    let broken = true;
    const flaky: DesiredSet = {
      members: async () => {
        if (broken) throw new Error('redis down');
        return ['a'];
      },
      add: async () => {},
      remove: async () => {},
      replace: async () => {},
    };
    const target = new FakeTarget();
    const clock = new VirtualClock(0);
    const rec = new SubscriptionReconciler(flaky, target, clock, 1_000);
    await expect(rec.forceReconcile()).rejects.toThrow('redis down');
    rec.start();
    clock.advanceTo(1_000);
    await flush();
    expect(rec.metrics.failures).toBe(2);
    broken = false;
    clock.advanceTo(2_000);
    await flush();
    expect([...target.carried]).toEqual(['a']);
    rec.stop();
  });
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
