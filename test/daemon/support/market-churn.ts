import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { openBus } from '../../../src/adapters/bus/create-bus.ts';
import { BusSink } from '../../../src/adapters/bus/bus-sink.ts';
import { VirtualClock } from '../../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../../src/adapters/log/logger.ts';
import { createMetrics } from '../../../src/adapters/metrics/metrics.ts';
import { discoveryChanges } from '../../../src/apps/daemon/components/discovery.ts';
import { tradingComponent } from '../../../src/apps/daemon/components/trading.ts';
import { truthComponent } from '../../../src/apps/daemon/components/truth.ts';
import { DaemonContext } from '../../../src/apps/daemon/context.ts';
import { DaemonObserver } from '../../../src/apps/daemon/observer.ts';
import { SourceErrors } from '../../../src/apps/daemon/source-errors.ts';
import { RecentEvents } from '../../../src/apps/dashboard/recent-events.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { FanOutSink } from '../../../src/domain/events/sink.ts';
import type { OperatingSetDiff } from '../../../src/domain/discovery/operating-set-diff.ts';
import type { SelectedMarket } from '../../../src/domain/discovery/operating-set.ts';
import { DiscoveredMarkets } from '../../../src/runtime/discovery/discovered-markets.ts';

/**
 * The embedded daemon's in-process parts as `helios run` wires them (in-memory bus, the sink fanned
 * out to bus, observer and the dashboard's recent past, the trading component with its paper state,
 * the context's universe, discovery's handling of what a scan changed), on one virtual clock, driven
 * through markets that live and leave one after another: each is selected by a scan (a °F bucket of
 * its own judge day, or an esports moneyline of its own match; discovery adds it to the universe and
 * publishes its MARKET_DISCOVERED), gets its books on the bus as the feed publishes them, is found
 * resolved to YES by a later scan (discovery settles it out of the universe) and is retired by the
 * trading side after its retention. What grows with the markets that left
 * is a leak; `structureSizes` finds it without knowing where to look.
 */

export const CHURN_T0 = Date.UTC(2025, 6, 15, 16, 0, 0);
/** One market's life; the next one starts after it. */
export const CHURN_LIFE_MS = 20_000;
const RESOLVES_AFTER_MS = 17_000;

/** Market `i` as a scan selects it: even ones a °F bucket of judge day `i`, odd ones a moneyline of match `x{i}`. */
export function churnMarket(i: number): SelectedMarket {
  const base = { event_slug: `e${i}`, event_id: null, condition_id: `m${i}`, question: null, yes_token: `Y${i}`, no_token: `N${i}`, tick_size: 0.01, min_size: 5, neg_risk: false, fee: null, closed: false, accepting_orders: true, winner: null, liquidity: null, volume: null, event_outcomes: 1, tradable: true, not_tradable: null } as const;
  if (i % 2 === 0) {
    const judge_date = new Date(CHURN_T0 + i * 86_400_000).toISOString().slice(0, 10);
    return { ...base, kind: 'temperature', temperature: { station: 'KLGA', metric: 'highest', judge_date, label: '84-85°F', bucket: { low: 84, high: 85, unit: 'F' } }, esports: null };
  }
  return { ...base, kind: 'esports', temperature: null, esports: { teams: ['A', 'B'], match_id: `x${i}`, game: 'cs2', game_id: null, game_start_ms: null } };
}

export interface MarketChurn {
  ctx: DaemonContext;
  clock: VirtualClock;
  recent: RecentEvents;
  /** What discovery keeps of the markets it selected. */
  discovered: DiscoveredMarkets;
  /** Discovery's handling of what a scan changed, as the churn's own scans use it. */
  scanned: (diff: OperatingSetDiff) => void;
  /** Markets run so far. */
  readonly lived: number;
  /** Runs the next `n` markets' lives, one after another. */
  run(n: number): Promise<void>;
  /** Lets the node clock run on (the last markets' retention), then stops everything. */
  stop(): Promise<void>;
}

