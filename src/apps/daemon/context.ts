import type { HeliosConfig } from '../../config/schema.ts';
import type { EventBus, Subscription } from '../../adapters/bus/event-bus.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { Metrics } from '../../adapters/metrics/metrics.ts';
import type { EventSink, FanOutSink } from '../../domain/events/sink.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { channelOfTopic } from '../../domain/events/topics.ts';
import { feedsOnChannels } from '../../domain/health/feeds.ts';
import { ALL_MARKETS, ownsMarket, type Shard } from '../../domain/scale-out/shard.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import type { MarketFeed } from '../../runtime/market-tape/market-feed.ts';
import type { TradingNode } from '../../runtime/trading/trading-node.ts';
import type { ClobExecutionAdapter } from '../../adapters/execution/real-clob-adapter.ts';
import type { MatchSpec } from '../../runtime/truth/truth-runtime.ts';
import type { LayoutChange, Universe, UniverseMarket } from '../../domain/trading/universe.ts';
import type { SimMatchPlan } from '../../sim/esports/simulator-plan.ts';
import type { SimMarketSpec } from '../../sim/venue/synthetic-markets.ts';
import type { SimWeatherListing } from '../../sim/weather-days.ts';
import type { DaemonObserver } from './observer.ts';
import type { SourceErrors } from './source-errors.ts';
import type { DaemonOptions, DaemonRole } from './options.ts';

/** The trading component's live parts (null while it is not running). */
export interface TradingPart {
  node: TradingNode;
  subscription: Subscription;
  /** Consumer group of this process's trading node (a shard's own group). */
  group: string;
  /** Trading session of this start (client order id range). */
  session: number;
}

/** What a discovery scan (or the embedded venue's listing of a day) changed in the universe, told to the components that follow it. */
export interface UniverseChange {
  added: UniverseMarket[];
  /** Matches of the added esports markets, for the truth runtime. */
  matches: MatchSpec[];
  /** Layouts of a station's judge day that appeared or changed (buckets), or ended (null). */
  layouts: LayoutChange[];
  /** Markets settled: their tokens are no longer carried. */
  retired: UniverseMarket[];
}

/**
 * What the daemon's components share: the process-wide parts built at start (bus, sink, observer,
 * universe) and the handles each component publishes while it runs, read by health and the API.
 */
export class DaemonContext {
  bus!: EventBus;
  sink!: FanOutSink;
  /**
   * The dashboard's own sinks (its recent past, the pushed frames): for events another process
   * published that this one shows, without publishing or journaling them again.
   */
  dashboard!: EventSink;
  observer!: DaemonObserver;
  /** Outside sources (venue, weather, esports) that did not answer: /health, the summary's errors, the log. */
  sourceErrors!: SourceErrors;
  universe: Universe = { markets: [], layouts: [] };
  /** Sim mode: the markets the embedded venue simulator serves (live mode has no simulator). */
  simVenue: SimMarketSpec[] = [];
  /** Sim mode with the embedded venue: the first station's judge days it lists (null: none). */
  simWeather: SimWeatherListing | null = null;
  /**
   * Sim mode with the embedded venue: when its match rounds count from (null: it lists none after
   * the start's), and the plans of the later rounds' matches it listed, by match id, until the
   * match leaves the universe (the truth component simulates them, the venue resolves their markets).
   */
  simMatchAnchorMs: number | null = null;
  readonly simRoundPlans = new Map<string, SimMatchPlan>();
  /** Sim mode: what the embedded venue resolved (market id → winning token), kept across its restarts until the market retires. */
  readonly simVenueResolutions = new Map<string, string>();
  /** The embedded venue while it runs: lists new markets (before the feed subscribes them). */
  simVenueLists: ((specs: readonly SimMarketSpec[]) => void) | null = null;
  /**
   * Markets the trading side retired (resolved, settled, their retention over): no longer listed as
   * live, and not started again by a later trading start (nothing would resolve them again). A
   * feeds process learns them from its trading shards over the bus (components/retirements.ts).
   */
  readonly retiredMarkets = new Set<string>();
  /** Of this process's markets, how many it retired and let go of from the universe. */
  marketsRetiredHere = 0;
  /**
   * Paper: fills carried into the next trading session as matched while still awaiting their
   * answer, summed over this process's trading stops, plus those the last save of a previous
   * session that did not stop cleanly carried (told of at start).
   */
  unconfirmedFillsCarried = 0;
  /** The matches of the universe's esports markets: discovered (live), or the simulated venue's, the start's and the later rounds' (sim). */
  readonly liveMatches: MatchSpec[] = [];
  /** Components following a universe that discovery changes at run time (live mode). */
  readonly universeListeners = new Set<(change: UniverseChange) => void>();
  /** Told of a match that left `liveMatches` with its last market (the truth runtime stops following it). */
  readonly matchLeftListeners = new Set<(matchId: string) => void>();
  /** Live mode: the market channel saw a market appear or resolve (discovery rescans). */
  venueNotice: (() => void) | null = null;
  venueUrls: { ws: string; rest: string } | null = null;
  feed: MarketFeed | null = null;
  trading: TradingPart | null = null;
  /** Real execution (execution real), opened and reconciled before trading; it outlives trading restarts. */
  execution: ClobExecutionAdapter | null = null;
  /** Trading session of the latest trading start, kept after it stops (API stats). */
  session: number | null = null;
  /** Match plans of each truth component life (from its start to its stop): the faults it injects. */
  readonly truthPlans: Array<{ plans: SimMatchPlan[]; from: number; to: number | null }> = [];
  /** Sim mode: told of the plans a truth component life starts with (the embedded venue resolves their markets). */
  readonly truthPlansListeners = new Set<(plans: readonly SimMatchPlan[]) => void>();
  startedAt = 0;
  errors = 0;
  stopping = false;

