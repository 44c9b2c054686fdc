import { fromCallback, type CallbackActorLogic, type EventObject } from 'xstate';
import type { Logger } from '../adapters/log/logger.ts';
import type { AwcMetarClient } from '../adapters/weather/awc-client.ts';
import type { WuPwsClient } from '../adapters/weather/wu-pws-client.ts';
import type { Clock, TimerHandle } from '../domain/time/clock.ts';
import type { ReportType } from '../domain/weather/metar-report.ts';
import type { PwsObservation } from '../domain/weather/pws-qc.ts';

/** Where sources deliver what they observed (the world feed, which de-duplicates and QCs). */
export interface WorldIntake {
  ingestMetar(raw: string, receivedMs: number, typeHint?: ReportType | null): unknown;
  ingestPws(obs: PwsObservation): void;
}

/** A simulated station's history, asked for by observation-time windows. */
export interface SimulatedStation {
  metarsBetween(fromMs: number, toMs: number): ReadonlyArray<{ raw: string; obsMs: number }>;
  pwsBetween(fromMs: number, toMs: number): readonly PwsObservation[];
}

/** What a world source tells its parent: only failures (data goes straight into the feed). */
export type WorldSourceSignal = { type: 'WORLD_SOURCE_ERROR'; source: string; message: string };

/**
 * Runs `tick` now and then every `intervalMs` on the clock until stopped; ticks never overlap. A
 * synchronous tick re-arms its timer synchronously, so a virtual clock stepped in a tight loop
 * still sees every tick.
 */
function every(clock: Clock, intervalMs: number, tick: () => Promise<void> | void): () => void {
  let stopped = false;
  let timer: TimerHandle | null = null;
  const schedule = () => {
    if (!stopped) timer = clock.setTimeout(loop, intervalMs);
  };
  const loop = () => {
    if (stopped) return;
    const r = tick();
    if (r instanceof Promise) void r.finally(schedule);
    else schedule();
  };
  loop();
  return () => {
    stopped = true;
    if (timer !== null) clock.clearTimeout(timer);
  };
}

export interface AwcSourceDeps {
  client: AwcMetarClient;
  feed: WorldIntake;
  clock: Clock;
  /** Read at every poll: the stations to ask for (none: no request). */
  stationIds: () => readonly string[];
  intervalMs: number;
  lookbackHours: number;
  logger?: Logger;
}

/**
 * Polls aviationweather.gov; each report is anchored on its observation time and de-duplicated by
 * the feed. `METAR_STATIONS_CHANGED` polls at once (a station just needed waits for no interval).
 */
export function createAwcMetarSourceLogic(d: AwcSourceDeps): CallbackActorLogic<EventObject, void, WorldSourceSignal> {
  return fromCallback<EventObject, void, WorldSourceSignal>(({ sendBack, receive }) => {
    const poll = async () => {
      try {
        const ids = d.stationIds();
        if (ids.length === 0) return;
        for (const r of await d.client.recent(ids, d.lookbackHours)) d.feed.ingestMetar(r.raw, r.obsMs, r.typeHint);
      } catch (err) {
        d.logger?.warn({ err: (err as Error).message }, 'AWC poll failed');
        sendBack({ type: 'WORLD_SOURCE_ERROR', source: 'awc', message: (err as Error).message });
      }
    };
    receive((e) => {
      if (e.type === 'METAR_STATIONS_CHANGED') void poll();
    });
    return every(d.clock, d.intervalMs, poll);
  });
}

export interface WuSourceDeps {
  client: WuPwsClient;
  feed: WorldIntake;
  clock: Clock;
  pwsIds: string[];
  intervalMs: number;
  logger?: Logger;
}

/** Polls each configured PWS (the client's limiter spaces the requests within the key's quota). */
export function createWuPwsSourceLogic(d: WuSourceDeps): CallbackActorLogic<EventObject, void, WorldSourceSignal> {
  return fromCallback<EventObject, void, WorldSourceSignal>(({ sendBack }) =>
    every(d.clock, d.intervalMs, async () => {
      for (const id of [...d.pwsIds].sort()) {
        try {
          const obs = await d.client.current(id);
          if (obs) d.feed.ingestPws(obs);
        } catch (err) {
          d.logger?.warn({ pws_id: id, err: (err as Error).message }, 'PWS poll failed');
          sendBack({ type: 'WORLD_SOURCE_ERROR', source: `wu:${id}`, message: (err as Error).message });
        }
      }
    }),
  );
}

export interface SimulatedSourceDeps {
  sims: readonly SimulatedStation[];
  feed: WorldIntake;
  clock: Clock;
  /** How often the simulated world delivers what was observed since the last step. */
  stepMs: number;
  /** Reports arrive this long after their observation time. */
  metarDelayMs: number;
  /** History delivered at start so the day's max so far and yesterday's max exist. */
  backfillMs: number;
  /** Also deliver the simulated PWS (off when PWS come from the live API). */
  withPws: boolean;
}

/** Replays the seeded simulator against the clock: METAR/SPECI and PWS readings as they "arrive". */
export function createSimulatedWorldLogic(d: SimulatedSourceDeps): CallbackActorLogic<EventObject, void, WorldSourceSignal> {
  return fromCallback<EventObject, void, WorldSourceSignal>(() => {
    let upTo = d.clock.now() - d.backfillMs;
    return every(d.clock, d.stepMs, () => {
      const now = d.clock.now();
      for (const sim of d.sims) {
        for (const m of sim.metarsBetween(upTo - d.metarDelayMs, now - d.metarDelayMs)) d.feed.ingestMetar(m.raw, m.obsMs + d.metarDelayMs);
        if (d.withPws) for (const p of sim.pwsBetween(Math.max(upTo, now - d.backfillMs / 12), now)) d.feed.ingestPws(p);
      }
      upTo = now;
    });
  });
}
