import type { WeatherConfig } from '../../config/sections/weather.ts';
import { hash32 } from '../../domain/util/random.ts';
import type { SimulatedWorldSources } from '../../runtime/world/world-runtime.ts';
import type { SimulatedFitSpec } from './sim-model.ts';
import { outagesBegunBetween, WorldSimulator, type WorldSimOptions } from './world-sim.ts';

export function simulatorOptions(config: WeatherConfig, seed: number, stationId: string): WorldSimOptions {
  const station = config.stations.find((s) => s.id === stationId);
  if (!station) throw new Error(`weather: no station ${stationId}`);
  const s = config.simulator;
  return {
    seed: hash32(`${seed}:${stationId}`),
    station: station.id,
    tz: station.tz,
    pwsIds: station.pws,
    speciPerHour: s.speci_per_hour,
    outlierShare: s.outlier_share,
    stuckShare: s.stuck_share,
    staleShare: s.stale_share,
    pwsIntervalMs: s.pws_interval_ms,
    routineMinute: config.metar.routine_minute,
    outageEveryMs: s.outage_every_ms,
    outageMs: s.outage_ms,
  };
}

/**
 * Outage windows of the simulated stations that begin in [fromMs, toMs), summed over stations
 * (0 unless the METAR source is the simulator): what the daemon's /stats and a soak harness count.
 */
export function weatherOutagesBegun(config: WeatherConfig, seed: number, fromMs: number, toMs: number): number {
  if (config.metar.source !== 'simulator') return 0;
  return config.stations.reduce((n, s) => n + outagesBegunBetween(simulatorOptions(config, seed, s.id), fromMs, toMs), 0);
}

/** The embedded default's weather: one seeded simulator per configured station. */
export function simulatedWorld(config: WeatherConfig, seed: number): SimulatedWorldSources {
  return {
    stations: () => config.stations.map((s) => new WorldSimulator(simulatorOptions(config, seed, s.id))),
    // Outages are a live fault: the history the model learns from has none.
    historyFor: (stationId, fromMs, toMs) => ({
      module: new URL('./sim-model.ts', import.meta.url).href,
      name: 'simulatedHistory',
      arg: { sim: { ...simulatorOptions(config, seed, stationId), outageEveryMs: 0 }, fromMs, toMs, judgeDay: config.nowcast.judge_day } satisfies SimulatedFitSpec,
    }),
  };
}
