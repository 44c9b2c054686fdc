import type { NowcastInputs } from './inputs.ts';
import { leverageAt, residualsAtLeverage, type ForecastLeverage } from './leverage.ts';
import {
  NOWCAST_MODEL_VERSIONS,
  accumulateClimatology,
  accumulateResidualRise,
  applyFloor,
  blockOf,
  issueHourOf,
  linearPrediction,
  newRiseArray,
  regressorsOf,
  RISE_MAX,
  RISE_MIN,
  riseWeight,
  seasonWeightFrom,
  seasonWeightTable,
  type HourModel,
  type NowcastModel,
} from './model.ts';
import { mixDistributions, PEAK_BINS, PriorPredictor, truncateBelow } from './prior.ts';
import { assertKnownRegressors, climateMaxOf, needsClimate, regressorVector } from './regressors.ts';
import type { IntDistribution } from './scores.ts';

export { PEAK_BINS };

export interface NowcastForecast {
  /** Issue hour whose fitted settings were used. */
  hour: number;
  /** Distribution of the final judge max (integer °F). */
  final: IntDistribution;
  /** P(peak in local hours [2b, 2b+2)), b = 0…11. */
  peakBins: number[];
  /** Effective number of historical residuals behind the spread, (Σw)²/Σw². */
  effectiveN: number;
  /** Whether the weather regression was used (false: climatology only, no current temperature). */
  usedRegression: boolean;
  /** The regression's leverage at this forecast (absent: no regression, or a model before version 4). */
  leverage?: ForecastLeverage;
}

interface CompiledHour {
  model: HourModel;
  residDoy: Float64Array;
  resid: Float64Array;
  /** The rise predicted for each residual's case (NaN in older models). */
  residMu: Float64Array;
  /** Each residual's leverage (NaN in older models), and room for the pool scaled to a forecast's. */
  residLeverage: Float64Array;
  scaled: Float64Array;
  w: Float64Array;
  regressors: readonly string[];
}

/** A fitted model ready to answer queries; one per station, reused across recomputes. */
export class NowcastPredictor {
  private readonly hours: CompiledHour[];
  readonly prior: PriorPredictor | null;

  constructor(readonly model: NowcastModel) {
    if (model.kind !== 'helios.nowcast.ridge_residual' || !NOWCAST_MODEL_VERSIONS.includes(model.version)) throw new Error(`unsupported nowcast model ${model.kind} v${model.version}`);
    if (model.hours.length !== 24) throw new Error('nowcast model must have 24 hours');
    if (model.prior && model.prior_weights?.length !== 24) throw new Error('nowcast model with a prior must have 24 prior weights');
    for (let h = 0; h < 24; h++) {
      const names = regressorsOf(model, h);
      assertKnownRegressors(names);
      if (needsClimate(names) && !model.prior) throw new Error('nowcast model with climate-relative regressors must have a prior');
    }
    this.prior = model.prior ? new PriorPredictor(model.prior) : null;
    this.hours = model.hours.map((m) => ({
      model: m,
      residDoy: Float64Array.from(m.residuals, (r) => r[0]),
      resid: Float64Array.from(m.residuals, (r) => r[1]),
      residMu: Float64Array.from(m.residuals, (r) => r[2] ?? Number.NaN),
      residLeverage: Float64Array.from(m.residuals, (r) => r[3] ?? Number.NaN),
      scaled: new Float64Array(m.residuals.length),
      w: new Float64Array(m.residuals.length),
      regressors: regressorsOf(model, m.hour),
    }));
  }

  private hourOf(inputs: NowcastInputs): number {
    return issueHourOf(inputs.localHour, this.model.routine_minute);
  }

  /** Hour-and-season climatology of the remaining rise (the baseline the model must beat). */
  climatologyRise(inputs: NowcastInputs): Float64Array {
    const rise = newRiseArray();
    const h = this.hours[this.hourOf(inputs)]!;
    if (!accumulateClimatology(rise, 1, h.model.climatology, inputs.dayOfYear, this.model.climatology_season_days, inputs.maxSoFarF !== null)) {
      rise[-RISE_MIN] = 1;
    }
    return rise;
  }

