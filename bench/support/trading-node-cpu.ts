/**
 * The trading node's CPU per BEST_PRICE, in one process, deterministic: a fixed captured tape
 * (`tape-events.ts`, default config, 100 markets; the node's topics carry no L2_DELTA, so none is
 * fed) goes through a fresh TradingNode (paper venue, markets inferred from the tape, dispatch log
 * on at the daemon's cadence) on its virtual clock, in batches as its bus subscription hands them over.
 * The first `WARM` inputs (the opening snapshots: the markets' actors are built then) go in
 * untimed; each later batch is timed with process.cpuUsage from its first input to the end of the
 * loop turn after it (the dispatch log serializes then, once a turn), and reaches the node as a
 * fresh copy, as a live event does (one made minutes earlier is cold in the cache and old in the
 * heap, which made reading its levels look several times dearer). What the node emits (decisions,
 * orders, fills, alerts) and the dispatch log's bytes are hashed: a change that alters any output
 * prints a different hash.
 *
 * `node --import tsx bench/support/trading-node-cpu.ts [FRAMES] [ROUNDS]`;
 * `COMPARE=/path/to/other/checkout` runs that checkout's node beside this one's, batch by batch in
 * turn (same tape, same process, which goes first alternating), so load on a shared host falls on
 * both alike; it prints each round's ratio. `PROFILE_ROUNDS=n` runs this checkout's node alone n
 * times (for `node --cpu-prof`). `NO_LOG=1`: no dispatch log (what it costs, by difference).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { capturedTapeEvents, TAPE_START_MS } from './tape-events.ts';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';

type LogModule = typeof import('../../src/adapters/storage/dispatch-log.ts');
type NodeModule = typeof import('../../src/runtime/trading/trading-node.ts');
type ClockModule = typeof import('../../src/adapters/clock/virtual-clock.ts');
type FactoryModule = typeof import('../../src/domain/events/factory.ts');
type IdsModule = typeof import('../../src/domain/events/ids.ts');
type RandomModule = typeof import('../../src/domain/util/random.ts');

restoreFastStringPrototype();

const frames = Number(process.argv[2] ?? 40_000);
const rounds = Number(process.argv[3] ?? 5);
const profileRounds = Number(process.env.PROFILE_ROUNDS ?? 0);
/** Events per bus batch (the in-memory bus hands the node a few per socket read at 20,000 frames/s). */
const BATCH = 8;
/** Inputs applied untimed first: the 200 opening snapshots and what follows them closely. */
const WARM = 1_000;

