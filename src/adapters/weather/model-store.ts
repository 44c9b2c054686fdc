import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NOWCAST_MODEL_VERSIONS, type NowcastModel } from '../../domain/weather/nowcast/model.ts';

/** Fitted nowcast models on disk (`data/models/<station>.json`). */
export function writeNowcastModel(file: string, model: NowcastModel): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify(model) + '\n');
}

export function readNowcastModel(file: string): NowcastModel {
  let data: Partial<NowcastModel>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Partial<NowcastModel>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw err;
    throw new Error(`${file}: not a helios nowcast model (not JSON)`);
  }
  if (data.kind !== 'helios.nowcast.ridge_residual' || !NOWCAST_MODEL_VERSIONS.includes(data.version ?? 0) || !Array.isArray(data.hours) || data.hours.length !== 24) {
    throw new Error(`${file}: not a helios nowcast model (kind ${String(data.kind)}, version ${String(data.version)})`);
  }
  if (typeof data.routine_minute !== 'number') throw new Error(`${file}: not a helios nowcast model (no routine_minute)`);
  if (data.prior !== undefined) {
    const p = data.prior;
    if (!Array.isArray(p.anomalies) || !Array.isArray(p.mean_harmonics) || p.mean_harmonics.length !== 7 || typeof p.season_days !== 'number' || typeof p.smoothing_f !== 'number') {
      throw new Error(`${file}: not a helios nowcast model (malformed prior)`);
    }
    if (!Array.isArray(data.prior_weights) || data.prior_weights.length !== 24) throw new Error(`${file}: not a helios nowcast model (prior without 24 prior_weights)`);
    if (data.prior_peak_weights !== undefined && (!Array.isArray(data.prior_peak_weights) || data.prior_peak_weights.length !== 24)) {
      throw new Error(`${file}: not a helios nowcast model (prior_peak_weights not 24 weights)`);
    }
  }
  return data as NowcastModel;
}