  /**
   * The station's climatology of the final max: the long-record prior when the model has one (what
   * a forecaster knowing nothing of the day would say), else the hour-and-season rise climatology.
   */
  climatologyFinal(inputs: NowcastInputs): IntDistribution | null {
    if (this.prior) return this.prior.at(inputs.dayOfYear).final;
    return inputs.baseF === null ? null : toFinal(this.climatologyRise(inputs), inputs.baseF);
  }

  /** Weight of the prior at an issue hour (0 without a prior). */
  priorWeight(hour: number): number {
    return this.prior ? (this.model.prior_weights?.[hour] ?? 0) : 0;
  }

  predict(inputs: NowcastInputs): NowcastForecast | null {
    const f = this.predictIntraday(inputs);
    if (!this.prior) return f;
    const hour = this.hourOf(inputs);
    const p = this.prior.at(inputs.dayOfYear);
    // Before any report the prior is all there is.
    if (!f) return { hour, final: p.final, peakBins: p.peakBins, effectiveN: 0, usedRegression: false };
    return combineWithPrior(f, p, inputs, this.priorWeight(hour), this.model.prior_peak_weights?.[hour] ?? this.priorWeight(hour));
  }

  /** The intraday model alone (no prior). */
  predictIntraday(inputs: NowcastInputs): NowcastForecast | null {
    if (inputs.baseF === null) return null;
    const hour = this.hourOf(inputs);
    const h = this.hours[hour]!;
    const block = blockOf(this.model, hour);
    const rise = newRiseArray();
    let alpha = block.climatology_weight;
    let effectiveN = 0;
    let usedRegression = false;
    let leverage: ForecastLeverage | undefined;
    if (inputs.tempF !== null && h.resid.length > 0) {
      const x = regressorVector(inputs, h.regressors, climateMaxOf(this.model.prior, inputs.dayOfYear));
      const mu = linearPrediction(h.model, x);
      let resid: Float64Array = h.resid;
      if (h.model.leverage) {
        leverage = { h: leverageAt(h.model, h.model.leverage.inverse, x), poolMean: h.model.leverage.pool_mean };
        resid = residualsAtLeverage(h.scaled, h.resid, h.residLeverage, leverage.h, leverage.poolMean);
      }
      let sum = 0;
      let sum2 = 0;
      const seasonTable = seasonWeightTable(block.season_days);
      for (let i = 0; i < h.resid.length; i++) {
        const w = seasonWeightFrom(seasonTable, h.residDoy[i]!, inputs.dayOfYear, block.season_days) * riseWeight(h.residMu[i]!, mu, block.rise_width_f);
        h.w[i] = w;
        sum += w;
        sum2 += w * w;
      }
      if (sum > 0) {
        accumulateResidualRise(rise, 1 - alpha, mu, resid, h.w, sum, block.smoothing_f, inputs.tempF - inputs.baseF);
        effectiveN = (sum * sum) / sum2;
        usedRegression = true;
      } else alpha = 1;
    } else alpha = 1;
    if (!accumulateClimatology(rise, alpha, h.model.climatology, inputs.dayOfYear, this.model.climatology_season_days, inputs.maxSoFarF !== null)) {
      rise[-RISE_MIN]! += alpha;
    }
    applyFloor(rise, this.model.floor_weight, inputs.maxSoFarF === null);
    return {
      hour,
      final: toFinal(rise, inputs.baseF),
      peakBins: this.peakBins(h.model, rise, inputs, block.season_days),
      effectiveN,
      usedRegression,
      ...(usedRegression && leverage ? { leverage } : {}),
    };
  }

