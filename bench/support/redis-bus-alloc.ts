/**
 * What the Redis bus's latency loop (bus bench: one event per publish at a fixed offered rate, one
 * consumer group handing over and acknowledging) allocates per event, by allocation site, beside the
 * scavenges it causes: at a fixed rate the young generation fills at a fixed size, so bytes per event
 * set how often a collection pauses the loop, which is what the p99 at 20,000 events/s is made of.
 * Load-independent, unlike the latency itself.
 *
 *   node --import tsx bench/support/redis-bus-alloc.ts [events] [rate]   (PROFILE=0: scavenges only)
 */
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { RedisStreamsBus } from '../../src/adapters/bus/redis-streams-bus.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { busConfig, testFactory, trade } from '../../test/support/events.ts';
import { offerAtRate } from './offered-rate.ts';
import { startBenchRedis } from './redis-server.ts';

const count = Number(process.argv[2] ?? 60_000);
const rate = Number(process.argv[3] ?? 20_000);
const profile = process.env.PROFILE !== '0';

interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }

function events(n: number): HeliosEvent[] {
  const { factory } = testFactory(4);
  return Array.from({ length: n }, (_, i) => trade(factory, `m${i % 8}`, `t${i % 16}`, (i % 100) / 100));
}

const redis = await startBenchRedis();
if (!redis) throw new Error('redis-server not found');
const config = busConfig({ kind: 'redis', redis_url: redis.url, stream_prefix: 'bench', read_batch: 2000, publish_batch: 4000, default: { queue_size: 1_000_000, overflow: 'drop_oldest', max_len: 200_000 } });
const bus = await RedisStreamsBus.connect(config, redis.url, new SystemClock(), { onError: () => {} });
const topic = 'tape:alloc';
const sub = bus.subscribe({ group: 'alloc', consumer: 'c', topics: [topic], start: 'latest' });
const it = sub[Symbol.asyncIterator]();
const first = it.next();
await sub.joined();
const all = events(count);
const sentAt = new Map<string, number>();
let handed = 0;
let scavenges = 0;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (((e as unknown as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
});
obs.observe({ entryTypes: ['gc'] });
const session = new Session();
session.connect();
if (profile) await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const consuming = (async () => {
  let r = await first;
  while (!r.done) {
    handed += r.value.length;
    await sub.ack(r.value);
    if (handed >= count) return;
    r = await it.next();
  }
})();
await offerAtRate(all, rate, sentAt, (e) => void bus.publish(topic, [e]));
await consuming;
const bySite = new Map<string, number>();
let total = 0;
if (profile) {
  const { profile: heap } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
  const walk = (n: Node) => {
    if (n.selfSize) {
      const site = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c);
  };
  walk(heap.head);
}
obs.disconnect();
await sub.close();
await bus.close();
redis.stop();
console.log(JSON.stringify({ events: count, handed, scavenges, scavenges_per_100k: Math.round((scavenges / count) * 1e5 * 10) / 10, ...(profile ? { bytes_per_event: Math.round(total / count) } : {}) }));
if (profile) for (const [site, b] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${String(Math.round(b / count)).padStart(6)} B/event  ${site}`);
