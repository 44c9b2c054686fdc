import { performance } from 'node:perf_hooks';
import { createActor, type AnyActorRef } from 'xstate';
import { VirtualClock } from '../src/adapters/clock/virtual-clock.ts';
import type { TradingConfig } from '../src/config/sections/trading.ts';
import { levelsOf } from '../src/domain/trading/book-view.ts';
import { plan } from '../src/domain/trading/plan.ts';
import { emptyLedger } from '../src/domain/trading/pnl-ledger.ts';
import { emptySignals } from '../src/domain/trading/signals.ts';
import { createMarketGroupMachine } from '../src/machines/market-group/market-group.machine.ts';
import type { MarketTradingEvent } from '../src/machines/market-trading/events.ts';
import { marketTradingMachine } from '../src/machines/market-trading/market-trading.machine.ts';
import { bareAssignActor, bookEvent, books, marketSpec, startMarketActor, tradingConfig, truthEvent } from './support/market-actor-fixtures.ts';
import { PairFrames } from './support/pair-frames.ts';
import { percentile, round } from './support/stats.ts';
import type { Benchmark, BenchContext } from './types.ts';

const ONE_ACTOR_SIGNALS = 100_000;
const ROUNDS = 5;
const MANY_ACTORS = 1_000;
const MANY_SIGNALS = 200_000;
const PAIR_FRAMES = 40_000;

/** The reference: a bare XState actor doing one assign per event. */
function referenceRate(n: number): number {
  const a = bareAssignActor();
  const ev = { type: 'BOOK' as const };
  for (let i = 0; i < 20_000; i++) a.send(ev);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) a.send(ev);
  return n / ((performance.now() - t0) / 1000);
}

function planRate(cfg: TradingConfig, n: number): number {
  const spec = marketSpec('p');
  const bs = books(8);
  const signals = emptySignals();
  signals.books[spec.yes_token] = { token_id: spec.yes_token, synced: true, ts_ms: 0, best_bid: null, best_ask: null, levels: levelsOf(bs[0]!, Infinity) };
  signals.books[spec.no_token] = { token_id: spec.no_token, synced: true, ts_ms: 0, best_bid: null, best_ask: null, levels: levelsOf(bs[1]!, Infinity) };
  signals.truth = { payload: (truthEvent(0) as Extract<MarketTradingEvent, { type: 'TRUTH' }>).truth, ts_ms: 0 };
  const input = { state: 'IDLE' as const, spec, signals, ledger: emptyLedger(), orders: {}, seq: 0, synced: true, finalizing: false, awaitBook: false, haltCauses: [], nowMs: 0, cfg };
  const levels = bs.map((b) => levelsOf(b, Infinity));
  const t0 = performance.now();
  let intents = 0;
  for (let i = 0; i < n; i++) {
    signals.books[spec.yes_token]!.levels = levels[i % 8]!;
    intents += plan(input).intents.length;
  }
  if (intents) throw new Error('benchmark books must not trade');
  return n / ((performance.now() - t0) / 1000);
}

function oneActor(cfg: TradingConfig, ctx: BenchContext) {
  const clock = new VirtualClock(1_000_000);
  let dispatched = 0;
  const spec = marketSpec('m0');
  const actor = startMarketActor(spec, cfg, clock, (n) => void (dispatched += n));
  const bs = books(16);
  const events = Array.from({ length: 64 }, (_, i) => bookEvent(i % 2 ? spec.no_token : spec.yes_token, bs[i % 16]!, clock.now()));
  for (let i = 0; i < 10_000; i++) actor.send(events[i % 64]!);
  // Throughput as the reference measures it (no clock read per event), then latency apart.
  const t0 = performance.now();
  for (let i = 0; i < ONE_ACTOR_SIGNALS; i++) actor.send(events[i % 64]!);
  const seconds = (performance.now() - t0) / 1000;
  const lat = new Float64Array(ONE_ACTOR_SIGNALS);
  for (let i = 0; i < ONE_ACTOR_SIGNALS; i++) {
    const s = performance.now();
    actor.send(events[i % 64]!);
    lat[i] = performance.now() - s;
  }
  if (dispatched) throw new Error('benchmark books must not trade');
  if (actor.getSnapshot().value !== 'IDLE') throw new Error(`unexpected state ${String(actor.getSnapshot().value)}`);
  actor.stop();
  const values = Array.from(lat);
  const r = { signals_per_s: ONE_ACTOR_SIGNALS / seconds, p50_us: percentile(values, 50) * 1000, p99_us: percentile(values, 99) * 1000 };
  ctx.log(`one actor: ${round(r.signals_per_s, 0)} signals/s, decision latency p50 ${round(r.p50_us, 1)} µs, p99 ${round(r.p99_us, 1)} µs`);
  return r;
}

