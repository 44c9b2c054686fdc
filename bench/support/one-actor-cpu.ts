/**
 * One market actor's CPU per signal beside a bare XState actor's per event, in one process, on
 * `bench trading`'s one-actor events: `node --import tsx bench/support/one-actor-cpu.ts [signals] [rounds]`.
 * CPU time (process.cpuUsage), rounds alternating, so a busy host slows both sides of a round alike.
 * `COMPARE=/path/to/other/checkout` runs that checkout's market actor as well, alternating with
 * this one's in the same process (same XState, same events): a before/after of a change to the
 * machine or its planning that load on a shared host does not skew. Run it both ways round (from
 * each checkout with the other as COMPARE) and take the geometric mean of the two medians: which
 * checkout loads first moved the ratio by 1–5 % in either direction (an A/A run read 0.988).
 * `ACTOR_ONLY=1` skips the
 * reference (for a CPU profile of the actor alone).
 */
import { fileURLToPath } from 'node:url';

type Fixtures = typeof import('./market-actor-fixtures.ts');
type VirtualClockModule = typeof import('../../src/adapters/clock/virtual-clock.ts');

const signals = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
const actorOnly = process.env.ACTOR_ONLY === '1';
const roots = [fileURLToPath(new URL('../..', import.meta.url)), ...(process.env.COMPARE ? [process.env.COMPARE] : [])];

function cpuUs(run: () => void): number {
  const t0 = process.cpuUsage();
  run();
  const d = process.cpuUsage(t0);
  return d.user + d.system;
}

/** A started market actor from the checkout at `root`, and the 64 book events it is sent in turn. */
async function actorFrom(root: string) {
  const fx = (await import(`${root}/bench/support/market-actor-fixtures.ts`)) as Fixtures;
  const { VirtualClock } = (await import(`${root}/src/adapters/clock/virtual-clock.ts`)) as VirtualClockModule;
  const clock = new VirtualClock(1_000_000);
  const spec = fx.marketSpec('m0');
  const actor = fx.startMarketActor(spec, fx.tradingConfig(), clock);
  const bs = fx.books(16);
  const events = Array.from({ length: 64 }, (_, i) => fx.bookEvent(i % 2 ? spec.no_token : spec.yes_token, bs[i % 16]!, clock.now()));
  return { root, actor, events, bare: fx.bareAssignActor(), us: [] as number[] };
}

const actors = await Promise.all(roots.map(actorFrom));
const ev = { type: 'BOOK' as const };
for (const a of actors) for (let i = 0; i < 20_000; i++) a.actor.send(a.events[i % 64]!);
const bareUs: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (!actorOnly) {
    const bare = actors[0]!.bare;
    bareUs.push(cpuUs(() => {
      for (let i = 0; i < signals; i++) bare.send(ev);
    }));
  }
  // Alternate which checkout goes first from round to round.
  for (const a of r % 2 ? [...actors].reverse() : actors) {
    a.us.push(cpuUs(() => {
      for (let i = 0; i < signals; i++) a.actor.send(a.events[i % 64]!);
    }));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const a of actors) {
  const perSignal = a.us.map((u) => u / signals);
  const ratio = actorOnly ? '' : `, ratio to the bare actor (median of rounds) ${median(a.us.map((u, i) => bareUs[i]! / u)).toFixed(3)}`;
  console.log(`${a.root}: ${median(perSignal).toFixed(3)} µs/signal median of ${rounds} rounds${ratio}`);
}
if (!actorOnly) console.log(`bare actor: ${median(bareUs.map((u) => u / signals)).toFixed(3)} µs/event median`);
if (actors.length === 2) {
  const perRound = actors[0]!.us.map((u, i) => u / actors[1]!.us[i]!);
  const lower = perRound.filter((x) => x < 1).length;
  console.log(`this / compared, CPU per signal: median ${median(perRound).toFixed(3)} over ${rounds} rounds (lower in ${lower})`);
}
