import { performance } from 'node:perf_hooks';
import type { EventBus } from '../src/adapters/bus/event-bus.ts';
import { InMemoryBus } from '../src/adapters/bus/in-memory-bus.ts';
import { RedisStreamsBus } from '../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../src/adapters/clock/system-clock.ts';
import type { HeliosEvent } from '../src/domain/events/catalog.ts';
import { serializeEnvelope } from '../src/domain/util/stable-json.ts';
import { busConfig, testFactory, trade } from '../test/support/events.ts';
import { rawRedisLatency } from './support/redis-latency-floor.ts';
import { hasRedisBenchmark, redisBenchmarkXadd, startBenchRedis } from './support/redis-server.ts';
import { offerAtRate } from './support/offered-rate.ts';
import { percentile, round } from './support/stats.ts';
import type { Benchmark, BenchContext } from './types.ts';

const THROUGHPUT_EVENTS = 100_000;
const OFFERED_RATE = 20_000;
const LATENCY_SECONDS = 3;
/**
 * Throughput and its reference are measured in alternating rounds and compared best to best: on a
 * shared machine one round of either can lose half its speed to a neighbour, and the best of each
 * is the closest either gets to its own limit.
 */
const THROUGHPUT_ROUNDS = Number(process.env.BUS_BENCH_ROUNDS ?? 3);
/**
 * The Redis latency loop and the same loop on a bare RESP client (the floor) run in alternating
 * rounds; figures are the median round. One 3 s round's p99 is set by the few longest scheduling
 * stalls of redis-server or the process (at 20,000 events/s, 1 % is 600 events: one 30 ms stall),
 * which on a shared machine swings tenfold from round to round for either client.
 */
const LATENCY_ROUNDS = Number(process.env.BUS_BENCH_LATENCY_ROUNDS ?? 3);

/** Lets the consumer's own connection come up and its first read wait, so a round starts in a steady state. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 50));
}

function makeEvents(n: number, seed: number): HeliosEvent[] {
  const { factory } = testFactory(seed);
  return Array.from({ length: n }, (_, i) => trade(factory, `m${i % 8}`, `t${i % 16}`, (i % 100) / 100));
}

/** Publish in batches of 500 across 8 market partitions while one consumer group drains them. */
async function throughput(bus: EventBus, events: HeliosEvent[], group = 'bench'): Promise<number> {
  const topics = Array.from({ length: 8 }, (_, i) => `tape:m${i}`);
  const sub = bus.subscribe({ group, consumer: 'c', topics, start: 'latest' });
  const it = sub[Symbol.asyncIterator]();
  const ready = it.next();
  await sub.joined(); // nothing published from here on is lost
  await settle();
  const t0 = performance.now();
  const byTopic = new Map<string, HeliosEvent[]>();
  let consumed = 0;
  const consuming = (async () => {
    let r = await ready;
    for (;;) {
      if (r.done) return;
      consumed += r.value.length;
      void sub.ack(r.value);
      if (consumed >= events.length) return;
      r = await it.next();
    }
  })();
  // Producers do not wait for each publish (as BusSink does); only a bounded number are in flight.
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < events.length; i += 500) {
    byTopic.clear();
    for (const e of events.slice(i, i + 500)) {
      const t = `tape:${e.market_id}`;
      const arr = byTopic.get(t) ?? [];
      arr.push(e);
      byTopic.set(t, arr);
    }
    inFlight.push(Promise.all([...byTopic].map(([t, es]) => bus.publish(t, es))));
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await consuming;
  const seconds = (performance.now() - t0) / 1000;
  await sub.close();
  return events.length / seconds;
}

