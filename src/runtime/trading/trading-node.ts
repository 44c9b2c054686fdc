import type { HeliosConfig } from '../../config/schema.ts';
import type { Subscription } from '../../adapters/bus/event-bus.ts';
import { createExecutionAdapter } from '../../adapters/execution/create-adapter.ts';
import { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import { TradingRuntime } from './trading-runtime.ts';
import { BusBookMirror } from '../../domain/book/bus-book-mirror.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { L2Book } from '../../domain/book/l2-book.ts';
import { RiskEngine } from '../../domain/trading/risk-engine.ts';
import type { UniverseMarket } from '../../sim/sim-universe.ts';
import { TradingRouter } from './trading-router.ts';

/**
 * Order sequence numbers one session may use per market: ids of session n start at n × this, far
 * beyond what a session can place (the risk rate limit allows ~10 orders/s in all; 10^9 of them
 * would take years), and stay well inside Number.MAX_SAFE_INTEGER for millions of sessions.
 */
export const SEQ_PER_SESSION = 1_000_000_000;

export function sessionSeqBase(session: number): number {
  return session * SEQ_PER_SESSION;
}

export interface TradingNodeDeps {
  config: Pick<HeliosConfig, 'trading' | 'risk' | 'execution'>;
  clock: Clock;
  sink: EventSink;
  events: EventFactory;
  /** The markets this process trades (all of them, or its shard's). */
  markets: readonly UniverseMarket[];
  /**
   * Books of this process's own market feed (all-in-one). Absent in a trading-only process: books
   * are rebuilt from the bus (`BusBookMirror`), so it reads `l2_delta` as well.
   */
  feedBook?: (token: string) => L2Book | null;
  /** Sees every consumed event (a trading-only process's health observer). */
  observe?: EventSink;
  /** First order sequence number of every market: this session's range (see `sessionSeqBase`). */
  seqBase?: number;
  onError(err: Error): void;
}

/**
 * The trading side of the daemon as one unit: execution adapter, risk, the trading runtime with
 * its market actors, and the router that feeds it from the bus. The daemon runs one per process
 * (all-in-one or one shard); a test can drive the same unit from a recorded stream with `route`.
 */
export class TradingNode {
  readonly mirror: BusBookMirror | null;
  readonly runtime: TradingRuntime;
  readonly paper: PaperExecutionAdapter | null;
  readonly router: TradingRouter;
  private subscription: Subscription | null = null;

  constructor(private readonly deps: TradingNodeDeps) {
    const { config, clock } = deps;
    this.mirror = deps.feedBook ? null : new BusBookMirror();
    const bookFor = (t: string): L2Book | null => (deps.feedBook ? deps.feedBook(t) : (this.mirror!.tradableBook(t) ?? null));
    const adapter = createExecutionAdapter(config.execution, { clock, bookFor: (t) => bookFor(t) ?? undefined });
    this.paper = adapter instanceof PaperExecutionAdapter ? adapter : null;
    this.runtime = new TradingRuntime({
      clock,
      trading: config.trading,
      risk: config.risk,
      execution: config.execution,
      riskEngine: new RiskEngine(config.risk),
      adapter,
      sink: deps.sink,
      events: deps.events,
      seqBase: deps.seqBase,
    });
    for (const m of deps.markets) this.runtime.addMarket(m.spec);
    this.router = new TradingRouter({
      runtime: this.runtime,
      paper: this.paper,
      markets: deps.markets,
      bookFor,
      mirror: this.mirror ?? undefined,
      observe: deps.observe,
      onError: deps.onError,
    });
  }

  /** Reconciles with the venue; the markets trade once it succeeded. */
  async start(): Promise<void> {
    await this.runtime.start();
  }

  topics(): string[] {
    return this.router.topics();
  }

  consume(subscription: Subscription): void {
    this.subscription = subscription;
    this.router.consume(subscription);
  }

  /** Tokens of the traded markets whose mirrored book is synced (0 when books come from the feed). */
  mirroredTokensSynced(): number {
    if (!this.mirror) return 0;
    return this.deps.markets.reduce((n, m) => n + (this.mirror!.synced(m.spec.yes_token) ? 1 : 0) + (this.mirror!.synced(m.spec.no_token) ? 1 : 0), 0);
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.router.stopped();
    this.runtime.stop();
    this.subscription = null;
  }
}
