import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HeliosConfig } from '../../config/schema.ts';
import type { Channel } from '../../domain/events/channels.ts';
import { BacktestMetrics, round } from '../../domain/replay/backtest-metrics.ts';
import { renderBacktestHtml, renderBacktestMarkdown, type BacktestReport, type VariantResult } from '../../domain/replay/backtest-report.ts';
import type { PnlSummary } from '../../domain/trading/pnl-ledger.ts';
import { DECISION_INPUT_CHANNELS, DecisionReplay, decisionSeed, type QcGateMode } from '../../runtime/replay/decision-replay.ts';
import { ReplayEngine } from '../../runtime/replay/engine.ts';
import { bucketMarketRefs, readMarketCatalog, type ReplayMarket } from '../../adapters/storage/market-catalog.ts';
import { makeDirectories } from '../../adapters/storage/make-directories.ts';
import { openReplaySource, type SourceKind } from './replay-run.ts';
import type { BucketMarketRef } from '../../domain/replay/bucket-resolution.ts';
import type { ReplaySource } from '../../domain/replay/source.ts';

export interface BacktestOptions {
  config: HeliosConfig;
  dataDir: string;
  from: number;
  to: number;
  source?: SourceKind;
  /** The --set overrides the config was built with (reported, already applied to `config`). */
  overrides?: Record<string, unknown>;
  /** Also run with the NOWCAST QC gate forced open and forced closed. Default true. */
  qcSensitivity?: boolean;
  /** Default: the data dir's market catalog, else inferred from the tape. */
  markets?: readonly ReplayMarket[] | null;
  decisionsOut?: string;
}

/**
 * A backtest: the recorded market and world tapes replayed as fast as possible through the decision
 * pipeline (policies from truth and nowcast, market actors, paper execution on bus-built books),
 * measured as it goes. QC sensitivity runs extra pipelines on the same read of the data.
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestReport> {
  const { config } = o;
  const markets = o.markets !== undefined ? o.markets : await readMarketCatalog(o.dataDir);
  const metrics = new BacktestMetrics(config.storage.windows);
  const seed = decisionSeed(config.app.seed, o.from, o.to);
  const PATH_MS = Math.max(60_000, Math.floor((o.to - o.from) / 500));
  let nextSample = o.from;
  const base: DecisionReplay = new DecisionReplay({
    config,
    markets,
    from: o.from,
    seed,
    out: o.decisionsOut,
    observeChannels: ['world'],
    observer: {
      input: (e, mirror) => {
        metrics.input(e, mirror);
        if (e.ts_ingest >= nextSample) {
          metrics.samplePnl(e.ts_ingest, base.netPnl());
          nextSample = e.ts_ingest + PATH_MS;
        }
      },
      decision: (e, mirror) => metrics.decision(e, mirror),
    },
  });
  const weather = (markets ?? []).some((m) => m.spec.fair_source.kind === 'nowcast');
  const variants = new Map<QcGateMode, DecisionReplay>();
  if ((o.qcSensitivity ?? true) && weather) {
    for (const qcGate of ['open', 'closed'] as const) variants.set(qcGate, new DecisionReplay({ config, markets, from: o.from, seed, qcGate }));
  }
  const pipelines = [base, ...variants.values()];
  await Promise.all(pipelines.map((p) => p.start()));
  const { source, kind } = await openReplaySource(o.dataDir, config, o, o.source ?? 'auto');
  const channels: Channel[] = [...new Set<Channel>([...DECISION_INPUT_CHANNELS, 'world'])];
  const engine = new ReplayEngine({
    source,
    from: o.from,
    to: o.to,
    channels,
    speed: Infinity,
    drainEvery: config.storage.replay.drain_every_events,
    sink: { emit: (e) => pipelines.forEach((p) => p.emit(e)) },
  });
  const replay = await engine.play();
  const summary = await base.finish(o.to);
  metrics.samplePnl(o.to, summary.net_pnl);
  const variantSummaries = new Map<QcGateMode, VariantResult>();
  for (const [mode, p] of variants) {
    const s = await p.finish(o.to);
    variantSummaries.set(mode, { net_pnl: round(s.net_pnl, 6), orders: s.orders, fills: s.fills });
  }
  const exec = metrics.execution();
  // A bucket market's recorded resolution outranks the judge maximum the METARs showed.
  const buckets = bucketMarketRefs(markets);
  const unresolved = buckets.filter((b) => !metrics.resolvedInRange(b.market_id));
  const model = metrics.model(buckets, await resolutionsAfter(source, unresolved, o.to, config.storage.replay.resolution_lookahead_ms));
  const total = { realized: 0, unrealized: 0, fees: 0, by_strategy: {} as Record<string, number> };
  for (const m of summary.markets) {
    total.realized += m.pnl.realized;
    total.unrealized += m.pnl.unrealized;
    total.fees += m.pnl.fees;
    for (const [k, v] of Object.entries(m.pnl.by_strategy)) total.by_strategy[k] = (total.by_strategy[k] ?? 0) + v;
  }
  const byId = new Map((markets ?? []).map((m) => [m.spec.market_id, m]));
  const recorded: VariantResult = { net_pnl: round(summary.net_pnl, 6), orders: exec.orders.submitted, fills: exec.fills.count };
  return {
    schema: 'helios.backtest/1',
    range: { from: o.from, to: o.to, from_iso: new Date(o.from).toISOString(), to_iso: new Date(o.to).toISOString() },
    data_dir: o.dataDir,
    source: kind,
    overrides: o.overrides ?? {},
    market_catalog: markets === null ? 'inferred' : 'recorded',
    replay: { events: replay.emitted, wall_ms: Math.round(replay.wall_ms), speed_multiple: replay.speed_multiple === null ? null : round(replay.speed_multiple, 1) },
    markets: summary.markets.map((m) => {
      const c = byId.get(m.market_id);
      const fs = c?.spec.fair_source;
      const kind: BacktestReport['markets'][number]['kind'] = fs?.kind ?? 'inferred';
      return {
        market_id: m.market_id,
        kind,
        feeds: fs?.kind === 'nowcast' ? `${c!.station_id ?? '?'} ${fs.bucket_label}` : fs?.kind === 'truth' ? (c!.match_id ?? null) : null,
        state: m.state,
        pnl: roundPnl(m.pnl),
      };
    }),
    pnl: {
      net: round(summary.net_pnl, 6),
      realized: round(total.realized, 6),
      unrealized: round(total.unrealized, 6),
      fees: round(total.fees, 6),
      by_strategy: Object.fromEntries(Object.entries(total.by_strategy).sort().map(([k, v]) => [k, round(v, 6)])),
      max_drawdown: exec.max_drawdown,
      path: exec.pnl_path,
    },
    orders: exec.orders,
    fills: exec.fills,
    slippage: exec.slippage,
    decisions: summary.decisions,
    calibration: model.calibration,
    drift: model.drift,
    qc_sensitivity: variants.size ? { recorded, open: variantSummaries.get('open')!, closed: variantSummaries.get('closed')! } : null,
    regimes: exec.regimes,
  };
}

/**
 * Resolutions of `buckets` recorded within `lookaheadMs` after the range (a judge day's markets
 * resolve after it ends), market id → winning token; only the `l2` channel of that span is read.
 */
