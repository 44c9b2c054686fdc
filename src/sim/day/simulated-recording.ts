import type { HeliosConfig } from '../../config/schema.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import { hash32, seededRng } from '../../domain/util/random.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { SimulatedDay } from './simulated-day.ts';
import { JournalRecorder, type RecorderStats } from '../../adapters/storage/journal/recorder.ts';
import { DecisionReplay, decisionSeed, type DecisionSummary } from '../../runtime/replay/decision-replay.ts';
import { writeMarketCatalog, type ReplayMarket } from '../../adapters/storage/market-catalog.ts';
import { RecordedView } from '../../runtime/replay/recorded-view.ts';

export interface SimulatedRecordingOptions {
  config: HeliosConfig;
  dataDir: string;
  /** Range of the day, epoch ms; `to` exclusive. */
  from: number;
  to: number;
  /** Seed of the simulators (default app.seed). */
  seed?: number;
  /** The live run's decisions as NDJSON (the same format `helios replay --decisions-out` writes). */
  decisionsOut?: string;
  weatherMarkets?: number;
  esportsMarkets?: number;
  venueEventsPerS?: number;
  /** Called every simulated minute with the virtual time reached. */
  onProgress?: (now: number) => void;
}

export interface SimulatedRecording {
  markets: ReplayMarket[];
  decisions: DecisionSummary;
  recorder: RecorderStats;
}

/**
 * A simulated live run, recorded: the simulated day publishes into the journal recorder and, through
 * the recorded view, into the decision pipeline, whose decisions (policy, orders, fills, positions,
 * states) are recorded too, as the daemon records its own. Writes the market catalog beside the
 * journal. Everything runs on one virtual clock: a day takes seconds.
 */
export async function recordSimulatedDay(o: SimulatedRecordingOptions): Promise<SimulatedRecording> {
  const { config } = o;
  const seed = o.seed ?? config.app.seed;
  const clock = new VirtualClock(o.from);
  const recorder = new JournalRecorder({
    dataDir: o.dataDir,
    // Durability buys nothing for generated data; the files are complete once closed.
    journal: { ...config.storage.journal, fsync: 'none' },
    windows: config.storage.windows,
    clock,
    ids: ulidGenerator(seededRng(hash32(`recorder:${seed}`))),
    provenance: 'simulator',
  });
  // The pipeline needs the day's markets, while the day publishes as it starts (book dumps,
  // backfilled METARs): those wait here and reach the pipeline first, in order.
  let pipeline: DecisionReplay | null = null;
  const early: HeliosEvent[] = [];
  const view = new RecordedView(config.storage.windows, config.storage.journal.exclude_channels, { emit: (e) => (pipeline ? pipeline.emit(e) : early.push(e)) });
  const day = new SimulatedDay({
    config,
    seed,
    clock,
    sink: {
      emit: (e) => {
        recorder.emit(e);
        view.emit(e);
      },
    },
    weatherMarkets: o.weatherMarkets,
    esportsMarkets: o.esportsMarkets,
    venueEventsPerS: o.venueEventsPerS,
  });
  pipeline = new DecisionReplay({
    config,
    markets: day.markets,
    from: o.from,
    seed: decisionSeed(config.app.seed, o.from, o.to),
    out: o.decisionsOut,
    publish: recorder,
  });
  await pipeline.start();
  for (const e of early) pipeline.emit(e);
  const live = pipeline;
  await day.run(o.to, async () => {
    await live.drained();
    await recorder.flush();
    o.onProgress?.(clock.now());
  });
  const decisions = await live.finish(o.to);
  await recorder.close();
  await writeMarketCatalog(o.dataDir, day.markets);
  return { markets: day.markets, decisions, recorder: recorder.stats() };
}
