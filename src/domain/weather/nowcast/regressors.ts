import type { NowcastInputs } from './inputs.ts';
import { seasonalMean, type ClimatePrior } from './prior.ts';

const YEAR_DAYS = 365.25;

/**
 * One regressor of the remaining-rise regression: its value at issue time, or null when unknown
 * (imputed with the training mean). `climateMaxF` is the station's climatological daily maximum for
 * the day of year (the prior's seasonal mean), null without a prior.
 */
type Regressor = (i: NowcastInputs, climateMaxF: number | null) => number | null;

const season = (i: NowcastInputs) => (2 * Math.PI * i.dayOfYear) / YEAR_DAYS;

const REGRESSORS: Record<string, Regressor> = {
  season_cos: (i) => Math.cos(season(i)),
  season_sin: (i) => Math.sin(season(i)),
  gap_f: (i) => i.gapF,
  trend3h_f: (i) => i.trend3hF,
  trend1h_f: (i) => i.trend1hF,
  pressure_change3h_hpa: (i) => i.pressureChange3hHpa,
  precipitating: (i) => i.precipitating,
  visibility_sm: (i) => i.visibilitySm,
  change24h_f: (i) => i.change24hF,
  prev_max_minus_base_f: (i) => i.prevMaxMinusBaseF,
  dewpoint_depression_f: (i) => i.dewpointDepressionF,
  wind_u_kt: (i) => i.windU,
  wind_v_kt: (i) => i.windV,
  sky_cover: (i) => i.skyCover,
  temp_f: (i) => i.tempF,
  // How far the air is below a typical maximum for the date: it carries the size of the day's usual
  // rise into seasons the hourly archive never saw (a summer morning then looks like a winter
  // morning with as much room to rise, not like a winter day already past its peak).
  climate_max_minus_temp_f: (i, c) => (c === null || i.tempF === null ? null : c - i.tempF),
  climate_max_minus_base_f: (i, c) => (c === null || i.baseF === null ? null : c - i.baseF),
};

/** The observed weather both regressor sets share, in the order models record them. */
const WEATHER_REGRESSORS = [
  'gap_f',
  'trend3h_f',
  'trend1h_f',
  'pressure_change3h_hpa',
  'precipitating',
  'visibility_sm',
  'change24h_f',
  'prev_max_minus_base_f',
  'dewpoint_depression_f',
  'wind_u_kt',
  'wind_v_kt',
  'sky_cover',
] as const;

/** The regressors of models fitted before the climate-relative set existed (and of models without a prior). */
export const SEASON_REGRESSORS = ['season_cos', 'season_sin', ...WEATHER_REGRESSORS, 'temp_f'] as const;

/**
 * The same weather, with the season and the temperature measured against the prior's climatological
 * maximum for the date instead of as day-of-year harmonics and raw °F, which a linear fit can only
 * extrapolate into the months the hourly archive lacks.
 */
export const CLIMATE_RELATIVE_REGRESSORS = [...WEATHER_REGRESSORS, 'climate_max_minus_temp_f', 'climate_max_minus_base_f'] as const;

/** Throws naming the first regressor this version does not know (a model from a newer version). */
export function assertKnownRegressors(names: readonly string[] | undefined): void {
  if (!Array.isArray(names)) throw new Error('nowcast model without a regressors list');
  for (const n of names) if (!Object.hasOwn(REGRESSORS, n)) throw new Error(`unknown nowcast regressor "${n}" (model from a newer version?)`);
}

export function sameRegressors(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, j) => n === b[j]);
}

/** Whether a regressor set needs the prior's climatological maximum. */
export function needsClimate(names: readonly string[]): boolean {
  return names.some((n) => n.startsWith('climate_'));
}

/** The climatological maximum for a day of the year, or null without a prior. */
export function climateMaxOf(prior: Pick<ClimatePrior, 'mean_harmonics'> | undefined | null, dayOfYear: number): number | null {
  return prior ? seasonalMean(prior.mean_harmonics, dayOfYear) : null;
}

export function regressorVector(i: NowcastInputs, names: readonly string[], climateMaxF: number | null): Array<number | null> {
  return names.map((n) => REGRESSORS[n]!(i, climateMaxF));
}
