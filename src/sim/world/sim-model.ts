import type { JudgeDayMode } from '../../domain/weather/judge-calendar.ts';
import type { NowcastModel } from '../../domain/weather/nowcast/model.ts';
import { fitFromHistory, type HistoryFitSpec } from '../../actors/nowcast-fit.ts';
import { WorldSimulator, type WorldSimOptions } from './world-sim.ts';

/** What a simulated station's model is fitted from: the simulator's own history before `toMs`. */
export interface SimulatedFitSpec {
  sim: WorldSimOptions;
  fromMs: number;
  toMs: number;
  judgeDay: JudgeDayMode;
}

/** The simulator's METAR history of a fit window (cheap; the fit itself is the heavy part). */
export function simulatedHistory(spec: SimulatedFitSpec): HistoryFitSpec {
  const metars = new WorldSimulator(spec.sim).metarsBetween(spec.fromMs, spec.toMs).map((m) => ({ raw: m.raw, obsMs: m.obsMs }));
  return { station: spec.sim.station, tz: spec.sim.tz, judgeDay: spec.judgeDay, routineMinute: spec.sim.routineMinute ?? 51, metars };
}

/** Fits a nowcast model on the simulator's history. */
export function fitSimulatedModel(spec: SimulatedFitSpec): NowcastModel {
  return fitFromHistory(simulatedHistory(spec));
}
