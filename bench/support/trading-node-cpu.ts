/**
 * The trading node's CPU per BEST_PRICE, in one process, deterministic: a fixed captured tape
 * (`tape-events.ts`, default config, 100 markets; the node's topics carry no L2_DELTA, so none is
 * fed) goes through a fresh TradingNode (paper venue, markets inferred from the tape, dispatch log
 * on as in the daemon) on its virtual clock, in batches as its bus subscription hands them over,
 * timed with process.cpuUsage from the first input to the last one applied and the log closed.
 * What the node emits (decisions, orders, fills, alerts) and the dispatch log's bytes are hashed:
 * a change that alters any output prints a different hash.
 *
 * `node --import tsx bench/support/trading-node-cpu.ts [FRAMES] [ROUNDS]`;
 * `COMPARE=/path/to/other/checkout` alternates that checkout's node with this one's round by round
 * (same tape, same process) and prints the per-round ratio: a before/after that load on a shared
 * host does not skew. `PROFILE_ROUNDS=n` runs this checkout's node n times only (for `--cpu-prof`).
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

type NodeModule = typeof import('../../src/runtime/trading/trading-node.ts');
type ClockModule = typeof import('../../src/adapters/clock/virtual-clock.ts');
type FactoryModule = typeof import('../../src/domain/events/factory.ts');
type IdsModule = typeof import('../../src/domain/events/ids.ts');
type RandomModule = typeof import('../../src/domain/util/random.ts');

restoreFastStringPrototype();

const frames = Number(process.argv[2] ?? 40_000);
const rounds = Number(process.argv[3] ?? 7);
const profileRounds = Number(process.env.PROFILE_ROUNDS ?? 0);
/** Events per bus batch (the in-memory bus hands the node a few per socket read at 20,000 frames/s). */
const BATCH = 8;

const { config } = loadConfig({ env: {}, overrides: {} });
const inputs = (await capturedTapeEvents(config, frames, 100)).filter((e) => e.type !== 'L2_DELTA');
const bestPrices = inputs.filter((e) => e.type === 'BEST_PRICE').length;
const roots = [fileURLToPath(new URL('../..', import.meta.url)), ...(process.env.COMPARE && !profileRounds ? [process.env.COMPARE] : [])];
const dir = mkdtempSync(path.join(tmpdir(), 'helios-node-cpu-'));

async function checkout(root: string) {
  const { TradingNode } = (await import(`${root}/src/runtime/trading/trading-node.ts`)) as NodeModule;
  const { VirtualClock } = (await import(`${root}/src/adapters/clock/virtual-clock.ts`)) as ClockModule;
  const { EventFactory } = (await import(`${root}/src/domain/events/factory.ts`)) as FactoryModule;
  const { ulidGenerator } = (await import(`${root}/src/domain/events/ids.ts`)) as IdsModule;
  const { seededRng } = (await import(`${root}/src/domain/util/random.ts`)) as RandomModule;
  let run = 0;
  /** One fresh node fed the whole tape: CPU µs, and the hash of everything it emitted and logged. */
  const once = async (): Promise<{ us: number; hash: string; emitted: number }> => {
    const clock = new VirtualClock(TAPE_START_MS);
    const hash = createHash('sha256');
    let emitted = 0;
    const file = path.join(dir, `${roots.indexOf(root)}-${run++}.ndjson`);
    const errors: Error[] = [];
    const node = new TradingNode({
      config,
      clock,
      sink: { emit: (e: HeliosEvent) => void (emitted++, hash.update(JSON.stringify(e))) },
      events: new EventFactory(clock, ulidGenerator(seededRng(7))),
      markets: null,
      dispatchLog: { file, session: 1, idsSeed: 7 },
      onError: (err) => errors.push(err),
    });
    await node.start();
    const t0 = process.cpuUsage();
    for (let i = 0; i < inputs.length; i += BATCH) {
      for (let j = i; j < i + BATCH && j < inputs.length; j++) node.emit(inputs[j]!);
      // As `consume` does: a batch usually applies as it is pushed.
      if (!node.decidesAtOnce) await node.drained();
    }
    await node.drained();
    await node.endRecording();
    const d = process.cpuUsage(t0);
    await node.stop();
    if (errors.length) throw errors[0]!;
    hash.update(readFileSync(file));
    rmSync(file);
    return { us: d.user + d.system, hash: hash.digest('hex').slice(0, 16), emitted };
  };
  return { root, once, us: [] as number[], hashes: new Set<string>(), emitted: 0 };
}

const sides = await Promise.all(roots.map(checkout));
// Warm-up: one unmeasured run each (the JIT, the modules' first use).
for (const s of sides) await s.once();
const n = profileRounds || rounds;
for (let r = 0; r < n; r++) {
  for (const s of r % 2 ? [...sides].reverse() : sides) {
    const out = await s.once();
    s.us.push(out.us);
    s.hashes.add(out.hash);
    s.emitted = out.emitted;
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${inputs.length} inputs (${bestPrices} BEST_PRICE) from ${frames} frames, ${n} rounds`);
for (const s of sides) {
  const per = s.us.map((u) => u / bestPrices);
  console.log(`${s.root}: ${median(per).toFixed(2)} µs CPU per BEST_PRICE (median; min ${Math.min(...per).toFixed(2)}), ${s.emitted} events emitted, output hash ${[...s.hashes].join(' / ')}`);
}
if (sides.length === 2) {
  const ratios = sides[0]!.us.map((u, i) => u / sides[1]!.us[i]!);
  console.log(`this / compared: median ${median(ratios).toFixed(3)} (per round ${ratios.map((x) => x.toFixed(3)).join(' ')})`);
  if (sides[0]!.hashes.size !== 1 || [...sides[0]!.hashes][0] !== [...sides[1]!.hashes][0]) console.log('OUTPUTS DIFFER');
}
process.exit(0);
