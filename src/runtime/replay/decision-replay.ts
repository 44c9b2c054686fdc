import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { TradingRuntime } from '../trading/trading-runtime.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import { BusBookMirror } from '../../domain/book/bus-book-mirror.ts';
import type { EventOf, HeliosEvent } from '../../domain/events/catalog.ts';
import type { Channel } from '../../domain/events/channels.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { pnlSummary, type PnlSummary } from '../../domain/trading/pnl-ledger.ts';
import { policyFromNowcast, policyFromTruth, type Policy, type PolicyDefaults } from '../../domain/trading/policy.ts';
import { RiskEngine } from '../../domain/trading/risk-engine.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { stableStringify } from '../../domain/util/stable-json.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import type { ReplayMarket } from '../../adapters/storage/market-catalog.ts';

/** What the pipeline reads: market tape, world tape, truth. Recorded decisions are never inputs. */
export const DECISION_INPUT_CHANNELS: readonly Channel[] = ['l2', 'l2_delta', 'tape', 'nowcast', 'truth'];

/** What the pipeline writes (one NDJSON line each). */
export const DECISION_TYPES = ['POLICY', 'ORDER_UPDATE', 'FILL', 'POSITION', 'MARKET_STATE', 'RISK_STATE'] as const;
export type DecisionType = (typeof DECISION_TYPES)[number];
export type DecisionEvent = { [T in DecisionType]: EventOf<T> }[DecisionType];

const DECISION_SET: ReadonlySet<string> = new Set(DECISION_TYPES);
const INPUT_CHANNELS: ReadonlySet<string> = new Set(DECISION_INPUT_CHANNELS);

/** How NOWCAST's QC gate reaches policy: as recorded, or forced (QC sensitivity in backtests). */
export type QcGateMode = 'recorded' | 'open' | 'closed';

/** Read-only hooks for analytics (backtests): called synchronously, in pipeline order. */
export interface DecisionObserver {
  /** After an input event was applied (the mirror already reflects it). */
  input?(event: HeliosEvent, mirror: BusBookMirror): void;
  decision?(event: DecisionEvent, mirror: BusBookMirror): void;
}

export interface DecisionReplayOptions {
  config: Pick<HeliosConfig, 'trading' | 'risk' | 'execution'>;
  /** Markets to trade; null infers them from the tape (pair arbitrage only, see `inferSpec`). */
  markets: readonly ReplayMarket[] | null;
  /** Virtual start: the replay range's `from`. */
  from: number;
  /** Seed of the decision ids; two runs with the same seed, range and input write the same bytes. */
  seed: number;
  /** Where decisions are also published (a WebSocket channel server, a bus). */
  publish?: EventSink;
  /** NDJSON file of the decisions (parent directories are created). */
  out?: string;
  observer?: DecisionObserver;
  /** Channels passed to the observer only, in order with the inputs (e.g. world, for METARs). */
  observeChannels?: readonly Channel[];
  qcGate?: QcGateMode;
}

export interface DecisionSummary {
  inputs: number;
  decisions: Record<DecisionType, number>;
  /** Distinct orders placed, and fills (MATCHED, not later FAILED). */
  orders: number;
  fills: number;
  markets: Array<{ market_id: string; state: string | null; pnl: PnlSummary }>;
  net_pnl: number;
  /** Virtual time the pipeline ended at. */
  ended_at: number;
}

/** Seed of the decision ids for a range: the same range (and app seed) always gives the same ids. */
export function decisionSeed(appSeed: number, from: number, to: number): number {
  return hash32(`helios-decisions:${appSeed}:${from}:${to}`);
}

/**
 * Deterministic decisions from a recorded (or simulated) event stream: a bus consumer that
 * rebuilds books with `BusBookMirror`, derives policies from TRUTH_STATE / NOWCAST, and runs the
 * trading runtime (market actors, pre-trade risk, paper venue) on its own virtual clock.
 *
 * Feed it with `emit` (it is an EventSink: a ReplayEngine's sink, or a live tee). Events queue and
 * a single pump applies them in order. Before each event the clock advances to the event's
 * `ts_ingest` deadline by deadline, yielding to the event loop after every deadline and after every
 * event, so timers fire at their virtual instants and the promise continuations they release settle
 * before anything later happens, exactly as they would live. The pump does not depend on how the
 * producer paced or chunked the stream: the same events give the same decisions, byte for byte.
 */