  /**
   * No further rise means the peak is the one already seen; otherwise the timing of the days that
   * still rose after this hour in the same season.
   */
  private peakBins(h: HourModel, rise: Float64Array, inputs: NowcastInputs, seasonDays: number | null): number[] {
    const bins = new Array<number>(PEAK_BINS).fill(0);
    let pNoRise = 0;
    for (let r = RISE_MIN; r <= 0; r++) pNoRise += rise[r - RISE_MIN]!;
    const seen = inputs.maxSoFarHour;
    if (seen !== null) bins[Math.min(PEAK_BINS - 1, Math.floor(seen / 2))]! += pNoRise;
    const pRise = seen !== null ? 1 - pNoRise : 1;
    let sum = 0;
    const later = new Array<number>(PEAK_BINS).fill(0);
    const seasonTable = seasonWeightTable(seasonDays);
    for (const [doy, peakHour] of h.later_peaks) {
      const w = seasonWeightFrom(seasonTable, doy, inputs.dayOfYear, seasonDays);
      later[Math.max(0, Math.min(PEAK_BINS - 1, Math.floor(peakHour / 2)))]! += w;
      sum += w;
    }
    const fallback = Math.min(PEAK_BINS - 1, Math.floor(Math.min(23.99, inputs.localHour + 1) / 2));
    for (let b = 0; b < PEAK_BINS; b++) bins[b]! += sum > 0 ? (pRise * later[b]!) / sum : b === fallback ? pRise : 0;
    const z = bins.reduce((a, b) => a + b, 0);
    return bins.map((p) => (z > 0 ? p / z : 1 / PEAK_BINS));
  }
}

/**
 * Mixes the prior, conditioned on the maximum already observed, into the intraday forecast with
 * weight `w` (and its time of the peak with `wPeak`).
 */
export function combineWithPrior(f: NowcastForecast, p: { final: IntDistribution; peakBins: number[] }, inputs: NowcastInputs, w: number, wPeak = w): NowcastForecast {
  if (!(w > 0) && !(wPeak > 0)) return f;
  return mixWithPrior(f, priorGiven(p, inputs), w, wPeak);
}

/**
 * The prior given what the day has shown: its final max conditioned on the maximum already
 * observed, and its time of the peak going to the hour already seen when it puts its mass at the
 * max so far, else to the bins still ahead. Null when the prior rules out the max so far.
 */
export function priorGiven(p: { final: IntDistribution; peakBins: number[] }, inputs: NowcastInputs): { final: IntDistribution; peakBins: number[] } | null {
  const cond = inputs.maxSoFarF === null ? p.final : truncateBelow(p.final, inputs.maxSoFarF);
  if (!cond) return null;
  const pNoRise = inputs.maxSoFarF !== null && cond.offset === inputs.maxSoFarF ? cond.p[0]! : 0;
  const bins = new Array<number>(PEAK_BINS).fill(0);
  if (inputs.maxSoFarHour !== null) bins[Math.min(PEAK_BINS - 1, Math.floor(inputs.maxSoFarHour / 2))]! += pNoRise;
  const firstAhead = Math.min(PEAK_BINS - 1, Math.floor(inputs.localHour / 2));
  let ahead = 0;
  for (let b = firstAhead; b < PEAK_BINS; b++) ahead += p.peakBins[b]!;
  const rest = inputs.maxSoFarHour !== null ? 1 - pNoRise : 1;
  for (let b = firstAhead; b < PEAK_BINS; b++) bins[b]! += ahead > 0 ? (rest * p.peakBins[b]!) / ahead : b === firstAhead ? rest : 0;
  return { final: cond, peakBins: bins };
}

/** combineWithPrior with the prior already conditioned (priorGiven), for mixing it in at several weights. */
export function mixWithPrior(f: NowcastForecast, given: { final: IntDistribution; peakBins: number[] } | null, w: number, wPeak = w): NowcastForecast {
  if ((!(w > 0) && !(wPeak > 0)) || !given) return f;
  const final = w > 0 ? mixDistributions(f.final, given.final, w) : f.final;
  const peakBins = f.peakBins.map((x, b) => (1 - wPeak) * x + wPeak * given.peakBins[b]!);
  return { ...f, final, peakBins };
}

function toFinal(rise: Float64Array, baseF: number): IntDistribution {
  let first = 0;
  let last = RISE_MAX - RISE_MIN;
  while (first < last && rise[first] === 0) first++;
  while (last > first && rise[last] === 0) last--;
  const p = rise.slice(first, last + 1);
  const z = p.reduce((a, b) => a + b, 0);
  if (z > 0) for (let i = 0; i < p.length; i++) p[i]! /= z;
  return { offset: baseF + RISE_MIN + first, p };
}

export function riseToFinal(rise: Float64Array, baseF: number): IntDistribution {
  return toFinal(rise, baseF);
}