/** `truthWsUrl`: the truth component runs too, its public sports socket at this (loopback) address. */
export async function marketChurn(opts: { retentionMs?: number; truthWsUrl?: string } = {}): Promise<MarketChurn> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-churn-'));
  const { config, secrets } = loadConfig({
    env: {},
    overrides: {
      'trading.resolved_market_retention_ms': opts.retentionMs ?? 5 * CHURN_LIFE_MS,
      'execution.paper.fail_probability': 0,
      'daemon.dispatch_log': false,
      ...(opts.truthWsUrl ? { 'truth_engine.sources.polymarket_sports.ws_url': opts.truthWsUrl } : {}),
    },
  });
  const clock = new VirtualClock(CHURN_T0);
  const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
  const ctx = new DaemonContext({ config, secrets, logger, mode: 'live', speed: 1, dataDir, inspect: false }, clock, createMetrics());
  ctx.bus = openBus(config.bus, clock);
  ctx.observer = new DaemonObserver(config.daemon.staleness_ms, ctx.metrics, config.daemon.stage_latency_samples, () => ctx.judgedFeeds());
  const recent = new RecentEvents();
  ctx.sink = new FanOutSink(new BusSink(ctx.bus), ctx.observer, recent);
  ctx.dashboard = recent;
  const trading = tradingComponent(ctx);
  await trading.start();
  ctx.sourceErrors = new SourceErrors({ log: logger, metrics: ctx.metrics, now: () => clock.now(), countError: () => void ctx.errors++, logEveryMs: config.daemon.source_error_log_interval_ms });
  const truth = opts.truthWsUrl ? truthComponent(ctx) : null;
  await truth?.start();
  // The feed's ids, as a component's factory makes them.
  const events = ctx.events('churn');
  const discovered = new DiscoveredMarkets();
  const scanned = discoveryChanges(ctx, discovered, () => null);
  // Every step yields to the loop so the trading node reads what was published before time moves on.
  const at = (t: number) => clock.advanceSettling(t, () => new Promise<void>((r) => setImmediate(r)));
  let lived = 0;

  const life = async (i: number) => {
    const start = CHURN_T0 + 1_000 + i * CHURN_LIFE_MS;
    const market = churnMarket(i);
    const { condition_id: market_id, yes_token, no_token } = market;
    await at(start);
    scanned({ added: [market], closed: [], changed: [] });
    for (let k = 0; k < 30; k++) {
      await at(start + 100 + 500 * k);
      for (const token_id of [yes_token, no_token]) {
        const payload = { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.44, 100]], asks: [[0.45, 100]], best_bid: 0.44, best_ask: 0.45, mid: null, spread: null, microprice: null, imbalance: null, hash: null };
        ctx.sink.emit(events.make('L2_SNAPSHOT', payload as never, { market_id, token_id }));
      }
    }
    await at(start + RESOLVES_AFTER_MS);
    // Discovery's next scan finds it resolved: it settles it and its tokens are no longer carried.
    scanned({ added: [], closed: [{ market: { ...market, closed: true, winner: true, tradable: false, not_tradable: 'closed' }, winning_token: yes_token }], changed: [] });
  };

  return {
    ctx,
    clock,
    recent,
    discovered,
    scanned,
    get lived() {
      return lived;
    },
    async run(n) {
      for (let k = 0; k < n; k++) await life(lived++);
      await at(CHURN_T0 + 1_000 + lived * CHURN_LIFE_MS);
    },
    async stop() {
      await at(clock.now() + config.trading.resolved_market_retention_ms + 2 * CHURN_LIFE_MS);
      await truth?.stop();
      await trading.stop();
      await ctx.bus.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sizes of every Map, Set and array reachable from `roots` through object properties, summed by
 * their path with map keys and array indices as `*` (so `a.byId{*}.orders` is every market's
 * orders map together). Closures are not followed: what a function keeps in its scope only shows
 * in the heap.
 */
export function structureSizes(roots: Record<string, unknown>, maxObjects = 2_000_000): Map<string, number> {
  const sizes = new Map<string, number>();
  const seen = new WeakSet<object>();
  const stack: Array<[unknown, string]> = Object.entries(roots).map(([k, v]) => [v, k]);
  let visited = 0;
  while (stack.length > 0 && visited < maxObjects) {
    const [value, where] = stack.pop()!;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    visited++;
    if (value instanceof Map) {
      sizes.set(`${where}{}`, (sizes.get(`${where}{}`) ?? 0) + value.size);
      for (const [k, v] of value) {
        stack.push([k, `${where}{key}`]);
        stack.push([v, `${where}{*}`]);
      }
    } else if (value instanceof Set) {
      sizes.set(`${where}{}`, (sizes.get(`${where}{}`) ?? 0) + value.size);
      for (const v of value) stack.push([v, `${where}{*}`]);
    } else if (Array.isArray(value)) {
      sizes.set(`${where}[]`, (sizes.get(`${where}[]`) ?? 0) + value.length);
      for (const v of value) stack.push([v, `${where}[*]`]);
    } else if (ArrayBuffer.isView(value)) {
      sizes.set(`${where}<bytes>`, (sizes.get(`${where}<bytes>`) ?? 0) + value.byteLength);
    } else {
      for (const key of Object.getOwnPropertyNames(value)) {
        const d = Object.getOwnPropertyDescriptor(value, key);
        if (d && 'value' in d) stack.push([d.value, `${where}.${key}`]);
      }
    }
  }
  return sizes;
}

/** Paths whose size grew from `before` to `after` by at least `minGrowth`, largest growth first. */
export function grownStructures(before: Map<string, number>, after: Map<string, number>, minGrowth: number): Array<{ path: string; before: number; after: number }> {
  const out: Array<{ path: string; before: number; after: number }> = [];
  for (const [p, n] of after) {
    const b = before.get(p) ?? 0;
    if (n - b >= minGrowth) out.push({ path: p, before: b, after: n });
  }
  return out.sort((x, y) => y.after - y.before - (x.after - x.before) || (x.path < y.path ? -1 : 1));
}
