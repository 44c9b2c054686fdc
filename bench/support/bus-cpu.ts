/**
 * The in-memory bus's CPU per event, alone: the market tape's events of a synthetic tape (captured
 * once from the feed side, as `feed-alloc.ts` builds it) published one by one through a `BusSink`
 * in turns of `TURN` events, `GROUPS` consumer groups reading every topic and acknowledging each
 * batch between turns. The figure is the least CPU time of `REPS` repetitions (each on a new bus),
 * per event: the least is what the code costs when the shared machine lets it run; compare it only
 * with runs of another tree alternated in the same minutes.
 *
 * `node --import tsx bench/support/bus-cpu.ts [FRAMES] [REPS]`
 */
import { BusSink } from '../../src/adapters/bus/bus-sink.ts';
import type { Subscription } from '../../src/adapters/bus/event-bus.ts';
import { InMemoryBus } from '../../src/adapters/bus/in-memory-bus.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { topicFor } from '../../src/domain/events/topics.ts';
import { capturedTapeEvents, TAPE_START_MS } from './tape-events.ts';

const frames = Number(process.argv[2] ?? 60_000);
const reps = Number(process.argv[3] ?? 7);
const TURN = Number(process.env.TURN ?? 100);
const GROUPS = Number(process.env.GROUPS ?? 2);

const { config } = loadConfig({ env: {}, overrides: {} });
const events = await capturedTapeEvents(config, frames, 100);
const topics = [...new Set(events.map(topicFor))].sort();

async function once(): Promise<number> {
  const bus = new InMemoryBus(config.bus, new VirtualClock(TAPE_START_MS));
  const sink = new BusSink(bus);
  const subs: Subscription[] = Array.from({ length: GROUPS }, (_, g) => bus.subscribe({ group: `g${g}`, consumer: 'c', topics, start: 'latest' }));
  const readers = subs.map((s) => s[Symbol.asyncIterator]());
  const start = process.cpuUsage();
  for (let i = 0; i < events.length; i += TURN) {
    const end = Math.min(events.length, i + TURN);
    for (let j = i; j < end; j++) sink.emit(events[j]!);
    for (let g = 0; g < subs.length; g++) {
      while (!subs[g]!.caughtUp) {
        const next = await readers[g]!.next();
        await subs[g]!.ack(next.value!);
      }
    }
  }
  const used = process.cpuUsage(start);
  for (const s of subs) await s.close();
  await bus.close();
  return ((used.user + used.system) * 1000) / events.length;
}

const runs: number[] = [];
for (let r = 0; r < reps; r++) runs.push(await once());
runs.sort((a, b) => a - b);
console.log(`${events.length} events, ${topics.length} topics, ${GROUPS} groups, turns of ${TURN}: least ${runs[0]!.toFixed(0)} ns/event (median ${runs[Math.floor(runs.length / 2)]!.toFixed(0)})`);
process.exit(0);
