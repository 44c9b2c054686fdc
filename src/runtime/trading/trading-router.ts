import type { BusBookMirror } from '../../domain/book/bus-book-mirror.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { topicOf } from '../../domain/events/topics.ts';
import type { TradableBook } from '../../domain/trading/book-view.ts';
import type { Subscription } from '../../adapters/bus/event-bus.ts';
import type { PaperExecutionAdapter } from '../../adapters/execution/paper-adapter.ts';
import type { TradingRuntime } from './trading-runtime.ts';
import type { UniverseMarket } from '../../sim/sim-universe.ts';

export interface TradingRouterDeps {
  runtime: TradingRuntime;
  paper: PaperExecutionAdapter | null;
  markets: readonly UniverseMarket[];
  /** The mirrored book of a token (the feed's, or one rebuilt from the bus). */
  bookFor(token: string): TradableBook | null;
  /**
   * Books rebuilt from the bus (a trading-only process): every event is applied to it before it
   * is routed, and the markets' `l2_delta` topics are read too.
   */
  mirror?: BusBookMirror;
  /** Sees every event before it is routed (health and staleness in a trading-only process). */
  observe?: EventSink;
  onError(err: Error): void;
}

/**
 * Feeds the trading runtime from the bus: coalesced best prices and trades per market, truth per
 * match, nowcasts per station, halts and resumes. It is the trading side's only input, so the
 * same code runs all-in-one and as a Redis consumer-group shard.
 */
export class TradingRouter {
  private readonly marketsByMatch = new Map<string, string[]>();
  private readonly marketsByStation = new Map<string, string[]>();
  private readonly marketIds = new Set<string>();
  private running: Promise<void> | null = null;
  readonly stats = { routed: 0, ignored: 0 };

  constructor(private readonly deps: TradingRouterDeps) {
    for (const m of deps.markets) {
      this.marketIds.add(m.spec.market_id);
      if (m.match_id) push(this.marketsByMatch, m.match_id, m.spec.market_id);
      if (m.station_id) push(this.marketsByStation, m.station_id, m.spec.market_id);
    }
  }

  /** Every topic the trading side reads, sorted. */
  topics(): string[] {
    const out = new Set<string>([topicOf('control')]);
    for (const id of this.marketIds) {
      for (const ch of ['l2', 'tape', 'control', 'truth']) out.add(topicOf(ch, id));
      if (this.deps.mirror) out.add(topicOf('l2_delta', id));
    }
    for (const match of this.marketsByMatch.keys()) out.add(topicOf('truth', match));
    for (const station of this.marketsByStation.keys()) out.add(topicOf('nowcast', station));
    return [...out].sort();
  }

  consume(subscription: Subscription): void {
    this.running = (async () => {
      for await (const batch of subscription) {
        for (const d of batch) {
          try {
            this.route(d.event);
          } catch (err) {
            this.deps.onError(err as Error);
          }
        }
        await subscription.ack(batch);
      }
    })().catch((err: Error) => this.deps.onError(err));
  }

  async stopped(): Promise<void> {
    await this.running;
  }

  route(event: HeliosEvent): void {
    const { runtime, paper } = this.deps;
    this.deps.observe?.emit(event);
    this.deps.mirror?.apply(event);
    switch (event.type) {
      case 'BEST_PRICE': {
        const token = event.token_id;
        if (!token) break;
        paper?.onBookUpdated(token);
        const book = this.deps.bookFor(token);
        runtime.onBook({
          token_id: token,
          // A mirror that has not seen this lineage's snapshot yet has no book to trade on.
          synced: event.payload.synced && book !== null,
          ts_ms: event.ts_ingest,
          best_bid: event.payload.best_bid,
          best_ask: event.payload.best_ask,
          book,
        });
        this.stats.routed++;
        return;
      }
      case 'TRADE':
        if (event.token_id && paper) {
          paper.onTrade(event.token_id, { price: event.payload.price, size: event.payload.size, side: event.payload.side ?? 'BUY' });
          this.stats.routed++;
        }
        return;
      case 'TRUTH_STATE':
        for (const m of this.marketsByMatch.get(event.match_id ?? '') ?? []) runtime.send(m, { type: 'TRUTH', truth: event.payload, ts_ms: event.ts_ingest });
        this.stats.routed++;
        return;
      case 'NOWCAST':
        for (const m of this.marketsByStation.get(event.station_id ?? '') ?? []) runtime.send(m, { type: 'NOWCAST', nowcast: event.payload, ts_ms: event.ts_ingest });
        this.stats.routed++;
        return;
      case 'MARKET_RESOLVED':
        if (event.market_id && this.marketIds.has(event.market_id)) runtime.send(event.market_id, { type: 'MARKET_RESOLVED', winning_token_id: event.payload.winning_token_id });
        return;
      case 'HALT':
        if (event.payload.scope === 'global') runtime.kill(event.payload.reason);
        else if (event.market_id) runtime.haltMarket(event.market_id, event.payload.reason);
        this.stats.routed++;
        return;
      case 'RESUME':
        if (event.payload.scope === 'global') runtime.resume();
        else if (event.market_id) runtime.resumeMarket(event.market_id);
        this.stats.routed++;
        return;
      default:
        this.stats.ignored++;
    }
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}
