import type { NowcastInputs } from './inputs.ts';
import {
  accumulateClimatology,
  accumulateResidualRise,
  applyFloor,
  blockOf,
  issueHourOf,
  linearPrediction,
  newRiseArray,
  regressorVector,
  RISE_MAX,
  RISE_MIN,
  seasonWeight,
  type HourModel,
  type NowcastModel,
} from './model.ts';
import type { IntDistribution } from './scores.ts';

export const PEAK_BINS = 12;

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
}

interface CompiledHour {
  model: HourModel;
  residDoy: Float64Array;
  resid: Float64Array;
  w: Float64Array;
}

/** A fitted model ready to answer queries; one per station, reused across recomputes. */
export class NowcastPredictor {
  private readonly hours: CompiledHour[];

  constructor(readonly model: NowcastModel) {
    if (model.kind !== 'helios.nowcast.ridge_residual' || model.version !== 1) throw new Error(`unsupported nowcast model ${model.kind} v${model.version}`);
    if (model.hours.length !== 24) throw new Error('nowcast model must have 24 hours');
    this.hours = model.hours.map((m) => ({
      model: m,
      residDoy: Float64Array.from(m.residuals, (r) => r[0]),
      resid: Float64Array.from(m.residuals, (r) => r[1]),
      w: new Float64Array(m.residuals.length),
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

  predict(inputs: NowcastInputs): NowcastForecast | null {
    if (inputs.baseF === null) return null;
    const hour = this.hourOf(inputs);
    const h = this.hours[hour]!;
    const block = blockOf(this.model, hour);
    const rise = newRiseArray();
    let alpha = block.climatology_weight;
    let effectiveN = 0;
    let usedRegression = false;
    if (inputs.tempF !== null && h.resid.length > 0) {
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < h.resid.length; i++) {
        const w = seasonWeight(h.residDoy[i]!, inputs.dayOfYear, block.season_days);
        h.w[i] = w;
        sum += w;
        sum2 += w * w;
      }
      if (sum > 0) {
        const mu = linearPrediction(h.model, regressorVector(inputs));
        accumulateResidualRise(rise, 1 - alpha, mu, h.resid, h.w, sum, block.smoothing_f, inputs.tempF - inputs.baseF);
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
    for (const [doy, peakHour] of h.later_peaks) {
      const w = seasonWeight(doy, inputs.dayOfYear, seasonDays);
      later[Math.max(0, Math.min(PEAK_BINS - 1, Math.floor(peakHour / 2)))]! += w;
      sum += w;
    }
    const fallback = Math.min(PEAK_BINS - 1, Math.floor(Math.min(23.99, inputs.localHour + 1) / 2));
    for (let b = 0; b < PEAK_BINS; b++) bins[b]! += sum > 0 ? (pRise * later[b]!) / sum : b === fallback ? pRise : 0;
    const z = bins.reduce((a, b) => a + b, 0);
    return bins.map((p) => (z > 0 ? p / z : 1 / PEAK_BINS));
  }
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