async function resolutionsAfter(source: ReplaySource, buckets: readonly BucketMarketRef[], to: number, lookaheadMs: number): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (buckets.length === 0 || lookaheadMs === 0) return out;
  const ids = new Set(buckets.map((b) => b.market_id));
  for await (const chunk of source.read({ from: to, to: to + lookaheadMs, channels: ['l2'] })) {
    for (const { event } of chunk) {
      if (event.type === 'MARKET_RESOLVED' && event.market_id !== undefined && ids.has(event.market_id)) out.set(event.market_id, event.payload.winning_token_id);
    }
  }
  return out;
}

/** report.json, report.md and report.html in `outDir` (each written aside, then renamed). */
export async function writeBacktestReport(report: BacktestReport, outDir: string): Promise<{ json: string; md: string; html: string }> {
  makeDirectories(outDir);
  const files = {
    json: path.join(outDir, 'report.json'),
    md: path.join(outDir, 'report.md'),
    html: path.join(outDir, 'report.html'),
  };
  const put = async (file: string, text: string) => {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  };
  await put(files.json, JSON.stringify(report, null, 2) + '\n');
  await put(files.md, renderBacktestMarkdown(report));
  await put(files.html, renderBacktestHtml(report));
  return files;
}

function roundPnl(p: PnlSummary): PnlSummary {
  return {
    realized: round(p.realized, 6),
    unrealized: round(p.unrealized, 6),
    fees: round(p.fees, 6),
    net: round(p.net, 6),
    by_strategy: Object.fromEntries(Object.entries(p.by_strategy).sort().map(([k, v]) => [k, round(v, 6)])),
  };
}
