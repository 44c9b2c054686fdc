/**
 * What an event costs to cross a thread: the market tape's events (`tape-events.ts`) in batches
 * as a feed worker would post them once per turn, structured-cloned (`v8.serialize` on the
 * sending side, `v8.deserialize` on the receiving one — what `postMessage` does), by event type,
 * beside `JSON.stringify` of the same events for scale.
 *
 * `flock /tmp/bench.lock node --import tsx bench/support/event-clone-cost.ts [FRAMES] [BATCH]`
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { capturedTapeEvents } from './tape-events.ts';
import { round } from './stats.ts';

const frames = Number(process.argv[2] ?? 60_000);
const batch = Number(process.argv[3] ?? 64);
const ROUNDS = 5;

const { config } = loadConfig({ env: {}, overrides: {} });
const events = await capturedTapeEvents(config, frames, 100);

function batches(list: HeliosEvent[]): HeliosEvent[][] {
  const out: HeliosEvent[][] = [];
  for (let i = 0; i < list.length; i += batch) out.push(list.slice(i, i + batch));
  return out;
}

/** Least µs per event over the rounds: serialize, deserialize, JSON.stringify; bytes per event. */
function cost(list: HeliosEvent[]): { serializeUs: number; deserializeUs: number; jsonUs: number; bytes: number } {
  const groups = batches(list);
  let ser = Infinity;
  let de = Infinity;
  let json = Infinity;
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    const buffers = groups.map((g) => v8.serialize(g));
    ser = Math.min(ser, performance.now() - t);
    bytes = buffers.reduce((a, b) => a + b.length, 0);
    t = performance.now();
    let n = 0;
    for (const b of buffers) n += (v8.deserialize(b) as unknown[]).length;
    de = Math.min(de, performance.now() - t);
    if (n !== list.length) throw new Error('lost events');
    t = performance.now();
    let chars = 0;
    for (const e of list) chars += JSON.stringify(e).length;
    json = Math.min(json, performance.now() - t);
    if (chars === 0) throw new Error('nothing serialized');
  }
  const us = (ms: number) => (ms * 1000) / list.length;
  return { serializeUs: us(ser), deserializeUs: us(de), jsonUs: us(json), bytes: bytes / list.length };
}

const byType = new Map<string, HeliosEvent[]>();
for (const e of events) {
  let list = byType.get(e.type);
  if (!list) byType.set(e.type, (list = []));
  list.push(e);
}
const all = cost(events);
console.log(`${events.length} events from ${frames} frames (${round(events.length / frames, 2)} per frame), batches of ${batch}, least of ${ROUNDS} rounds, µs per event:`);
console.log(`all: serialize ${round(all.serializeUs, 2)}, deserialize ${round(all.deserializeUs, 2)}, JSON.stringify ${round(all.jsonUs, 2)}, ${round(all.bytes, 0)} B cloned`);
for (const [type, list] of [...byType].sort((a, b) => b[1].length - a[1].length)) {
  const c = cost(list);
  console.log(`${type} (${round((100 * list.length) / events.length, 1)} %): serialize ${round(c.serializeUs, 2)}, deserialize ${round(c.deserializeUs, 2)}, JSON.stringify ${round(c.jsonUs, 2)}, ${round(c.bytes, 0)} B`);
}
