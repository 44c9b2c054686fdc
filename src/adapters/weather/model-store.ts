import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NowcastModel } from '../../domain/weather/nowcast/model.ts';

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
  if (data.kind !== 'helios.nowcast.ridge_residual' || data.version !== 1 || !Array.isArray(data.hours) || data.hours.length !== 24) {
    throw new Error(`${file}: not a helios nowcast model (kind ${String(data.kind)}, version ${String(data.version)})`);
  }
  if (typeof data.routine_minute !== 'number') throw new Error(`${file}: not a helios nowcast model (no routine_minute)`);
  return data as NowcastModel;
}
