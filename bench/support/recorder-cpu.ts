/**
 * CPU per event of the recording stages alone, on a deterministic tape, without the machine's
 * other work in the figure: the events a synthetic tape (`price-change-tape.ts`) makes through the
 * connection's books and the market tape publisher (L2_DELTA, BEST_PRICE, sliced L2_SNAPSHOT) are
 * captured once, then pushed ROUNDS times through
 *   windows  — the recorder's event windows (`observe` + `windowFor` per event),
 *   journal  — windows plus the journal line (`writeRecord`) into an off-heap writer,
 *   dispatch — the dispatch log's line (`{"event":…,"seq":N}`),
 * each timed with `process.cpuUsage` (µs of process CPU per event; the median and the least of the rounds). The
 * SHA-256 of each stage's bytes is printed: it must not change when the serializer does.
 *
 * `node --import tsx bench/support/recorder-cpu.ts [FRAMES] [ROUNDS] [MARKETS]`; `STAGES=journal` runs only those named.
 */
import { createHash } from 'node:crypto';
import { HumanTimeCache, writeRecord } from '../../src/adapters/storage/journal/record.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventWindowManager } from '../../src/domain/storage/windows.ts';
import { StableJsonWriter } from '../../src/domain/util/stable-json.ts';
import { capturedTapeEvents } from './tape-events.ts';

const frames = Number(process.argv[2] ?? 40_000);
const rounds = Number(process.argv[3] ?? 7);
const markets = Number(process.argv[4] ?? 100);
/** `STAGES=journal,dispatch` runs only those. */
const only = (process.env.STAGES ?? '').split(',').filter(Boolean);

const { config } = loadConfig({ env: {}, overrides: {} });
const events = await capturedTapeEvents(config, frames, markets);
const byType = new Map<string, number>();
for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);

const LIMIT = 1 << 20;
function offHeap(): StableJsonWriter {
  return new StableJsonWriter(2 * LIMIT, (size) => Buffer.allocUnsafeSlow(size));
}
/** Writes `each` per event into an off-heap writer (emptied into a hash every MB): µs of CPU per event and the bytes' hash. */
function timed(each: (w: StableJsonWriter, e: HeliosEvent, i: number) => void): { us: number; hash: string } {
  const w = offHeap();
  const hash = createHash('sha256');
  // Hashing is left out of the figure: the clock stops around it.
  let cpu = 0;
  let start = process.cpuUsage();
  const lap = () => {
    const used = process.cpuUsage(start);
    cpu += used.user + used.system;
  };
  for (let i = 0; i < events.length; i++) {
    each(w, events[i]!, i);
    if (w.pos > LIMIT) {
      lap();
      hash.update(w.bytes.subarray(0, w.pos));
      w.pos = 0;
      start = process.cpuUsage();
    }
  }
  lap();
  hash.update(w.bytes.subarray(0, w.pos));
  return { us: cpu / events.length, hash: hash.digest('hex').slice(0, 16) };
}

const rules = config.storage.windows;
const stages = {
  windows: () => {
    const windows = new EventWindowManager(rules);
    let opened = 0;
    return timed((w, e) => {
      opened += windows.observe(e, e.ts_ingest).length;
      const id = windows.windowFor(e)?.window_id;
      if (id !== undefined) w.ascii(id);
      w.number(opened);
    });
  },
  journal: () => {
    const windows = new EventWindowManager(rules);
    const times = new HumanTimeCache();
    return timed((w, e, i) => {
      windows.observe(e, e.ts_ingest);
      writeRecord(w, e, i + 1, windows.windowFor(e)?.window_id, times, 'simulator');
    });
  },
  dispatch: () =>
    timed((w, e, i) => {
      w.ascii('{"event":');
      w.value(e);
      w.ascii(',"seq":');
      w.number(i + 1);
      w.ascii('}\n');
    }),
};
const results: Record<string, number[]> = { windows: [], journal: [], dispatch: [] };
const hashes: Record<string, string> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(stages).filter(([name]) => only.length === 0 || only.includes(name))) {
    const { us, hash } = run();
    results[name]!.push(us);
    hashes[name] = hash;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${events.length} events (${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')}), ${rounds} rounds`);
for (const name of Object.keys(stages).filter((name) => results[name]!.length > 0)) {
  console.log(`${name.padEnd(9)} ${median(results[name]!).toFixed(3)} µs/event median, ${Math.min(...results[name]!).toFixed(3)} min (rounds ${results[name]!.map((x) => x.toFixed(2)).join(' ')})  sha256 ${hashes[name]}`);
}
process.exit(0);
