import type { JudgeDayMode } from '../../domain/weather/judge-calendar.ts';
import { JudgeCalendar } from '../../domain/weather/judge-calendar.ts';
import { buildCases } from '../../domain/weather/nowcast/cases.ts';
import { fitNowcastModel } from '../../domain/weather/nowcast/fit.ts';
import type { NowcastModel } from '../../domain/weather/nowcast/model.ts';
import { StationDays } from '../../domain/weather/station-days.ts';
import { parseMetarText } from '../../adapters/weather/metar-parser.ts';
import { WorldSimulator, type WorldSimOptions } from './world-sim.ts';

/** What a simulated station's model is fitted from: the simulator's own history before `toMs`. */
export interface SimulatedFitSpec {
  sim: WorldSimOptions;
  fromMs: number;
  toMs: number;
  judgeDay: JudgeDayMode;
}

/**
 * Fits a nowcast model on the simulator's history, so the embedded default runs the same fitted
 * model path as a real station (no hand-set distribution anywhere).
 */
export function fitSimulatedModel(spec: SimulatedFitSpec): NowcastModel {
  const sim = new WorldSimulator(spec.sim);
  const days = new StationDays(new JudgeCalendar(spec.sim.tz, spec.judgeDay));
  for (const m of sim.metarsBetween(spec.fromMs, spec.toMs)) {
    const r = parseMetarText(m.raw, { refMs: m.obsMs });
    if (r.ok) days.add(r.report);
  }
  const cases = buildCases(days);
  return fitNowcastModel(cases, {
    station: spec.sim.station,
    tz: spec.sim.tz,
    judgeDay: spec.judgeDay,
    lambdas: [1, 10],
    smoothings: [0.5, 1],
    seasonDays: [40, null],
    climatologyWeights: [0, 0.2],
    routineMinute: spec.sim.routineMinute ?? 51,
  });
}