/** A fixed offered rate, one event per publish; latency from publish to the consumer's hand. */
async function latency(bus: EventBus, events: HeliosEvent[], rate: number, topic = 'tape:lat'): Promise<{ p50: number; p99: number; n: number }> {
  const sub = bus.subscribe({ group: 'lat', consumer: 'c', topics: [topic], start: 'latest' });
  const it = sub[Symbol.asyncIterator]();
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  const first = it.next();
  await sub.joined();
  await settle();
  let done = false;
  const consuming = (async () => {
    let r = await first;
    while (!r.done) {
      const now = performance.now();
      for (const d of r.value) {
        const s = sentAt.get(d.event.event_id);
        if (s !== undefined) lat.push(now - s);
      }
      await sub.ack(r.value);
      if (done && lat.length >= sentAt.size) break;
      r = await it.next();
    }
  })();
  await offerAtRate(events, rate, sentAt, (e) => void bus.publish(topic, [e]));
  done = true;
  await Promise.race([consuming, new Promise((r) => setTimeout(r, 5_000))]);
  await sub.close();
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length };
}

async function measure(name: string, bus: EventBus, ctx: BenchContext, seed: number) {
  const tp = await throughput(bus, makeEvents(THROUGHPUT_EVENTS, seed));
  const lat = await latency(bus, makeEvents(OFFERED_RATE * LATENCY_SECONDS, seed + 1), OFFERED_RATE);
  ctx.log(`${name.padEnd(10)} throughput ${Math.round(tp).toLocaleString()} events/s | at ${OFFERED_RATE.toLocaleString()}/s offered: p50 ${round(lat.p50, 3)} ms, p99 ${round(lat.p99, 3)} ms (n=${lat.n})`);
  return { tp, lat };
}