  constructor(
    readonly opts: DaemonOptions,
    readonly clock: Clock,
    readonly metrics: Metrics,
  ) {}

  get config(): HeliosConfig {
    return this.opts.config;
  }

  get log(): Logger {
    return this.opts.logger;
  }

  get role(): DaemonRole {
    return this.opts.role ?? 'all';
  }

  get shard(): Shard {
    return this.opts.shard ?? ALL_MARKETS;
  }

  /** The markets this process trades (its shard's), or, in a feeds process, every market it carries. */
  localMarkets(): UniverseMarket[] {
    return this.role === 'feeds' ? this.universe.markets : this.universe.markets.filter((m) => ownsMarket(this.shard, m.spec));
  }

  /** This process's markets still on the trading side: the live markets (a retired one only counts in the PnL totals). */
  liveMarkets(): UniverseMarket[] {
    const local = this.localMarkets();
    return this.retiredMarkets.size === 0 ? local : local.filter((m) => !this.retiredMarkets.has(m.spec.market_id));
  }

  /**
   * A market left the trading side for good: no longer live here, its metrics series removed.
   * False when it was retired already (the bus may deliver a retirement again).
   */
  retireMarket(market: UniverseMarket): boolean {
    const id = market.spec.market_id;
    if (this.retiredMarkets.has(id)) return false;
    this.retiredMarkets.add(id);
    this.leaveUniverse(id);
    this.observer.retireMarket(market, this.liveMarkets());
    return true;
  }

  /**
   * A retired market leaves the universe, and its match once no market of the universe is on it:
   * months of discovery kept every market and match ever selected, and a restarted market feed or
   * truth component took them all up again. Its id stays in `retiredMarkets`; the run summary still
   * counts it (`marketsRetiredHere`).
   */
  private leaveUniverse(marketId: string): void {
    const i = this.universe.markets.findIndex((m) => m.spec.market_id === marketId);
    if (i < 0) return;
    const [market] = this.universe.markets.splice(i, 1);
    if (this.role === 'feeds' || ownsMarket(this.shard, market!.spec)) this.marketsRetiredHere++;
    const matchId = market!.match_id;
    if (matchId === null || this.universe.markets.some((m) => m.match_id === matchId)) return;
    let left = false;
    for (let j = this.liveMatches.length - 1; j >= 0; j--) {
      if (this.liveMatches[j]!.match_id !== matchId) continue;
      this.liveMatches.splice(j, 1);
      left = true;
    }
    if (!left) return;
    for (const listener of this.matchLeftListeners) {
      try {
        listener(matchId);
      } catch (err) {
        this.reportError('truth', err);
      }
    }
  }

  /**
   * The feeds whose staleness this process judges. A trading shard: those on the channels its node
   * reads (nowcasts, not the METARs and PWS clusters the feeds process turns into them; nothing
   * before its node starts). Any other role hosts every source, so every configured feed.
   */
  judgedFeeds(): string[] {
    if (this.role !== 'trading') return Object.keys(this.config.daemon.staleness_ms);
    return feedsOnChannels((this.trading?.node.topics() ?? []).map(channelOfTopic));
  }

  /** A component's event factory: its own id stream, the same on every run with the same seed. */
  events(component: string): EventFactory {
    return new EventFactory(this.clock, ulidGenerator(seededRng(this.config.app.seed ^ hash32(component))));
  }

  /** An event factory on another clock (the trading node's) with ids from `seed`. */
  idsFrom(clock: Clock, seed: number): EventFactory {
    return new EventFactory(clock, ulidGenerator(seededRng(seed)));
  }

  /** Live mode: discovery's changes enter the universe, then every component following it hears them. */
  changeUniverse(change: UniverseChange): void {
    this.universe.markets.push(...change.added);
    this.liveMatches.push(...change.matches);
    for (const l of change.layouts) {
      const others = this.universe.layouts.filter((u) => u.station_id !== l.station_id || u.judge_day !== l.judge_day);
      this.universe.layouts = l.buckets === null ? others : [...others, { station_id: l.station_id, judge_day: l.judge_day, buckets: l.buckets }];
    }
    for (const listener of this.universeListeners) {
      try {
        listener(change);
      } catch (err) {
        this.reportError('discovery', err);
      }
    }
  }

  /**
   * Markets enter the universe (the followers subscribe, start and price them), then each one's
   * MARKET_DISCOVERED goes on the bus: its actor starts from the bus, at the same point in a replay.
   * `source` leads each event's correlation id.
   */
  enterUniverse(change: UniverseChange, events: EventFactory, source: string, slugOf: (marketId: string) => string | null = () => null): void {
    this.changeUniverse(change);
    for (const m of change.added) {
      const id = m.spec.market_id;
      this.sink.emit(events.make('MARKET_DISCOVERED', { spec: m.spec, station_id: m.station_id, match_id: m.match_id, event_slug: slugOf(id) }, { market_id: id, correlation_id: `${source}:${id}` }));
    }
  }

  reportError(component: string, err: unknown): void {
    this.errors++;
    this.metrics.errorsTotal.inc({ component });
    this.log.error({ component, err: err instanceof Error ? err.message : String(err) }, `${component} error`);
  }
}
