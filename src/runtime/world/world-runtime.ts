import type { CallbackActorLogic, EventObject } from 'xstate';
import type { Logger } from '../../adapters/log/logger.ts';
import { AwcMetarClient } from '../../adapters/weather/awc-client.ts';
import type { FetchLike } from '../../adapters/http/request-json.ts';
import { readNowcastModel } from '../../adapters/weather/model-store.ts';
import { WuPwsClient } from '../../adapters/weather/wu-pws-client.ts';
import type { WeatherConfig } from '../../config/sections/weather.ts';
import type { Secrets } from '../../config/secrets.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { InlineNowcastEngine, resolveHistories, type HistorySourceRef, type NowcastEngine, type NowcastStationSpec } from '../../actors/nowcast-engine.ts';
import { NowcastWorker } from '../../actors/nowcast-worker.ts';
import { WorldFeed } from './world-feed.ts';
import { createAwcMetarSourceLogic, createSimulatedWorldLogic, createWuPwsSourceLogic, type SimulatedStation, type WorldSourceSignal } from '../../actors/world-sources.actor.ts';

export interface WorldRuntimeDeps {
  config: WeatherConfig;
  clock: Clock;
  sink: EventSink;
  events: EventFactory;
  secrets: Secrets;
  logger?: Logger;
  /** Defaults to the global fetch; tests point it at loopback servers. */
  fetch?: FetchLike;
  /** worker (default): nowcast in a worker thread; inline: in this thread (tests, tools). */
  nowcastMode?: 'worker' | 'inline';
  /** The simulated world the application chose (needed when a weather source is `simulator`). */
  simulated?: SimulatedWorldSources;
  /** Stations whose NOWCAST waits for a discovered layout (see WorldFeedOptions). */
  awaitLayouts?: readonly string[];
  /** The stations METAR is polled for, read at every poll (live mode: those markets need); default every configured one. */
  metarStations?: () => readonly string[];
  /** Aborted when the runtime is no longer wanted while it starts (the daemon stopping). */
  signal?: AbortSignal;
}

/** What a simulated world offers the world runtime: stations to observe, and history to fit on. */
export interface SimulatedWorldSources {
  /** Every configured station's simulator, in config order. */
  stations(): SimulatedStation[];
  /**
   * Where a station's METAR history in [fromMs, toMs) comes from, without outages (the history a
   * model learns from has none): code the nowcast engine runs in its own thread.
   */
  historyFor(stationId: string, fromMs: number, toMs: number): HistorySourceRef;
}

export interface WorldSource {
  /** Stable id for `invoke`/`spawnChild`. */
  id: string;
  logic: CallbackActorLogic<EventObject, void, WorldSourceSignal>;
}

