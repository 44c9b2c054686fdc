import { JudgeCalendar, type JudgeDayMode } from '../domain/weather/judge-calendar.ts';
import type { MetarReport } from '../domain/weather/metar-report.ts';
import type { TempBucket } from '../domain/weather/nowcast/buckets.ts';
import type { NowcastModel } from '../domain/weather/nowcast/model.ts';
import { computeNowcast, type NowcastOutcome, type QcStateName } from '../domain/weather/nowcast/nowcast.ts';
import { NowcastPredictor } from '../domain/weather/nowcast/predict.ts';
import { StationDays } from '../domain/weather/station-days.ts';
import { fitFromHistory, type HistoryFitSpec } from './nowcast-fit.ts';

export interface NowcastStationSpec {
  id: string;
  tz: string;
  judgeDay: JudgeDayMode;
  /**
   * A fitted model, or the history to fit one from, or the code that produces that history (named by
   * module, so a worker thread loads it itself): both fitting and producing run where the engine runs.
   */
  model: NowcastModel | { fitHistory: HistoryFitSpec } | { historyFrom: HistorySourceRef };
}

/** A function `name` exported by `module` (a file URL) that returns a fit history for `arg`. */
export interface HistorySourceRef {
  module: string;
  name: string;
  arg: unknown;
}

/** Turns every `historyFrom` into the history it names (by loading its module): before building stations. */
export async function resolveHistories(specs: readonly NowcastStationSpec[]): Promise<NowcastStationSpec[]> {
  return Promise.all(
    specs.map(async (s) => {
      if (!('historyFrom' in s.model)) return s;
      const ref = s.model.historyFrom;
      const produce = ((await import(ref.module)) as Record<string, unknown>)[ref.name];
      if (typeof produce !== 'function') throw new Error(`nowcast: ${ref.module} exports no function ${ref.name}`);
      return { ...s, model: { fitHistory: (produce as (arg: unknown) => HistoryFitSpec)(ref.arg) } };
    }),
  );
}

export interface RecomputeRequest {
  requestId: number;
  atMs: number;
  buckets: TempBucket[] | null;
  qcState: QcStateName;
  /** The judge day of `buckets` (a discovered event's); null: the day of `atMs`. */
  judgeDay?: string | null;
}

export interface NowcastResult {
  stationId: string;
  requestId: number;
  outcome: NowcastOutcome | null;
  computeMs: number;
  error?: string;
}

/**
 * Where the world feed sends reports and recompute requests. The worker-thread implementation keeps
 * the market tape's event loop free; the inline one serves tests, benchmarks and tools.
 */
export interface NowcastEngine {
  addReport(stationId: string, report: MetarReport): void;
  recompute(stationId: string, req: RecomputeRequest): void;
  onResult(listener: (r: NowcastResult) => void): void;
  stop(): Promise<void>;
}

/** Per-station nowcast state; shared by the inline engine and the worker thread. */
export class NowcastStations {
  private readonly stations = new Map<string, { days: StationDays; predictor: NowcastPredictor; calendar: JudgeCalendar }>();

  constructor(
    specs: readonly NowcastStationSpec[],
    private readonly maxInputAgeMs: number,
    private readonly monotonicNow: () => number,
  ) {
    for (const s of specs) {
      const calendar = new JudgeCalendar(s.tz, s.judgeDay);
      if ('historyFrom' in s.model) throw new Error(`nowcast: the history of ${s.id} is still to be produced (resolveHistories first)`);
      const model = 'fitHistory' in s.model ? fitFromHistory(s.model.fitHistory) : s.model;
      this.stations.set(s.id, { days: new StationDays(calendar), predictor: new NowcastPredictor(model), calendar });
    }
  }

  addReport(stationId: string, report: MetarReport): void {
    const s = this.stations.get(stationId);
    if (!s) return;
    s.days.add(report);
    // Two judge days back is all the inputs reach (yesterday's max, the 24-h change).
    const keepFrom = s.calendar.dayOf(report.obsMs - 3 * 86_400_000);
    s.days.pruneBefore(keepFrom);
  }

  recompute(stationId: string, req: RecomputeRequest): NowcastResult {
    const started = this.monotonicNow();
    const s = this.stations.get(stationId);
    if (!s) return { stationId, requestId: req.requestId, outcome: null, computeMs: 0, error: `no nowcast model for ${stationId}` };
    const reports = s.days.dayList().flatMap((d) => [...s.days.reportsOf(d)]);
    const outcome = computeNowcast(s.predictor, reports, s.calendar, { atMs: req.atMs, buckets: req.buckets, qcState: req.qcState, maxInputAgeMs: this.maxInputAgeMs, ...(req.judgeDay == null ? {} : { judgeDay: req.judgeDay }) });
    return { stationId, requestId: req.requestId, outcome, computeMs: this.monotonicNow() - started };
  }
}

/** Computes in the caller's thread, delivering results synchronously. */
export class InlineNowcastEngine implements NowcastEngine {
  private readonly stations: NowcastStations;
  private readonly listeners: Array<(r: NowcastResult) => void> = [];

  constructor(specs: readonly NowcastStationSpec[], maxInputAgeMs: number, monotonicNow: () => number) {
    this.stations = new NowcastStations(specs, maxInputAgeMs, monotonicNow);
  }

  addReport(stationId: string, report: MetarReport): void {
    this.stations.addReport(stationId, report);
  }

  recompute(stationId: string, req: RecomputeRequest): void {
    const r = this.stations.recompute(stationId, req);
    for (const l of this.listeners) l(r);
  }

  onResult(listener: (r: NowcastResult) => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {}
}
