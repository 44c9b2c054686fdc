import { createActor, type AnyActorRef } from 'xstate';
import { InlineNowcastEngine } from '../../actors/nowcast-engine.ts';
import { WorldFeed } from '../../runtime/world/world-feed.ts';
import { simulatorOptions } from '../world/simulated-world.ts';
import { simulatedHistory } from '../world/sim-model.ts';
import { createSimulatedWorldLogic } from '../../actors/world-sources.actor.ts';
import type { HeliosConfig } from '../../config/schema.ts';
import { bestPriceTriggerLevels } from '../../config/best-price-levels.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { bucketContains } from '../../domain/replay/bucket-resolution.ts';
import { defaultBuckets, type TempBucket } from '../../domain/weather/nowcast/buckets.ts';
import type { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { TruthRuntime } from '../../runtime/truth/truth-runtime.ts';
import { simulatedTruth } from '../esports/simulated-truth.ts';
import { ConnectionBooks } from '../../adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../adapters/polymarket/malformed-frame-reporter.ts';
import { TapePublisher } from '../../adapters/polymarket/tape-publisher.ts';
import type { ReplayMarket } from '../../adapters/storage/market-catalog.ts';
import { WorldSimulator } from '../world/world-sim.ts';
import { CROWD_STEP_MS, CrowdBeliefs } from '../venue/crowd-beliefs.ts';
import { marketResolvedFrame } from '../venue/market-resolved-frame.ts';
import { simFeeFor, SyntheticMarkets, syntheticMarketSpecs, type SimMarketSpec } from '../venue/synthetic-markets.ts';

export interface SimulatedDayOptions {
  config: HeliosConfig;
  seed: number;
  /** The clock everything runs on, at the day's start. */
  clock: VirtualClock;
  /** Everything the simulated system publishes, in emission order. */
  sink: EventSink;
  /** Bucket markets priced by the first station's NOWCAST. Default 2. */
  weatherMarkets?: number;
  /** Match-winner markets priced by simulated esports truth. Default 2. */
  esportsMarkets?: number;
  /** Order-flow events per second across all markets. Default daemon.sim.venue_events_per_s. */
  venueEventsPerS?: number;
  /** A corrupt (crossed) update every this often, exercising resync markers. 0 = never. Default 20 min. */
  crossedEveryMs?: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** A match-winner market resolves this long after the truth became final. */
const RESOLVE_AFTER_FINAL_MS = 10 * 60_000;

interface SimMarket {
  sim: SimMarketSpec;
  replay: ReplayMarket;
  resolving: boolean;
}

/**
 * A simulated trading day from the simulators the daemon embeds: the seeded world (METAR/SPECI,
 * PWS, QC, FEATURES, NOWCAST through the real WorldFeed and a fitted model), simulated esports
 * truth (TRUTH_STATE through the real truth engine), and the synthetic venue's order flow decoded
 * and mirrored by the real market-tape code (ConnectionBooks + TapePublisher: L2_SNAPSHOT,
 * BEST_PRICE, L2_DELTA, TRADE, resync markers, MARKET_RESOLVED). Each market's crowd trades around
 * the model's value with a lag and a wandering bias, so a strategy has something to find.
 *
 * Everything runs on one VirtualClock and seeded generators: the same options give the same
 * events, byte for byte. `run(to)` steps the clock deadline by deadline up to (excluding) `to`.
 */
export class SimulatedDay {
  readonly markets: ReplayMarket[];
  readonly buckets: TempBucket[];
  readonly stationId: string;
  private readonly events: EventFactory;
  private readonly venue: SyntheticMarkets;
  private readonly books: ConnectionBooks;
  private readonly publisher: TapePublisher;
  private readonly feed: WorldFeed;
  private readonly truth: TruthRuntime;
  private readonly worldSource: AnyActorRef;
  private readonly sims: SimMarket[];
  /** The venue's crowd: prices follow the model late and with a bias. */
  private readonly crowd: CrowdBeliefs;
  private readonly timers: unknown[] = [];
  private stopped = false;

  constructor(private readonly opts: SimulatedDayOptions) {
    const { config, seed, clock } = opts;
    const from = clock.now();
    this.crowd = new CrowdBeliefs(seededRng(hash32(`sim-day:${seed}:crowd`)));
    this.events = new EventFactory(clock, ulidGenerator(seededRng(hash32(`sim-day:${seed}:ids`))));
    const sink: EventSink = { emit: (e) => this.observe(e) };

    // ---- world ----
    const station = config.weather.stations[0]!;
    this.stationId = station.id;
    const simOpts = simulatorOptions(config.weather, seed, station.id);
    const world = new WorldSimulator(simOpts);
    this.buckets = defaultBuckets(world.likelyMaxF(from));
    const nowcast = new InlineNowcastEngine(
      [
        {
          id: station.id,
          tz: station.tz,
          judgeDay: config.weather.nowcast.judge_day,
          model: { fitHistory: simulatedHistory({ sim: simOpts, fromMs: from - config.weather.nowcast.simulated_fit_days * DAY_MS, toMs: from - 2 * DAY_MS, judgeDay: config.weather.nowcast.judge_day }) },
        },
      ],
      config.weather.nowcast.max_input_age_ms,
      () => clock.monotonicNow(),
    );
    this.feed = new WorldFeed({ clock, sink, events: this.events, config: config.weather, nowcast });
    this.feed.setBuckets(station.id, this.buckets);

    // ---- esports truth ----
    const t = simulatedTruth(hash32(`sim-day:${seed}:truth`), config.truth_engine, clock);
    this.truth = new TruthRuntime({ config: config.truth_engine, clock, sink, events: this.events, sources: t.sources });

    // ---- markets ----
    const nWeather = Math.min(opts.weatherMarkets ?? 2, this.buckets.length);
    const nEsports = Math.min(opts.esportsMarkets ?? 2, t.matches.length);
    const layout = syntheticMarketSpecs(nWeather + nEsports, 7_000_000_000_000_000_000n + BigInt(hash32(`sim-day:${seed}:tokens`)) * 1000n);
    const maxF = world.likelyMaxF(from);
    const centre = Math.max(0, this.buckets.findIndex((b) => bucketContains(b, maxF)));
    this.sims = layout.map((sim, i) => {
      const weather = i < nWeather;
      // Buckets around the likely maximum: some resolve YES, some NO, all of them move during the day.
      const bucket = weather ? this.buckets[Math.max(0, Math.min(this.buckets.length - 1, centre - Math.floor(nWeather / 2) + i))]! : null;
      const match = weather ? null : t.matches[i - nWeather]!;
      const spec: MarketSpec = {
        market_id: sim.market,
        yes_token: sim.yes,
        no_token: sim.no,
        tick_size: 0.01,
        min_order_size: 5,
        fee: simFeeFor(bucket ? 'weather' : 'esports', config.trading.sim_fees, config.trading.default_fee),
        fair_source: bucket
          ? { kind: 'nowcast', bucket_label: bucket.label, yes_token: sim.yes, no_token: sim.no }
          : { kind: 'truth', outcome_by_token: { [sim.yes]: match!.outcomes[0]!, [sim.no]: match!.outcomes[1]! } },
        strategies: { pair_arb: true, temporal: true },
        admitted: true,
        admission_reason: null,
      };
      const start = weather ? 0.3 : 0.5;
      return {
        sim: { ...sim, tick_size: 0.01, fair: start },
        replay: { spec, station_id: weather ? station.id : null, match_id: match?.match_id ?? null },
        resolving: false,
      };
    });
    this.markets = this.sims.map((m) => m.replay);
    for (const m of this.sims) this.crowd.track(m.replay, m.sim.fair);
    for (const spec of t.matches) {
      const m = this.sims.find((s) => s.replay.match_id === spec.match_id);
      this.truth.addMatch(m ? { ...spec, market_id: m.replay.spec.market_id } : spec);
    }

    // ---- venue and market tape ----
    const mt = config.market_tape;
    this.venue = new SyntheticMarkets(
      this.sims.map((m) => m.sim),
      seededRng(hash32(`sim-day:${seed}:venue`)),
      { bookAfterTradeProb: 0.02, bareDecimalProb: 0.05 },
      from,
    );
    this.publisher = new TapePublisher(sink, this.events, clock, {
      topLevels: mt.top_n_levels,
      imbalanceLevels: mt.imbalance_levels,
      emitL2Delta: mt.emit_l2_delta,
      snapshotIntervalMs: mt.snapshot_interval_ms,
      snapshotSlices: mt.snapshot_slices,
      bestPriceFlushMs: mt.best_price_flush_ms,
      bestPriceLevels: mt.best_price_levels,
    });
    this.books = new ConnectionBooks(this.publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: mt.malformed_sample_interval_ms, maxSampleChars: 300 }), {
      verifyBestPrices: mt.integrity.verify_best_prices,
      checkTimestampOrder: mt.integrity.check_timestamp_order,
      verifyBestBidAskEvents: mt.integrity.verify_best_bid_ask_events,
      bestPriceLevels: bestPriceTriggerLevels(mt),
    });

    // ---- start, in a fixed order ----
    const tokens = this.venue.tokenIds();
    this.books.subscribed(tokens);
    this.frame(this.venue.dumpFrame(tokens).body);
    this.publisher.start(() => this.books.states(), (t) => this.books.books.get(t));
    this.worldSource = createActor(createSimulatedWorldLogic({ sims: [world], feed: this.feed, clock, stepMs: 60_000, metarDelayMs: 3 * 60_000, backfillMs: 36 * HOUR_MS, withPws: true }));
    this.worldSource.start();
    this.feed.start();
    this.truth.start();
    const flowMs = Math.max(1, Math.round(1000 / (opts.venueEventsPerS ?? config.daemon.sim.venue_events_per_s)));
    this.every(flowMs, () => {
      for (const f of this.venue.step()) this.frame(f.body);
    });
    this.every(CROWD_STEP_MS, () => this.moveBeliefs());
    const crossed = opts.crossedEveryMs ?? 20 * 60_000;
    if (crossed > 0) this.every(crossed, () => this.frame(this.venue.crossedUpdate().body));
  }

  /** Runs the day up to (excluding) `to`; `pause` is awaited every simulated minute (let consumers catch up). */
  async run(to: number, pause?: () => Promise<void>): Promise<void> {
    const clock = this.opts.clock;
    let nextPause = clock.now() + 60_000;
    await clock.advanceSettling(to - 1, () => {
      if (!pause || clock.now() < nextPause) return;
      nextPause = clock.now() + 60_000;
      return pause();
    });
    await this.stop();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) this.opts.clock.clearTimeout(t);
    this.publisher.stop();
    this.worldSource.stop();
    this.feed.stop();
    await this.truth.stop();
  }

  private every(ms: number, fn: () => void): void {
    const i = this.timers.length;
    const loop = () => {
      if (this.stopped) return;
      fn();
      this.timers[i] = this.opts.clock.setTimeout(loop, ms);
    };
    this.timers.push(this.opts.clock.setTimeout(loop, ms));
  }

  /** One venue frame through the market-tape decoder and mirror; resyncs answered from the venue's REST book. */
  private frame(body: unknown): void {
    this.books.handleFrame(JSON.stringify(body));
    if (this.books.pendingCount() === 0) return;
    const batch = this.books.takeResyncBatch();
    for (const token of batch.tokens) this.books.applyRestBook(this.venue.restSummary(token), batch.generation);
    this.books.finishResync(batch.tokens, batch.generation);
  }

  /** Tees what the system publishes: the crowd listens to the model, then the event goes out. */
  private observe(event: HeliosEvent): void {
    this.crowd.observe(event);
    if (event.type === 'TRUTH_STATE') {
      const final = event.payload.state === 'effectively_final' || event.payload.state === 'settled';
      for (const m of this.sims) {
        const src = m.replay.spec.fair_source;
        if (m.replay.match_id !== event.match_id || src.kind !== 'truth') continue;
        if (final && event.payload.winner !== null && !m.resolving) this.scheduleResolution(m, event.payload.winner === src.outcome_by_token[m.sim.yes] ? m.sim.yes : m.sim.no);
      }
    }
    this.opts.sink.emit(event);
  }

  private moveBeliefs(): void {
    for (const b of this.crowd.step()) this.venue.setFairValue(b.yes_token, b.belief);
  }

  private scheduleResolution(m: SimMarket, winner: string): void {
    m.resolving = true;
    this.crowd.resolving(m.replay.spec.market_id);
    const clock = this.opts.clock;
    this.timers.push(
      clock.setTimeout(() => {
        if (this.stopped) return;
        this.frame(marketResolvedFrame(m.sim, winner, clock.now()).body);
      }, RESOLVE_AFTER_FINAL_MS),
    );
  }
}
