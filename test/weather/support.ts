import { loadConfig } from '../../src/config/load.ts';
import type { WeatherConfig } from '../../src/config/sections/weather.ts';
import type { NowcastModel } from '../../src/domain/weather/nowcast/model.ts';
import { simulatorOptions } from '../../src/sim/world/simulated-world.ts';
import { fitSimulatedModel } from '../../src/sim/world/sim-model.ts';

const DAY = 86_400_000;

/**
 * The default weather config and a nowcast model fitted on the simulated first station's days from
 * 75 to 2 days before `startMs` (seed 42): the world the world-feed tests run. Slow: call it in beforeAll.
 */
export function fittedWorld(startMs: number): { weather: WeatherConfig; model: NowcastModel } {
  const weather = loadConfig({ env: {} }).config.weather;
  const station = weather.stations[0]!;
  const model = fitSimulatedModel({ sim: simulatorOptions(weather, 42, station.id), fromMs: startMs - 75 * DAY, toMs: startMs - 2 * DAY, judgeDay: 'local' });
  return { weather, model };
}