export class DecisionReplay implements EventSink {
  readonly clock: VirtualClock;
  readonly mirror = new BusBookMirror();
  private readonly runtime: TradingRuntime;
  private readonly paper: PaperExecutionAdapter;
  private readonly events: EventFactory;
  private readonly markets = new Map<string, ReplayMarket>();
  private readonly marketOfToken = new Map<string, string>();
  private readonly byStation = new Map<string, string[]>();
  private readonly byMatch = new Map<string, string[]>();
  /** Tokens seen per market, while inferring markets from the tape. */
  private readonly unseen = new Map<string, { tokens: Set<string>; tick: number }>();
  private readonly lastPolicy = new Map<string, Policy>();
  private readonly orderIds = new Set<string>();
  private readonly fillIds = new Set<string>();
  private readonly counts = Object.fromEntries(DECISION_TYPES.map((t) => [t, 0])) as Record<DecisionType, number>;
  private readonly queue: HeliosEvent[] = [];
  private head = 0;
  private pumping: Promise<void> | null = null;
  private failure: Error | null = null;
  private inputs = 0;
  private starting: Promise<void> | null = null;
  private finished = false;
  private file: WriteStream | null = null;
  private readonly observed: ReadonlySet<string>;
  private readonly truthDefaults: PolicyDefaults;
  private readonly nowcastDefaults: PolicyDefaults;

  constructor(private readonly opts: DecisionReplayOptions) {
    const { trading, risk, execution } = opts.config;
    this.clock = new VirtualClock(opts.from);
    this.observed = new Set(opts.observeChannels ?? []);
    this.events = new EventFactory(this.clock, ulidGenerator(seededRng(opts.seed)));
    this.paper = new PaperExecutionAdapter({ clock: this.clock, cfg: execution.paper, bookFor: (t) => this.mirror.tradableBook(t) });
    this.runtime = new TradingRuntime({
      clock: this.clock,
      trading,
      risk,
      execution,
      riskEngine: new RiskEngine(risk),
      adapter: this.paper,
      sink: { emit: (e) => this.onRuntimeEvent(e) },
      events: this.events,
    });
    const base = { edge_threshold: trading.temporal.edge_threshold, max_order_usdc: trading.temporal.hard_cap_usdc, max_position_usdc: trading.temporal.hard_cap_usdc };
    // A published policy lives as long as its input may: past that, staleness halts the market anyway.
    this.truthDefaults = { ...base, ttl_ms: trading.staleness.truth_stale_ms };
    this.nowcastDefaults = { ...base, ttl_ms: trading.staleness.nowcast_stale_ms };
    if (opts.out) {
      // Opened now: adding the markets below already publishes their first state.
      mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      this.file = createWriteStream(opts.out, { encoding: 'utf8' });
    }
    for (const m of opts.markets ?? []) this.register(m);
  }

