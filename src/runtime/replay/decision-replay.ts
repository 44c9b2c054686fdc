import type { HeliosConfig } from '../../config/schema.ts';
import type { BusBookMirror } from '../../domain/book/bus-book-mirror.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { Channel } from '../../domain/events/channels.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import type { ReplayMarket } from '../../adapters/storage/market-catalog.ts';
import { isDecision, type DecisionEvent } from '../trading/decision-recorder.ts';
import { TradingNode, type DecisionSummary } from '../trading/trading-node.ts';
import type { QcGateMode } from '../trading/trading-router.ts';

export { DECISION_TYPES, type DecisionEvent, type DecisionType } from '../trading/decision-recorder.ts';
export type { DecisionSummary } from '../trading/trading-node.ts';
export { inferSpec, type QcGateMode } from '../trading/trading-router.ts';

/** What the trading node reads: market tape, world tape, truth, controls. Recorded decisions are never inputs. */
export const DECISION_INPUT_CHANNELS: readonly Channel[] = ['l2', 'l2_delta', 'tape', 'nowcast', 'truth', 'control'];

const INPUT_CHANNELS: ReadonlySet<string> = new Set(DECISION_INPUT_CHANNELS);

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

/** Seed of the decision ids for a range: the same range (and app seed) always gives the same ids. */
export function decisionSeed(appSeed: number, from: number, to: number): number {
  return hash32(`helios-decisions:${appSeed}:${from}:${to}`);
}

/**
 * The daemon's trading node fed a recorded range (a replay engine's sink, a backtest): the node's
 * own clock starts at `from`, its pump applies the events in the order they are emitted, and only
 * decisions leave it. A daemon's own run is replayed from its dispatch log instead (`replayDispatchLogs`).
 */
export class DecisionReplay implements EventSink {
  readonly clock: VirtualClock;
  readonly node: TradingNode;
  private readonly observed: ReadonlySet<string>;
  private finished = false;

  constructor(opts: DecisionReplayOptions) {
    this.clock = new VirtualClock(opts.from);
    this.observed = new Set(opts.observeChannels ?? []);
    this.node = new TradingNode({
      config: opts.config,
      clock: this.clock,
      sink: { emit: (e) => isDecision(e) && opts.publish?.emit(e) },
      events: new EventFactory(this.clock, ulidGenerator(seededRng(opts.seed))),
      markets: opts.markets,
      qcGate: opts.qcGate,
      decisionsOut: opts.out ? { file: opts.out, append: false } : undefined,
      onInput: opts.observer?.input,
      onDecision: opts.observer?.decision,
      onError: (err) => {
        throw err;
      },
    });
  }

  get mirror(): BusBookMirror {
    return this.node.mirror;
  }

  start(): Promise<void> {
    return this.node.start();
  }

  emit(event: HeliosEvent): void {
    if (this.finished || (!INPUT_CHANNELS.has(event.ch) && !this.observed.has(event.ch))) return;
    this.node.emit(event);
  }

  drained(): Promise<void> {
    return this.node.drained();
  }

  /** Applies what is queued, runs the clock to `to` (timers included), stops, closes the output. */
  finish(to: number): Promise<DecisionSummary> {
    this.finished = true;
    return this.node.finish(to);
  }

  /** Stops without finishing (a backward seek starts a new pipeline); the output is truncated. */
  abort(): void {
    this.finished = true;
    this.node.abort();
  }

  /** Net PnL of every market right now (at the runtime's marks). */
  netPnl(): number {
    return this.node.runtime.totalNetPnl();
  }

  marketIds(): string[] {
    return this.node.router.marketIds();
  }

  spec(marketId: string): MarketSpec | undefined {
    return this.node.router.spec(marketId);
  }

  summary(): DecisionSummary {
    return this.node.summary();
  }
}
