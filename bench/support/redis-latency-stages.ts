import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';
import { busConfig, testFactory, trade } from '../../test/support/events.ts';
import { rawRedisLatency } from './redis-latency-floor.ts';
import { startBenchRedis } from './redis-server.ts';
import { offerAtRate } from './offered-rate.ts';
import { percentile, round } from './stats.ts';

/**
 * Where the Redis bus's publish → hand-over latency at a fixed offered rate goes, per stage: the
 * bus bench's latency loop, with each event's publish promise (settled when its XADD is answered)
 * and its hand-over timed, beside the bare RESP floor in alternating rounds, with the process's
 * event-loop delay, GC pauses and CPU time in each round (a tail that is the process's stalls
 * shows there; CPU per event says how much of a starved core each needs). The bus's own figures
 * include this script's per-event timing of the publish promises.
 *
 *   node --import tsx bench/support/redis-latency-stages.ts [rounds] [rate] [claim_interval_ms]
 */
const rounds = Number(process.argv[2] ?? 4);
const rate = Number(process.argv[3] ?? 20_000);
const claimIntervalMs = Number(process.argv[4] ?? 50);
const SECONDS = 3;

function makeEvents(n: number, seed: number): HeliosEvent[] {
  const { factory } = testFactory(seed);
  return Array.from({ length: n }, (_, i) => trade(factory, `m${i % 8}`, `t${i % 16}`, (i % 100) / 100));
}

function watchProcess() {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const gcs: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.duration);
  });
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(cpu0);
    delay.disable();
    obs.disconnect();
    return { cpuMs: (cpu.user + cpu.system) / 1000, loopDelayP99: delay.percentile(99) / 1e6, loopDelayMax: delay.max / 1e6, gcCount: gcs.length, gcOver2ms: gcs.filter((d) => d > 2).length, gcTotalMs: gcs.reduce((a, b) => a + b, 0) };
  };
}

async function busRound(bus: RedisStreamsBus, events: HeliosEvent[], topic: string) {
  const sub = bus.subscribe({ group: 'lat', consumer: 'c', topics: [topic], start: 'latest' });
  const it = sub[Symbol.asyncIterator]();
  const sentAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  const toAck: number[] = [];
  const ackToHand: number[] = [];
  const total: number[] = [];
  const batchSizes: number[] = [];
  const first = it.next();
  await sub.joined();
  await new Promise((r) => setTimeout(r, 50));
  let done = false;
  const consuming = (async () => {
    let r = await first;
    while (!r.done) {
      const now = performance.now();
      batchSizes.push(r.value.length);
      for (const d of r.value) {
        const s = sentAt.get(d.event.event_id);
        if (s === undefined) continue;
        total.push(now - s);
        const a = ackedAt.get(d.event.event_id);
        if (a !== undefined) ackToHand.push(now - a);
      }
      await sub.ack(r.value);
      if (done && total.length >= sentAt.size) break;
      r = await it.next();
    }
  })();
  const stop = watchProcess();
  await offerAtRate(events, rate, sentAt, (e) => {
    const t = performance.now();
    void bus.publish(topic, [e]).then(() => {
      const a = performance.now();
      ackedAt.set(e.event_id, a);
      toAck.push(a - t);
    });
  });
  done = true;
  await Promise.race([consuming, new Promise((r) => setTimeout(r, 5_000))]);
  const proc = stop();
  await sub.close();
  return { p50: percentile(total, 50), p99: percentile(total, 99), publishToXaddAckP99: percentile(toAck, 99), xaddAckToHandP99: percentile(ackToHand, 99), meanBatch: batchSizes.reduce((a, b) => a + b, 0) / batchSizes.length, ...proc };
}

async function main() {
  restoreFastStringPrototype();
  const redis = await startBenchRedis();
  if (!redis) throw new Error('redis-server not found');
  const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'bench', read_batch: 2000, publish_batch: 4000, claim_interval_ms: claimIntervalMs, default: { queue_size: 1_000_000, overflow: 'drop_oldest', max_len: 200_000 } });
  const bus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: () => {} });
  try {
    for (let i = 0; i < rounds; i++) {
      const b = await busRound(bus, makeEvents(rate * SECONDS, 4 + 10 * i), `tape:lat${i}`);
      const stopFloor = watchProcess();
      const f = await rawRedisLatency(redis.port, makeEvents(rate * SECONDS, 5 + 10 * i), rate, `floor:lat${i}`);
      const fp = stopFloor();
      const r = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, 3)]));
      console.log(JSON.stringify({ round: i, bus: r(b), floor: r({ p50: percentile(f, 50), p99: percentile(f, 99), ...fp }) }));
    }
  } finally {
    await bus.close();
    redis.stop();
  }
}

await main();