const { config } = loadConfig({ env: {}, overrides: {} });
const inputs = (await capturedTapeEvents(config, frames, 100)).filter((e) => e.type !== 'L2_DELTA');
const timedBestPrices = inputs.slice(WARM).filter((e) => e.type === 'BEST_PRICE').length;
const roots = [fileURLToPath(new URL('../..', import.meta.url)), ...(process.env.COMPARE && !profileRounds ? [process.env.COMPARE] : [])];
const dir = mkdtempSync(path.join(tmpdir(), 'helios-node-cpu-'));

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A checkout's trading node, built fresh for each run over the tape. */
async function checkout(root: string) {
  const { TradingNode } = (await import(`${root}/src/runtime/trading/trading-node.ts`)) as NodeModule;
  const { VirtualClock } = (await import(`${root}/src/adapters/clock/virtual-clock.ts`)) as ClockModule;
  const { EventFactory } = (await import(`${root}/src/domain/events/factory.ts`)) as FactoryModule;
  const { ulidGenerator } = (await import(`${root}/src/domain/events/ids.ts`)) as IdsModule;
  const { seededRng } = (await import(`${root}/src/domain/util/random.ts`)) as RandomModule;
  // The daemon's cadence (the journal's): a write per loop turn would cost more than the lines.
  const cadence = ((await import(`${root}/src/adapters/storage/dispatch-log.ts`)) as LogModule).dispatchLogCadence(config.storage.journal);
  let runs = 0;
  const side = { root, us: [] as number[], hashes: new Set<string>(), emitted: 0 };
  /** A started node, warmed on the tape's opening; `feed` times one batch, `end` the rest and hashes. */
  const run = async () => {
    const clock = new VirtualClock(TAPE_START_MS);
    const hash = createHash('sha256');
    let emitted = 0;
    const file = path.join(dir, `${roots.indexOf(root)}-${runs++}.ndjson`);
    const errors: Error[] = [];
    const node = new TradingNode({
      config,
      clock,
      sink: { emit: (e: HeliosEvent) => void (emitted++, hash.update(JSON.stringify(e))) },
      events: new EventFactory(clock, ulidGenerator(seededRng(7))),
      markets: null,
      dispatchLog: process.env.NO_LOG ? undefined : { file, session: 1, idsSeed: 7, cadence },
      onError: (err) => errors.push(err),
    });
    await node.start();
    for (let i = 0; i < WARM; i++) node.emit(inputs[i]!);
    await node.drained();
    let us = 0;
    const timed = async (work: () => Promise<void> | void) => {
      const t0 = process.cpuUsage();
      await work();
      const d = process.cpuUsage(t0);
      us += d.user + d.system;
    };
    return {
      feed: (batch: readonly HeliosEvent[]) =>
        timed(async () => {
          for (const e of batch) node.emit(e);
          // As `consume` does: a batch usually applies as it is pushed.
          if (!node.decidesAtOnce) await node.drained();
          // The loop turn that ends a socket read: the dispatch log serializes what it noted (this
          // node's, inside its own timing: the other node's turn never runs during this one's).
          await turn();
        }),
      end: async () => {
        await timed(async () => {
          await node.drained();
          await node.endRecording();
        });
        await node.stop();
        if (errors.length) throw errors[0]!;
        if (!process.env.NO_LOG) {
          hash.update(readFileSync(file));
          rmSync(file);
        }
        side.us.push(us);
        side.hashes.add(hash.digest('hex').slice(0, 16));
        side.emitted = emitted;
      },
    };
  };
  return { side, run };
}

/**
 * A new copy of an event's objects and arrays; its strings stay the ones it had, as a live event's
 * ids are the strings the feed keeps (`structuredClone` made new ones, which every map keyed by a
 * token or market id hashed again).
 */
function freshCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(freshCopy) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = freshCopy(v);
  return out as T;
}

async function round(sides: Array<Awaited<ReturnType<typeof checkout>>>): Promise<void> {
  const runs = await Promise.all(sides.map((s) => s.run()));
  for (let i = WARM, b = 0; i < inputs.length; i += BATCH, b++) {
    for (const r of b % 2 ? [...runs].reverse() : runs) await r.feed(inputs.slice(i, i + BATCH).map(freshCopy));
  }
  for (const r of runs) await r.end();
}

const checkouts = await Promise.all(roots.map(checkout));
// Warm-up: one unmeasured round (the JIT, the modules' first use).
await round(checkouts);
for (const c of checkouts) c.side.us.length = 0;
const n = profileRounds || rounds;
for (let r = 0; r < n; r++) await round(checkouts);
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${inputs.length - WARM} timed inputs (${timedBestPrices} BEST_PRICE) from ${frames} frames, ${n} rounds`);
for (const { side } of checkouts) {
  const per = side.us.map((u) => u / timedBestPrices);
  console.log(`${side.root}: ${median(per).toFixed(2)} µs CPU per BEST_PRICE (median; min ${Math.min(...per).toFixed(2)}), ${side.emitted} events emitted, output hash ${[...side.hashes].join(' / ')}`);
}
if (checkouts.length === 2) {
  const [a, b] = checkouts.map((c) => c.side);
  const ratios = a!.us.map((u, i) => u / b!.us[i]!);
  console.log(`this / compared: median ${median(ratios).toFixed(3)} (per round ${ratios.map((x) => x.toFixed(3)).join(' ')})`);
  if (a!.hashes.size !== 1 || [...a!.hashes][0] !== [...b!.hashes][0]) console.log('OUTPUTS DIFFER');
}
process.exit(0);
