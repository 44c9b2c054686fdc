import { JudgeCalendar, type JudgeDayMode } from '../domain/weather/judge-calendar.ts';
import { buildCases } from '../domain/weather/nowcast/cases.ts';
import { fitNowcastModel } from '../domain/weather/nowcast/fit.ts';
import type { NowcastModel } from '../domain/weather/nowcast/model.ts';
import { StationDays } from '../domain/weather/station-days.ts';
import { parseMetarText } from '../adapters/weather/metar-parser.ts';

/** A station's METAR history to fit its nowcast model on (a simulator's, or an archive's). */
export interface HistoryFitSpec {
  station: string;
  tz: string;
  judgeDay: JudgeDayMode;
  routineMinute: number;
  metars: ReadonlyArray<{ raw: string; obsMs: number }>;
}

/**
 * Fits a nowcast model on a METAR history, so a simulated station runs the same fitted model path
 * as a real one (no hand-set distribution anywhere). Heavy: the nowcast worker runs it in its thread.
 */
export function fitFromHistory(spec: HistoryFitSpec): NowcastModel {
  const days = new StationDays(new JudgeCalendar(spec.tz, spec.judgeDay));
  for (const m of spec.metars) {
    const r = parseMetarText(m.raw, { refMs: m.obsMs });
    if (r.ok) days.add(r.report);
  }
  return fitNowcastModel(buildCases(days), {
    station: spec.station,
    tz: spec.tz,
    judgeDay: spec.judgeDay,
    lambdas: [1, 10],
    smoothings: [0.5, 1],
    seasonDays: [40, null],
    climatologyWeights: [0, 0.2],
    routineMinute: spec.routineMinute,
  });
}