function manyActors(cfg: TradingConfig, ctx: BenchContext) {
  const clock = new VirtualClock(1_000_000);
  const market = marketTradingMachine.provide({ actions: { dispatch: () => {} } });
  const groupMachine = createMarketGroupMachine({ supervision: cfg.supervision, market, respawnInput: (_id, l) => l, watchdogMs: cfg.staleness.watchdog_ms });
  const per = cfg.supervision.max_markets_per_group;
  const groups = Array.from({ length: Math.ceil(MANY_ACTORS / per) }, (_, g) => createActor(groupMachine, { clock, input: { group_id: `g${g}`, now_ms: clock.now() } }).start());
  const t0 = performance.now();
  for (let i = 0; i < MANY_ACTORS; i++) groups[Math.floor(i / per)]!.send({ type: 'ADD_MARKET', input: { spec: marketSpec(`m${i}`), cfg, now_ms: clock.now(), synced: true, watchdog: 'parent' } });
  const spawnMs = performance.now() - t0;
  const refs: AnyActorRef[] = [];
  for (let i = 0; i < MANY_ACTORS; i++) refs.push(groups[Math.floor(i / per)]!.getSnapshot().children[`m${i}`] as AnyActorRef);
  const bs = books(16);
  for (let i = 0; i < MANY_ACTORS; i++) refs[i]!.send(truthEvent(clock.now()));
  const events = refs.map((_r, i) => [bookEvent(`m${i}-Y`, bs[i % 16]!, clock.now()), bookEvent(`m${i}-N`, bs[(i + 3) % 16]!, clock.now())]);
  const lat = new Float64Array(MANY_SIGNALS);
  const t1 = performance.now();
  for (let i = 0; i < MANY_SIGNALS; i++) {
    const m = i % MANY_ACTORS;
    const s = performance.now();
    refs[m]!.send(events[m]![(i / MANY_ACTORS) & 1]!);
    lat[i] = performance.now() - s;
  }
  const seconds = (performance.now() - t1) / 1000;
  // Watchdogs of a thousand actors on virtual time: one second of them.
  const tw = performance.now();
  clock.advanceBy(cfg.staleness.watchdog_ms);
  const watchdogMs = performance.now() - tw;
  const idle = refs.filter((r) => r.getSnapshot().value === 'IDLE').length;
  for (const g of groups) g.stop();
  const values = Array.from(lat);
  const r = {
    actors: MANY_ACTORS,
    groups: groups.length,
    spawn_ms: spawnMs,
    signals_per_s: MANY_SIGNALS / seconds,
    p50_us: percentile(values, 50) * 1000,
    p99_us: percentile(values, 99) * 1000,
    watchdog_round_ms: watchdogMs,
    idle_after: idle,
  };
  ctx.log(
    `${MANY_ACTORS} actors in ${groups.length} groups: spawned in ${round(spawnMs, 0)} ms; ${round(r.signals_per_s, 0)} signals/s, p50 ${round(r.p50_us, 1)} µs, p99 ${round(r.p99_us, 1)} µs; one watchdog round ${round(watchdogMs, 1)} ms`,
  );
  return r;
}

export const tradingBenchmark: Benchmark = {
  title: 'market trading actors: signals/s through one and 1,000 (sharded) actors, decision latency',
  async run(ctx) {
    const cfg = tradingConfig();
    // Reference and actor alternate, best of ROUNDS each; the ratio is the median of each round's
    // own ratio: on a shared machine a load spike then hits both sides of one round rather than
    // skewing the ratio (a best-of on each side pairs figures taken seconds apart).
    let ref = 0;
    let pure = 0;
    let one: ReturnType<typeof oneActor> | null = null;
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const roundRef = referenceRate(ONE_ACTOR_SIGNALS);
      ref = Math.max(ref, roundRef);
      pure = Math.max(pure, planRate(cfg, 50_000));
      const o = oneActor(cfg, ctx);
      ratios.push(o.signals_per_s / roundRef);
      if (!one || o.signals_per_s > one.signals_per_s) one = o;
    }
    if (!one) throw new Error('no round ran');
    ctx.log(`reference (best of ${ROUNDS}): bare XState actor ${round(ref, 0)} events/s; pure plan() ${round(pure, 0)} decisions/s`);
    const many = manyActors(cfg, ctx);
    // Marked and unmarked alternate, the ratio is the median of the rounds' own (as above).
    const pair = { marked: Infinity, single: Infinity, ratios: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const single = (await PairFrames.build(PAIR_FRAMES, false)).run();
      const marked = (await PairFrames.build(PAIR_FRAMES, true)).run();
      pair.single = Math.min(pair.single, single);
      pair.marked = Math.min(pair.marked, marked);
      pair.ratios.push(marked / single);
    }
    ctx.log(
      `router + actors, a price_change moving both books per frame (best of ${ROUNDS}): ${round(pair.marked, 2)} µs/frame with the pair's BEST_PRICEs decided once (partner_follows), ` +
        `${round(pair.single, 2)} µs/frame decided one by one; ratio ${round(percentile(pair.ratios, 50), 3)}`,
    );
    const out = {
      reference_bare_actor_events_per_s: round(ref, 0),
      reference_pure_plan_per_s: round(pure, 0),
      one_actor_signals_per_s: round(one.signals_per_s, 0),
      one_actor_p50_us: round(one.p50_us, 1),
      one_actor_p99_us: round(one.p99_us, 1),
      many_actors: many.actors,
      many_groups: many.groups,
      many_spawn_ms: round(many.spawn_ms, 0),
      many_signals_per_s: round(many.signals_per_s, 0),
      many_p50_us: round(many.p50_us, 1),
      many_p99_us: round(many.p99_us, 1),
      many_watchdog_round_ms: round(many.watchdog_round_ms, 1),
      ratio_one_actor_vs_bare: round(percentile(ratios, 50), 3),
      ratio_one_actor_vs_bare_best_of: round(one.signals_per_s / ref, 3),
      ratio_many_vs_one: round(many.signals_per_s / one.signals_per_s, 3),
      pair_frame_marked_us: round(pair.marked, 2),
      pair_frame_single_us: round(pair.single, 2),
      ratio_pair_frame_marked_vs_single: round(percentile(pair.ratios, 50), 3),
    };
    ctx.log(`ratios: one actor / bare actor ${out.ratio_one_actor_vs_bare}; 1,000 actors / one actor ${out.ratio_many_vs_one}`);
    return out;
  },
};
