import type { HeliosConfig } from '../../config/schema.ts';
import { CHANNELS, type Channel } from '../../domain/events/channels.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { JournalReadIssue } from '../../adapters/storage/journal/reader.ts';
import { dateStartMs, listJournalFiles, listParquetFiles } from '../../adapters/storage/layout.ts';
import { DECISION_INPUT_CHANNELS, DecisionReplay, decisionSeed, type DecisionObserver, type DecisionSummary, type QcGateMode } from '../../runtime/replay/decision-replay.ts';
import { ReplayEngine, type ReplayStatus, type ReplaySummary } from '../../runtime/replay/engine.ts';
import { JournalReplaySource } from '../../adapters/storage/replay/journal-source.ts';
import { readMarketCatalog, type ReplayMarket } from '../../adapters/storage/market-catalog.ts';
import { ParquetReplaySource } from '../../adapters/storage/replay/parquet-source.ts';
import type { ReplaySource } from '../../domain/replay/source.ts';

export type SourceKind = 'auto' | 'journal' | 'parquet';

/** Channels that carry decisions: recomputed by the pipeline, so never replayed beside it. */
export const DECISION_CHANNELS: readonly Channel[] = ['policy', 'order', 'fill', 'position', 'risk'];

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The source for a range: the NDJSON journal when it has hours in the range (it is complete up to
 * the last write), otherwise the Parquet lake (days compacted and the journal retired).
 */
export async function openReplaySource(
  dataDir: string,
  config: HeliosConfig,
  range: { from: number; to: number },
  kind: SourceKind = 'auto',
  onIssue?: (issue: JournalReadIssue) => void,
): Promise<{ source: ReplaySource; kind: 'journal' | 'parquet' }> {
  const duck = { threads: config.storage.compaction.duckdb_threads, memory_limit: config.storage.compaction.duckdb_memory_limit };
  const parquet = () => ({ source: new ParquetReplaySource(dataDir, duck, config.storage.replay.chunk_ms), kind: 'parquet' as const });
  const journal = () => ({ source: new JournalReplaySource(dataDir, onIssue), kind: 'journal' as const });
  if (kind === 'parquet') return parquet();
  if (kind === 'journal') return journal();
  const hours = (await listJournalFiles(dataDir)).filter((f) => f.startMs < range.to && f.startMs + HOUR_MS > range.from);
  if (hours.length) return journal();
  const days = (await listParquetFiles(dataDir)).filter((f) => dateStartMs(f.date) < range.to && dateStartMs(f.date) + DAY_MS > range.from);
  return days.length ? parquet() : journal();
}

/**
 * Everything a data directory holds, as a range: from the first journal hour (or Parquet day) to
 * the end of the last one; null when it holds neither.
 */
export async function recordedRange(dataDir: string): Promise<{ from: number; to: number } | null> {
  const starts = (await listJournalFiles(dataDir)).map((f) => ({ from: f.startMs, to: f.startMs + HOUR_MS }));
  for (const f of await listParquetFiles(dataDir)) starts.push({ from: dateStartMs(f.date), to: dateStartMs(f.date) + DAY_MS });
  if (starts.length === 0) return null;
  return { from: Math.min(...starts.map((r) => r.from)), to: Math.max(...starts.map((r) => r.to)) };
}

export interface ReplayRunOptions {
  config: HeliosConfig;
  dataDir: string;
  from: number;
  to: number;
  /** Multiple of real time; Infinity (default) as fast as possible. */
  speed?: number;
  /** Channels the sink receives (default all). */
  channels?: readonly Channel[];
  source?: SourceKind;
  /** Recorded events, unchanged (a WebSocket channel server, a collector). */
  sink?: EventSink;
  /** Recompute decisions through the pipeline; its decisions replace the recorded ones on the sink. */
  decisions?: {
    out?: string;
    observer?: DecisionObserver;
    qcGate?: QcGateMode;
    /** Default: the data dir's market catalog, else inferred from the tape. */
    markets?: readonly ReplayMarket[] | null;
  } | null;
  onIssue?: (issue: JournalReadIssue) => void;
  onStatus?: (status: ReplayStatus) => void;
  /** The engine, before it plays (controls for --serve). */
  onEngine?: (engine: ReplayEngine) => void;
  /** Playing starts once this resolves (a served replay waiting for its client). */
  startGate?: Promise<void>;
}

export interface ReplayRun {
  source: 'journal' | 'parquet';
  replay: ReplaySummary;
  decisions: DecisionSummary | null;
  markets: readonly ReplayMarket[] | null;
}

/**
 * One replay of a range: recorded events to the sink at the chosen speed and, when asked, the
 * decision pipeline beside them (which makes the run deterministic: same range, same decisions).
 */
export async function runReplay(o: ReplayRunOptions): Promise<ReplayRun> {
  const wanted = new Set<Channel>(o.channels ?? CHANNELS);
  const withDecisions = o.decisions !== undefined && o.decisions !== null;
  const markets = withDecisions ? (o.decisions!.markets !== undefined ? o.decisions!.markets : await readMarketCatalog(o.dataDir)) : null;
  let pipeline: DecisionReplay | null = null;
  const makePipeline = () =>
    new DecisionReplay({
      config: o.config,
      markets,
      from: o.from,
      seed: decisionSeed(o.config.app.seed, o.from, o.to),
      out: o.decisions!.out,
      publish: o.sink ? { emit: (e) => wanted.has(e.ch) && o.sink!.emit(e) } : undefined,
      observer: o.decisions!.observer,
      qcGate: o.decisions!.qcGate,
    });
  if (withDecisions) {
    pipeline = makePipeline();
    await pipeline.start();
  }
  const read = new Set<Channel>(wanted);
  if (withDecisions) {
    for (const ch of DECISION_INPUT_CHANNELS) read.add(ch);
    for (const ch of DECISION_CHANNELS) read.delete(ch);
  }
  const { source, kind } = await openReplaySource(o.dataDir, o.config, o, o.source ?? 'auto', o.onIssue);
  const engine = new ReplayEngine({
    source,
    from: o.from,
    to: o.to,
    channels: CHANNELS.filter((c) => read.has(c)),
    speed: o.speed ?? Infinity,
    drainEvery: o.config.storage.replay.drain_every_events,
    onStatus: o.onStatus,
    sink: {
      // The input goes out before what the pipeline decides on it, as live frames go out on publish.
      emit: (e) => {
        if (o.sink && wanted.has(e.ch) && !(withDecisions && DECISION_CHANNELS.includes(e.ch))) o.sink.emit(e);
        pipeline?.emit(e);
      },
    },
    // A backward seek replays from `from`: the decisions start over with it.
    onReset: () => {
      o.sink?.rewind?.();
      if (!pipeline) return;
      pipeline.abort();
      pipeline = makePipeline();
      void pipeline.start();
    },
  });
  o.onEngine?.(engine);
  if (o.startGate) await o.startGate;
  const replay = await engine.play();
  const decisions = pipeline ? await pipeline.finish(o.to) : null;
  return { source: kind, replay, decisions, markets };
}
