import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createClient } from 'redis';
import type { Delivery } from '../../src/adapters/bus/event-bus.ts';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { eventIdsOf } from '../../src/adapters/bus/stream-entry.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { SharedSimTimeline } from '../../src/adapters/bus/sim-timeline.ts';
import { freePort, waitForPort } from '../setup/global-redis.ts';
import { busConfig, testFactory, trade } from '../support/events.ts';
import { ShiftedClock } from './support/shifted-clock.ts';

const bin = inject('redisBinary');
if (!bin) console.warn('\n*** SKIPPING Redis failure tests: redis-server is not installed ***\n');

/** A redis-server of this file's own, so it can be killed and restarted on the same data. */
class KillableRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'helios-redis-kill-'));
  /** `persistence` none: a kill loses every acknowledged write (as appendfsync everysec loses the last second's). */
  constructor(
    readonly port: number,
    readonly persistence: 'always' | 'none' = 'always',
  ) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const aof = this.persistence === 'always' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.proc = spawn(bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...aof, '--save', ''], { stdio: 'ignore' });
    await waitForPort(this.port);
  }
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = undefined;
  }
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe.skipIf(!bin)('RedisStreamsBus under failures (real redis-server)', () => {
  let redis: KillableRedis;
  beforeAll(async () => {
    redis = new KillableRedis(await freePort());
    await redis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('loses no acknowledged event when the server is killed mid-stream and restarted', async () => {
    const errors: string[] = [];
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'kill', claim_idle_ms: 300, claim_interval_ms: 100 });
    const producer = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: (e) => errors.push(e.message) });
    const consumerBus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: (e) => errors.push(e.message) });
    const { factory } = testFactory(11);
    const total = 3000;
    const events = Array.from({ length: total }, (_, i) => trade(factory, 'm', 't', (i % 100) / 100));

    const acknowledged = new Set<string>();
    const received = new Set<string>();
    const sub = consumerBus.subscribe({ group: 'g', consumer: 'c1', topics: ['tape:m'] });
    const consuming = (async () => {
      for await (const batch of sub) {
        for (const d of batch) received.add(d.event.event_id);
        await sub.ack(batch);
        if (received.size >= total) break;
      }
    })();

    // Publish in chunks; kill the server a third of the way in and bring it back.
    const publishAcks: Promise<void>[] = [];
    for (let i = 0; i < total; i += 100) {
      const chunk = events.slice(i, i + 100);
      publishAcks.push(producer.publish('tape:m', chunk).then(() => chunk.forEach((e) => acknowledged.add(e.event_id))));
      if (i === 1000) {
        await new Promise((r) => setTimeout(r, 50));
        await redis.kill();
        await new Promise((r) => setTimeout(r, 300));
        await redis.start();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(publishAcks);
    // Generous bound: on a loaded machine recovery plus 3,000 deliveries can take a while.
    await Promise.race([consuming, new Promise((r) => setTimeout(r, 60_000))]);
    await sub.close();

    expect(acknowledged.size).toBe(total);
    const missing = [...acknowledged].filter((id) => !received.has(id));
    expect(missing).toEqual([]);
    expect(errors.length).toBeGreaterThan(0); // the outage was real and was reported
    expect(await consumerBus.backlog('tape:m', 'g')).toBe(0);
    await producer.close();
    await consumerBus.close();
  }, 90_000);

  it('reclaims entries pending on a consumer that died with the server, then resumes', async () => {
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'reclaim', claim_idle_ms: 300, claim_interval_ms: 100 });
    const bus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: () => {} });
    const { factory } = testFactory(12);
    const events = Array.from({ length: 50 }, (_, i) => trade(factory, 'm', 't', i / 100));
    await bus.publish('tape:m', events);

    const dying = bus.subscribe({ group: 'g', consumer: 'dying', topics: ['tape:m'] });
    const it1 = dying[Symbol.asyncIterator]();
    const first = await it1.next();
    expect(first.done).toBe(false);
    await dying.close(); // never acknowledges

    await redis.kill();
    await redis.start();
    await new Promise((r) => setTimeout(r, 400));

    const heir = bus.subscribe({ group: 'g', consumer: 'heir', topics: ['tape:m'] });
    const got: Delivery[] = [];
    for await (const batch of heir) {
      got.push(...batch);
      await heir.ack(batch);
      if (got.length >= 50) break;
    }
    await heir.close();
    expect(new Set(got.map((d) => d.event.event_id))).toEqual(new Set(events.map((e) => e.event_id)));
    expect(got.filter((d) => d.deliveries > 1).length).toBe((first.value as Delivery[]).length);
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await bus.close();
  }, 30_000);

  it('an acknowledgement during an outage neither throws nor redelivers: it reaches the server after the restart', async () => {
    const errors: string[] = [];
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'ackout', reconnect_min_ms: 20, reconnect_max_ms: 200 });
    const bus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: (e) => errors.push(e.message) });
    const { factory } = testFactory(14);
    const before = Array.from({ length: 5 }, (_, i) => trade(factory, 'm', 't', i / 100));
    await bus.publish('tape:m', before);
    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'], start: 'earliest' });
    const it = sub[Symbol.asyncIterator]();
    const first = (await it.next()).value as Delivery[];
    expect(first.map((d) => d.event.event_id)).toEqual(before.map((e) => e.event_id));

    // The XACK is in flight (the server holds every client) when the server dies under it.
    const raw = createClient({ url: redis.url });
    raw.on('error', () => {});
    await raw.connect();
    await raw.sendCommand(['CLIENT', 'PAUSE', '10000', 'ALL']);
    const acking = sub.ack(first);
    await new Promise((r) => setTimeout(r, 100));
    await redis.kill();
    await expect(acking).resolves.toBeUndefined(); // the consumer goes on (ack() does not wait for the server)
    await vi.waitFor(() => expect(errors.some((m) => /XACK failed, will retry/.test(m))).toBe(true));
    raw.destroy();
    await redis.start();

    const after = trade(factory, 'm', 't', 0.5);
    await bus.publish('tape:m', [after]);
    const next = (await it.next()).value as Delivery[];
    // Only the new event: the five processed before the outage are not handed over again...
    expect(next.map((d) => d.event.event_id)).toEqual([after.event_id]);
    await sub.ack(next);
    // ...and their acknowledgement reached the server once it was back.
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await sub.close();
    await bus.close();
  }, 30_000);

  it('reports and skips a malformed entry without stopping the consumer', async () => {
    const malformed: string[] = [];
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'bad' });
    const bus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onMalformed: (m) => malformed.push(m.reason) });
    const { factory } = testFactory(13);
    const good1 = trade(factory, 'm', 't', 0.1);
    const good2 = trade(factory, 'm', 't', 0.2);
    await bus.publish('tape:m', [good1]);
    const raw = createClient({ url: redis.url });
    await raw.connect();
    await raw.sendCommand(['XADD', 'bad:tape:m', '*', 'e', '{not json']);
    await raw.sendCommand(['XADD', 'bad:tape:m', '*', 'other', 'x']);
    await raw.sendCommand(['XADD', 'bad:tape:m', '*', 'e', JSON.stringify({ ...good1, event_id: 'nope' })]);
    await raw.quit();
    await bus.publish('tape:m', [good2]);

    const sub = bus.subscribe({ group: 'g', consumer: 'c', topics: ['tape:m'] });
    const got: Delivery[] = [];
    for await (const batch of sub) {
      got.push(...batch);
      await sub.ack(batch);
      if (got.length >= 2) break;
    }
    await sub.close();
    expect(got.map((d) => d.event.event_id)).toEqual([good1.event_id, good2.event_id]);
    expect(malformed).toHaveLength(3);
    expect(malformed[0]).toMatch(/invalid JSON/);
    expect(malformed[1]).toMatch(/no "b" \(events\) or "e" \(event\) field/);
    expect(malformed[2]).toMatch(/event_id/);
    expect(sub.stats.malformed).toBe(3);
    expect(await bus.backlog('tape:m', 'g')).toBe(0);
    await bus.close();
  });
});

