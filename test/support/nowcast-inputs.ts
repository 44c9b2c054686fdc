import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import type { NowcastInputs } from '../../src/domain/weather/nowcast/inputs.ts';

/**
 * Synthetic nowcast inputs for one issue hour: the day's max so far is the current temperature,
 * every other observation absent unless given.
 */
export function syntheticInputs(day: string, hour: number, tempF: number, more: Partial<NowcastInputs> = {}): NowcastInputs {
  return {
    day,
    localHour: hour,
    dayOfYear: JudgeCalendar.dayOfYear(day),
    maxSoFarF: tempF,
    maxSoFarHour: hour - 0.15,
    baseF: tempF,
    tempF,
    gapF: 0,
    trend3hF: null,
    trend1hF: null,
    pressureChange3hHpa: null,
    precipitating: null,
    visibilitySm: null,
    change24hF: null,
    prevMaxMinusBaseF: null,
    dewpointF: null,
    dewpointDepressionF: null,
    windU: null,
    windV: null,
    skyCover: null,
    latestAgeMs: 0,
    usedObsMs: [],
    ...more,
  };
}