export const busBenchmark: Benchmark = {
  title: 'event bus: publish→consume throughput and latency, in memory and on Redis Streams',
  async run(ctx) {
    const out: Record<string, unknown> = {};
    const clock = new SystemClock();
    const mem = await measure('in_memory', new InMemoryBus(busConfig({ default: { queue_size: 1_000_000, overflow: 'drop_oldest', max_len: 200_000 }, read_batch: 512, memory_budget_bytes: 1024 ** 3, retained_budget_bytes: 1024 ** 3 }), clock), ctx, 1);
    out.in_memory_events_per_s = Math.round(mem.tp);
    out.in_memory_p50_ms = round(mem.lat.p50, 3);
    out.in_memory_p99_ms = round(mem.lat.p99, 3);

    const redis = await startBenchRedis();
    if (!redis) {
      ctx.log('redis-server not found: Redis figures skipped');
      out.redis_skipped = 'redis-server not installed';
      return out;
    }
    try {
      const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'bench', read_batch: 2000, publish_batch: 4000, default: { queue_size: 1_000_000, overflow: 'drop_oldest', max_len: 200_000 } });
      const bus = await RedisStreamsBus.connect(config, redis.url, clock, { onError: () => {} });
      const payload = serializeEnvelope(makeEvents(1, 9)[0]!);
      const withReference = hasRedisBenchmark();
      const rounds: Array<{ tp: number; ref: number | null }> = [];
      for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
        const tp = await throughput(bus, makeEvents(THROUGHPUT_EVENTS, 3 + 10 * round), `bench${round}`);
        rounds.push({ tp, ref: withReference ? redisBenchmarkXadd(redis.port, payload) : null });
      }
      const latRounds: Array<{ bus: { p50: number; p99: number; n: number }; floor: { p50: number; p99: number } }> = [];
      for (let round = 0; round < LATENCY_ROUNDS; round++) {
        const onBus = await latency(bus, makeEvents(OFFERED_RATE * LATENCY_SECONDS, 4 + 10 * round), OFFERED_RATE, `tape:lat${round}`);
        const bare = await rawRedisLatency(redis.port, makeEvents(OFFERED_RATE * LATENCY_SECONDS, 5 + 10 * round), OFFERED_RATE, `floor:lat${round}`);
        latRounds.push({ bus: onBus, floor: { p50: percentile(bare, 50), p99: percentile(bare, 99) } });
      }
      await bus.close();
      const median = (values: number[]) => percentile(values, 50);
      const lat = { p50: median(latRounds.map((r) => r.bus.p50)), p99: median(latRounds.map((r) => r.bus.p99)), n: latRounds[0]!.bus.n };
      const floor = { p50: median(latRounds.map((r) => r.floor.p50)), p99: median(latRounds.map((r) => r.floor.p99)) };
      const tp = Math.max(...rounds.map((r) => r.tp));
      ctx.log(`redis      throughput ${Math.round(tp).toLocaleString()} events/s (best of ${rounds.length}: ${rounds.map((r) => Math.round(r.tp).toLocaleString()).join(' / ')}) | at ${OFFERED_RATE.toLocaleString()}/s offered, median of ${latRounds.length} rounds: p50 ${round(lat.p50, 3)} ms, p99 ${round(lat.p99, 3)} ms (per round ${latRounds.map((r) => round(r.bus.p99, 3)).join(' / ')})`);
      out.redis_events_per_s = Math.round(tp);
      out.redis_p50_ms = round(lat.p50, 3);
      out.redis_p99_ms = round(lat.p99, 3);
      out.redis_p99_ms_per_round = latRounds.map((r) => round(r.bus.p99, 3));
      // Target: within 5× the in-memory bus (issue #18); both measured in this run.
      out.redis_p99_vs_in_memory = round(lat.p99 / mem.lat.p99, 1);
      ctx.log(`redis p99 ÷ in-memory p99 at ${OFFERED_RATE.toLocaleString()}/s: ${round(lat.p99 / mem.lat.p99, 1)}×`);
      // The same loop on a bare RESP client, same server, alternating with the bus: what this machine gives at best.
      out.redis_p50_floor_ms = round(floor.p50, 3);
      out.redis_p99_floor_ms = round(floor.p99, 3);
      const floorPerRound = latRounds.map((r) => round(r.floor.p99, 3));
      out.redis_p99_floor_ms_per_round = floorPerRound;
      out.redis_floor_p99_vs_in_memory = round(floor.p99 / mem.lat.p99, 1);
      const vsFloor = latRounds.map((r) => round(r.bus.p99 / r.floor.p99, 2));
      out.redis_p99_vs_floor = round(median(latRounds.map((r) => r.bus.p99 / r.floor.p99)), 2);
      out.redis_p99_vs_floor_per_round = vsFloor;
      ctx.log(`bare RESP client, same loop and server (floor), median of ${latRounds.length} rounds: p50 ${out.redis_p50_floor_ms} ms, p99 ${out.redis_p99_floor_ms} ms (per round ${floorPerRound.join(' / ')}) = ${out.redis_floor_p99_vs_in_memory}× the in-memory p99; the bus's p99 ÷ the floor's, per round: ${vsFloor.join(' / ')}`);
      const refs = rounds.map((r) => r.ref).filter((r): r is number => r !== null);
      if (refs.length) {
        const ref = Math.max(...refs);
        out.redis_benchmark_xadd_per_s = Math.round(ref);
        out.ratio_vs_redis_benchmark = round(tp / ref, 3);
        const perRound = rounds.map((r) => (r.ref ? round(r.tp / r.ref, 3) : null));
        out.ratio_vs_redis_benchmark_per_round = perRound;
        ctx.log(`redis-benchmark XADD pipelined (same server, same payload size ${payload.length} B), best of ${refs.length}: ${Math.round(ref).toLocaleString()} req/s (${refs.map((r) => Math.round(r).toLocaleString()).join(' / ')}) → our publish→consume is ${round(tp / ref, 3)}× of it (per round: ${perRound.join(' / ')})`);
      } else {
        out.redis_benchmark_skipped = withReference ? 'redis-benchmark gave no figure' : 'redis-benchmark not installed';
      }
    } finally {
      redis.stop();
    }
    return out;
  },
};