  /** Reconciles the (empty) paper venue, which lets the markets trade; done by the first event otherwise. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.runtime.start();
      await this.settle();
    })();
    return this.starting;
  }

  emit(event: HeliosEvent): void {
    if (this.finished || (!INPUT_CHANNELS.has(event.ch) && !this.observed.has(event.ch))) return;
    this.queue.push(event);
    this.pumping ??= this.pump();
  }

  /** Resolves once every event emitted so far has been applied. */
  async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
    if (this.failure) throw this.failure;
  }

  /** Applies what is queued, runs the clock to `to` (timers included), stops, closes the output. */
  async finish(to: number): Promise<DecisionSummary> {
    await this.drained();
    this.finished = true;
    await this.advance(Math.max(to, this.clock.now()));
    const summary = this.summary();
    this.runtime.stop();
    if (this.file) {
      const f = this.file;
      this.file = null;
      await new Promise<void>((resolve, reject) => f.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    return summary;
  }

  /** Stops without finishing (a backward seek starts a new pipeline); the output is truncated. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    this.head = 0;
    this.runtime.stop();
    this.file?.destroy();
    this.file = null;
  }

  /** Net PnL of every market right now (marks: mid of each token's latest book signal). */
  netPnl(): number {
    return this.runtime.totalNetPnl();
  }

  marketIds(): string[] {
    return [...this.markets.keys()].sort();
  }

  spec(marketId: string): MarketSpec | undefined {
    return this.markets.get(marketId)?.spec;
  }

  summary(): DecisionSummary {
    const markets = this.marketIds().map((id) => {
      const snap = this.runtime.marketSnapshot(id);
      const marks: Record<string, number | null> = {};
      for (const [token, b] of Object.entries(snap?.context.signals.books ?? {})) {
        marks[token] = b.best_bid !== null && b.best_ask !== null ? (b.best_bid + b.best_ask) / 2 : (b.best_bid ?? b.best_ask);
      }
      const pnl = snap ? pnlSummary(snap.context.ledger, marks) : { realized: 0, unrealized: 0, fees: 0, net: 0, by_strategy: {} };
      return { market_id: id, state: snap?.state ?? null, pnl };
    });
    return { inputs: this.inputs, decisions: { ...this.counts }, orders: this.orderIds.size, fills: this.fillIds.size, markets, net_pnl: markets.reduce((s, m) => s + m.pnl.net, 0), ended_at: this.clock.now() };
  }

  // ---- the pump -------------------------------------------------------------------------------

  private async pump(): Promise<void> {
    try {
      await this.start();
      while (this.head < this.queue.length) {
        const event = this.queue[this.head++]!;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        await this.advance(event.ts_ingest);
        this.inputs++;
        if (this.apply(event)) await this.settle();
        this.opts.observer?.input?.(event, this.mirror);
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.queue.length = 0;
      this.head = 0;
    } finally {
      this.pumping = null;
    }
  }

  /** Virtual time to `t`, one deadline at a time, letting released continuations run after each. */
  private async advance(t: number): Promise<void> {
    for (;;) {
      const d = this.clock.nextDeadline();
      if (d === undefined || d > t) break;
      this.clock.advanceTo(d);
      await this.settle();
    }
    if (t > this.clock.now()) this.clock.advanceTo(t);
  }

  private async settle(): Promise<void> {
    await yieldToLoop();
  }

  /** One input event; true when it reached the trading side (then its consequences settle). */
  private apply(event: HeliosEvent): boolean {
    switch (event.type) {
      case 'L2_SNAPSHOT':
      case 'BEST_PRICE':
      case 'BOOK_RESYNC_START':
      case 'BOOK_RESYNC_DONE':
      case 'GAP_DETECTED':
      case 'TICK_SIZE_CHANGE':
      case 'L2_DELTA': {
        if (!this.mirror.apply(event)) return false;
        const token = event.token_id!;
        if (!this.marketOfToken.has(token)) this.inferMarket(event);
        if (!this.marketOfToken.has(token)) return false;
        this.paper.onBookUpdated(token);
        // Deltas refresh the shared book in place; market actors hear coalesced signals only.
        if (event.type === 'L2_DELTA') return true;
        const book = this.mirror.tradableBook(token);
        this.runtime.onBook({
          token_id: token,
          synced: book !== undefined,
          ts_ms: event.ts_ingest,
          best_bid: book?.bestBid()?.price ?? null,
          best_ask: book?.bestAsk()?.price ?? null,
          book: book ?? null,
        });
        return true;
      }
      case 'TRADE': {
        const token = event.token_id;
        if (token === undefined || !this.marketOfToken.has(token)) return false;
        this.paper.onTrade(token, { price: event.payload.price, size: event.payload.size, side: event.payload.side });
        return true;
      }
      case 'MARKET_RESOLVED': {
        const id = event.market_id;
        if (id === undefined || !this.markets.has(id)) return false;
        this.runtime.send(id, { type: 'MARKET_RESOLVED', winning_token_id: event.payload.winning_token_id });
        return true;
      }
      case 'TRUTH_STATE':
        return this.onTruth(event);
      case 'NOWCAST':
        return this.onNowcast(event);
      default:
        return false;
    }
  }

  private onTruth(event: EventOf<'TRUTH_STATE'>): boolean {
    const ids = new Set<string>(event.match_id !== undefined ? (this.byMatch.get(event.match_id) ?? []) : []);
    if (event.market_id !== undefined && this.markets.has(event.market_id)) ids.add(event.market_id);
    if (ids.size === 0) return false;
    for (const id of [...ids].sort()) {
      const spec = this.markets.get(id)!.spec;
      this.runtime.send(id, { type: 'TRUTH', truth: event.payload, ts_ms: event.ts_ingest });
      if (spec.fair_source.kind !== 'truth') continue;
      this.publishPolicy(id, policyFromTruth(event.payload, spec.fair_source.outcome_by_token, this.truthDefaults, this.clock.now()), event);
    }
    return true;
  }

  private onNowcast(event: EventOf<'NOWCAST'>): boolean {
    const ids = event.station_id !== undefined ? (this.byStation.get(event.station_id) ?? []) : [];
    if (ids.length === 0) return false;
    const mode = this.opts.qcGate ?? 'recorded';
    const nowcast = mode === 'recorded' ? event.payload : { ...event.payload, qc_gate: mode };
    for (const id of ids) {
      const spec = this.markets.get(id)!.spec;
      this.runtime.send(id, { type: 'NOWCAST', nowcast, ts_ms: event.ts_ingest });
      if (spec.fair_source.kind !== 'nowcast') continue;
      this.publishPolicy(id, policyFromNowcast(nowcast, spec.fair_source, this.nowcastDefaults, this.clock.now()), event);
    }
    return true;
  }

  /** Publishes a derived policy when its fair values changed or the previous one ran out. */
  private publishPolicy(marketId: string, policy: Policy | null, cause: HeliosEvent): void {
    if (!policy) return;
    const last = this.lastPolicy.get(marketId);
    const now = this.clock.now();
    if (last && last.valid_until_ms >= now && sameFairValues(last, policy) && last.edge_threshold === policy.edge_threshold) return;
    this.lastPolicy.set(marketId, policy);
    this.onRuntimeEvent(this.events.make('POLICY', policy, { market_id: marketId, correlation_id: cause.correlation_id, causation_id: cause.event_id }));
    this.runtime.send(marketId, { type: 'POLICY', policy });
  }

  private onRuntimeEvent(event: HeliosEvent): void {
    if (!DECISION_SET.has(event.type)) return;
    const d = event as DecisionEvent;
    this.counts[d.type]++;
    if (d.type === 'ORDER_UPDATE') this.orderIds.add(d.payload.client_order_id);
    else if (d.type === 'FILL') {
      if (d.payload.status === 'FAILED') this.fillIds.delete(d.payload.fill_id);
      else if (d.payload.status === 'MATCHED') this.fillIds.add(d.payload.fill_id);
    }
    this.file?.write(stableStringify(d) + '\n');
    this.opts.publish?.emit(d);
    this.opts.observer?.decision?.(d, this.mirror);
  }

  // ---- markets ----------------------------------------------------------------------------------

  private register(m: ReplayMarket): void {
    const id = m.spec.market_id;
    if (this.markets.has(id)) return;
    this.markets.set(id, m);
    this.marketOfToken.set(m.spec.yes_token, id);
    this.marketOfToken.set(m.spec.no_token, id);
    if (m.station_id !== null) this.byStation.set(m.station_id, [...(this.byStation.get(m.station_id) ?? []), id].sort());
    if (m.match_id !== null) this.byMatch.set(m.match_id, [...(this.byMatch.get(m.match_id) ?? []), id].sort());
    this.runtime.addMarket(m.spec);
  }

  /** Without a catalog: a market enters once both its tokens appeared on the tape. */
  private inferMarket(event: HeliosEvent): void {
    if (this.opts.markets !== null || event.market_id === undefined || event.token_id === undefined) return;
    const tick = event.type === 'L2_SNAPSHOT' ? event.payload.tick_size : null;
    let seen = this.unseen.get(event.market_id);
    if (!seen) this.unseen.set(event.market_id, (seen = { tokens: new Set(), tick: tick ?? 0.01 }));
    seen.tokens.add(event.token_id);
    if (tick !== null) seen.tick = tick;
    if (seen.tokens.size < 2) return;
    this.unseen.delete(event.market_id);
    this.register({ spec: inferSpec(event.market_id, [...seen.tokens].sort() as [string, string], seen.tick, this.opts.config.trading.default_fee), station_id: null, match_id: null });
  }
}

/**
 * A market known only from its tape: which token is YES is unknown (the lower id is taken) and
 * there is no fair value, so only pair arbitrage (which needs neither) trades it.
 */
export function inferSpec(marketId: string, tokens: [string, string], tickSize: number, fee: MarketSpec['fee']): MarketSpec {
  return {
    market_id: marketId,
    yes_token: tokens[0],
    no_token: tokens[1],
    tick_size: tickSize,
    min_order_size: 5,
    fee,
    fair_source: { kind: 'none' },
    strategies: { pair_arb: true, temporal: false },
    admitted: true,
    admission_reason: null,
  };
}

function sameFairValues(a: Policy, b: Policy): boolean {
  const ka = Object.keys(a.fair_value);
  if (ka.length !== Object.keys(b.fair_value).length) return false;
  return ka.every((k) => b.fair_value[k] === a.fair_value[k]);
}