describe.skipIf(!bin)('RedisStreamsBus when a restarted server lost acknowledged writes (real redis-server without fsync)', () => {
  let redis: KillableRedis;
  beforeAll(async () => {
    redis = new KillableRedis(await freePort(), 'none');
    await redis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('re-sends the never-drop entries the server lost, before anything newer, and a live consumer gets them all', async () => {
    const errors: string[] = [];
    const orderPolicy = { queue_size: 10_000, overflow: 'halt' as const, max_len: 100_000 };
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'lost', channels: { order: orderPolicy }, reconnect_min_ms: 20, reconnect_max_ms: 200 });
    const producer = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: (e) => errors.push(e.message) });
    const consumerBus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: (e) => errors.push(e.message) });
    const { factory } = testFactory(15);
    const before = Array.from({ length: 40 }, (_, i) => trade(factory, 'm', 't', i / 100 + 0.01));
    const after = Array.from({ length: 40 }, (_, i) => trade(factory, 'm', 't', i / 100 + 0.5));

    // A trading-role consumer: it joins at the end of the stream, like the daemon's router.
    const sub = consumerBus.subscribe({ group: 'trading', consumer: 'c', topics: ['order:m'], start: 'latest' });
    const it = sub[Symbol.asyncIterator]();
    const received: string[] = [];
    const first = it.next();
    await sub.joined(); // the producer is another connection: it must publish after the group exists

    // Acknowledged by the server (publish resolved), then the server dies without having persisted them.
    await producer.publish('order:m', before);
    const got = await first;
    received.push(...(got.value as Delivery[]).map((d) => d.event.event_id));
    while (received.length < before.length) received.push(...((await it.next()).value as Delivery[]).map((d) => d.event.event_id));
    await redis.kill();
    await redis.start();

    await producer.publish('order:m', after);
    await producer.drain();

    // The stream holds every event, the lost ones first: per-topic order is kept.
    const raw = createClient({ url: redis.url });
    raw.on('error', () => {});
    await raw.connect();
    const entries = (await raw.sendCommand(['XRANGE', 'lost:order:m', '-', '+'])) as Array<[string, string[]]>;
    await raw.quit();
    const inStream = entries.flatMap(([, f]) => eventIdsOf(f));
    expect(inStream).toEqual([...before, ...after].map((e) => e.event_id));

    // The consumer's group vanished with the server's data: recreated from the start of the stream,
    // it gets the new events (and the re-sent ones it had already seen are dropped as duplicates).
    while (received.length < before.length + after.length) {
      const next = await Promise.race([it.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
      if (next === 'timeout' || next.done) break;
      received.push(...next.value.map((d) => d.event.event_id));
      await sub.ack(next.value);
    }
    expect(received).toEqual([...before, ...after].map((e) => e.event_id));
    expect(errors.length).toBeGreaterThan(0);
    await sub.close();
    await producer.close();
    await consumerBus.close();
  }, 60_000);

  it('re-sends what the server lost before an event published the moment the connection is back (before its PING is answered)', async () => {
    const orderPolicy = { queue_size: 10_000, overflow: 'halt' as const, max_len: 100_000 };
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'early', channels: { order: orderPolicy }, reconnect_min_ms: 20, reconnect_max_ms: 200 });
    const producer = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: () => {} });
    const { factory } = testFactory(18);
    const before = Array.from({ length: 5 }, (_, i) => trade(factory, 'm', 't', i / 100 + 0.01));
    const after = Array.from({ length: 5 }, (_, i) => trade(factory, 'm', 't', i / 100 + 0.5));
    await producer.publish('order:m', before);
    // A producer whose events arrive just as the connection is ready again (the bus's health PING still on its way).
    let published: Promise<void> | undefined;
    producer.client.once('ready', () => (published = producer.publish('order:m', after)));
    await redis.kill();
    await redis.start();
    await vi.waitFor(() => expect(published).toBeDefined(), { timeout: 20_000, interval: 20 });
    await published;
    await producer.drain();

    const raw = createClient({ url: redis.url });
    raw.on('error', () => {});
    await raw.connect();
    const entries = (await raw.sendCommand(['XRANGE', 'early:order:m', '-', '+'])) as Array<[string, string[]]>;
    await raw.quit();
    expect(entries.flatMap(([, f]) => eventIdsOf(f))).toEqual([...before, ...after].map((e) => e.event_id));
    await producer.close();
  }, 60_000);

  it('does not re-send, after a restart, never-drop entries old enough that their stream may have expired (idle TTL)', async () => {
    const errors: string[] = [];
    const controlPolicy = { queue_size: 10_000, overflow: 'halt' as const, max_len: 10_000 };
    const ttl = 3_600_000;
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'aged', channels: { control: controlPolicy }, redis_idle_stream_ttl_ms: ttl, reconnect_min_ms: 20, reconnect_max_ms: 200 });
    const clock = new ShiftedClock();
    const producer = await RedisStreamsBus.connect(config, redis.url, clock, { onError: (e) => errors.push(e.message) });
    const { factory } = testFactory(17);
    const old = trade(factory, 'old', 't', 0.1);
    const recent = trade(factory, 'recent', 't', 0.2);
    const later = trade(factory, 'recent', 't', 0.3);
    await producer.publish('control:old', [old]);
    // Three quarters of the TTL on: a stream written then and not since may have expired by now.
    clock.shift += (ttl * 3) / 4;
    await producer.publish('control:recent', [recent]);
    await redis.kill();
    await redis.start();
    await producer.publish('control:recent', [later]);
    await producer.drain();

    const raw = createClient({ url: redis.url });
    raw.on('error', () => {});
    await raw.connect();
    const idsIn = async (key: string) => ((await raw.sendCommand(['XRANGE', key, '-', '+'])) as Array<[string, string[]]>).flatMap(([, f]) => eventIdsOf(f));
    const [oldStream, recentStream] = [await idsIn('aged:control:old'), await idsIn('aged:control:recent')];
    await raw.quit();
    // The recent entry the server lost is re-sent before the newer one; the aged one is not (consumers read it long ago).
    expect(recentStream).toEqual([recent.event_id, later.event_id]);
    expect(oldStream).toEqual([]);
    expect(producer.stats().resent).toBe(1);
    await producer.close();
  }, 60_000);

  it('a consumer reads again as soon as its connections are back, however far an outage grew its backoff', async () => {
    // Backoff from 0.5 s, doubling, no ceiling within reach. The clients retry at 0.5, 1.5, 3.5, 7.5 s
    // after the kill; the consumer, left to its own backoff, at 1, 3, 7, 15 s: each attempt just
    // before a reconnect, it found the server back a whole wait late (8 s here; up to
    // reconnect_max_ms and more with the default's, a trading shard idle after Redis restarted).
    const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'prompt', reconnect_min_ms: 500, reconnect_max_ms: 60_000 });
    const quiet = { onError: () => {} };
    const producer = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), quiet);
    const consumerBus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), quiet);
    const { factory } = testFactory(16);
    const sub = consumerBus.subscribe({ group: 'trading-0-of-1', consumer: 'trading-0', topics: ['tape:m'], start: 'latest' });
    const it = sub[Symbol.asyncIterator]();
    await sub.joined();
    await producer.publish('tape:m', [trade(factory, 'm', 't', 0.1)]);
    await sub.ack((await it.next()).value as Delivery[]);
    const next = it.next();

    await redis.kill();
    await new Promise((r) => setTimeout(r, 4_000));
    await redis.start();
    await vi.waitFor(() => expect(consumerBus.health().up).toBe(true), { timeout: 20_000, interval: 20 });
    const upAt = Date.now();
    // The producer goes on publishing; the group (lost with the server's data) is recreated at the stream's start.
    const publishing = setInterval(() => void producer.publish('tape:m', [trade(factory, 'm', 't', 0.2)]), 100);
    try {
      const got = await Promise.race([next, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
      const readAfterMs = Date.now() - upAt;
      expect(got === 'timeout' ? 'nothing read' : got.value.length).toBeGreaterThan(0);
      // Generous: without the wake-up it is about 7.5 s, with it a read's round trip.
      expect(readAfterMs, `first read ${readAfterMs} ms after the bus was up`).toBeLessThan(3_000);
    } finally {
      clearInterval(publishing);
      await sub.close();
      await producer.close();
      await consumerBus.close();
    }
  }, 60_000);

  it('the shared simulated timeline closes at once while its connection is down (a stopping scale-out process does not hang on it)', async () => {
    const timeline = await SharedSimTimeline.join(redis.url, `closing${process.pid}:sim_timeline`, { origin_ms: 1_000, speed: 1 }, 60_000);
    await redis.kill();
    // Its client is between reconnect attempts now: a QUIT would wait for a connection that never comes.
    await new Promise((r) => setTimeout(r, 500));
    try {
      const outcome = await Promise.race([timeline.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still closing after 5 s'), 5_000))]);
      expect(outcome).toBe('closed');
    } finally {
      await redis.start();
    }
  }, 30_000);

  it('the shared simulated timeline survives a restart that lost it: a process on it writes it back, and one joining afterwards gets it', async () => {
    const key = `lost${process.pid}:sim_timeline`;
    const writtenBack: number[] = [];
    const first = await SharedSimTimeline.join(redis.url, key, { origin_ms: 1_000, speed: 20 }, 60_000, { onWrittenBack: (t) => writtenBack.push(t.origin_ms) });
    let later: SharedSimTimeline | undefined;
    await redis.kill();
    await redis.start();
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      // Back on the server once the first process has reconnected (its refresh is 20 s away).
      await vi.waitFor(async () => expect(JSON.parse((await admin.get(key)) ?? 'null')).toEqual({ origin_ms: 1_000, speed: 20 }), { timeout: 15_000, interval: 50 });
      // The admin's GET may be answered on its own socket before the first process has read the
      // reply to its SET: wait for that process's report too, then hold it to exactly one.
      await vi.waitFor(() => expect(writtenBack).toEqual([1_000]), { timeout: 5_000, interval: 20 });
      later = await SharedSimTimeline.join(redis.url, key, { origin_ms: 99_000, speed: 20 }, 60_000);
      expect(later.timeline).toEqual({ origin_ms: 1_000, speed: 20 });
    } finally {
      await admin.quit();
      await later?.close();
      await first.close();
    }
  }, 30_000);

  it('the shared simulated timeline reports, once, another timeline found in its key (a process that started one while the key was gone)', async () => {
    const key = `diverged${process.pid}:sim_timeline`;
    const diverged: Array<[number, number]> = [];
    // A short time to live: refreshed every second.
    const timeline = await SharedSimTimeline.join(redis.url, key, { origin_ms: 1_000, speed: 20 }, 3_000, { onDiverged: (found, ours) => diverged.push([found.origin_ms, ours.origin_ms]) });
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      await admin.set(key, JSON.stringify({ origin_ms: 5_000, speed: 20 }), { PX: 3_000 });
      await vi.waitFor(() => expect(diverged).toEqual([[5_000, 1_000]]), { timeout: 10_000, interval: 50 });
      // Refreshed again since: still reported once.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(diverged).toHaveLength(1);
    } finally {
      await admin.quit();
      await timeline.close();
    }
  }, 30_000);
});