export interface WorldRuntime {
  feed: WorldFeed;
  nowcast: NowcastEngine | null;
  /** Callback actors that feed the world (start them under the daemon's supervisor). */
  sources: WorldSource[];
  simulators: SimulatedStation[];
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Builds the world tape from the `weather` config: the feed (with its QC engine), the nowcast engine
 * (a worker thread by default; models from `model_path`, or fitted on simulated history when the
 * METAR source is the simulator and no file is configured) and the source actors to run.
 */
export async function createWorldRuntime(d: WorldRuntimeDeps): Promise<WorldRuntime> {
  const cfg = d.config;
  const now = d.clock.now();
  const simulated = () => {
    if (!d.simulated) throw new Error('weather: a simulator source is configured but no simulated world was given');
    return d.simulated;
  };
  const specs: NowcastStationSpec[] = [];
  for (const s of cfg.stations) {
    if (s.model_path) specs.push({ id: s.id, tz: s.tz, judgeDay: cfg.nowcast.judge_day, model: readNowcastModel(s.model_path) });
    else if (cfg.metar.source === 'simulator') {
      specs.push({
        id: s.id,
        tz: s.tz,
        judgeDay: cfg.nowcast.judge_day,
        model: { historyFrom: simulated().historyFor(s.id, now - cfg.nowcast.simulated_fit_days * DAY_MS, now - 2 * DAY_MS) },
      });
    } else d.logger?.warn({ station_id: s.id }, 'no nowcast model_path: NOWCAST disabled for this station');
  }
  let nowcast: NowcastEngine | null = null;
  if (cfg.nowcast.enabled && specs.length) {
    if ((d.nowcastMode ?? 'worker') === 'worker') {
      const worker = await NowcastWorker.start(specs, cfg.nowcast.max_input_age_ms, d.signal);
      worker.onError((err) => d.logger?.error({ err: err.message }, 'nowcast worker error'));
      nowcast = worker;
    } else nowcast = new InlineNowcastEngine(await resolveHistories(specs), cfg.nowcast.max_input_age_ms, () => d.clock.monotonicNow());
  }

  const feed = new WorldFeed({ clock: d.clock, sink: d.sink, events: d.events, config: cfg, nowcast, logger: d.logger, awaitLayouts: d.awaitLayouts });
  const sources: WorldSource[] = [];
  const simulators = cfg.metar.source === 'simulator' || cfg.pws.source === 'simulator' ? simulated().stations() : [];
  const fetchImpl: FetchLike = d.fetch ?? ((url, init) => fetch(url, init));

  if (cfg.metar.source === 'simulator') {
    sources.push({
      id: 'world:sim',
      logic: createSimulatedWorldLogic({ sims: simulators, feed, clock: d.clock, stepMs: 60_000, metarDelayMs: 3 * 60_000, backfillMs: 36 * 3_600_000, withPws: cfg.pws.source === 'simulator' }),
    });
  } else {
    const client = new AwcMetarClient({
      baseUrl: cfg.metar.awc_base_url,
      fetch: fetchImpl,
      clock: d.clock,
      cacheTtlMs: cfg.metar.cache_ttl_ms,
      minRequestIntervalMs: cfg.metar.min_request_interval_ms,
      timeoutMs: cfg.metar.request_timeout_ms,
      maxRequestsPerMinute: cfg.metar.max_requests_per_minute,
      backoff: { initialMs: cfg.metar.backoff_initial_ms, maxMs: cfg.metar.backoff_max_ms, multiplier: 2, jitter: 0 },
    });
    sources.push({
      id: 'world:awc',
      logic: createAwcMetarSourceLogic({ client, feed, clock: d.clock, stationIds: d.metarStations ?? (() => cfg.stations.map((s) => s.id)), intervalMs: cfg.metar.poll_interval_ms, lookbackHours: cfg.metar.lookback_hours, logger: d.logger }),
    });
  }
  if (cfg.pws.source === 'wu') {
    const key = d.secrets.wu_api_key;
    if (!key) d.logger?.warn('weather.pws.source is wu but HELIOS_WU_API_KEY is not set: PWS disabled');
    else {
      const client = new WuPwsClient({
        baseUrl: cfg.pws.wu_base_url,
        apiKey: key,
        fetch: fetchImpl,
        clock: d.clock,
        cacheTtlMs: cfg.pws.cache_ttl_ms,
        minRequestIntervalMs: cfg.pws.min_request_interval_ms,
        maxRequestsPerMinute: cfg.pws.max_requests_per_minute,
        timeoutMs: cfg.pws.request_timeout_ms,
      });
      sources.push({
        id: 'world:wu',
        logic: createWuPwsSourceLogic({ client, feed, clock: d.clock, pwsIds: cfg.stations.flatMap((s) => s.pws), intervalMs: cfg.pws.poll_interval_ms, logger: d.logger }),
      });
    }
  } else if (cfg.metar.source !== 'simulator') {
    // PWS from the simulator while METAR is live would mix worlds; the sim source above covers both.
    // PWS is an optional feed and this is the default in live mode: said once, not a warning.
    d.logger?.info('PWS off: weather.pws.source simulator applies with the simulated METAR only (live PWS: weather.pws.source wu and HELIOS_WU_API_KEY)');
  }

  return {
    feed,
    nowcast,
    sources,
    simulators,
    async stop() {
      feed.stop();
      await nowcast?.stop();
    },
  };
}
