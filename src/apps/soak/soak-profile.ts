import type { HeliosConfig } from '../../config/schema.ts';
import type { VenueFaults } from '../../sim/venue/venue-faults.ts';
import type { FaultClass } from '../../domain/soak/fault-classes.ts';

export interface ProfileInputs {
  soak: HeliosConfig['soak'];
  faults: readonly FaultClass[];
  venue: { wsUrl: string; restUrl: string } | null;
  redisUrl?: string;
}

/**
 * The configuration layered over the defaults for the soaked daemon: the venue is the harness's
 * (so it outlives a killed daemon and its true books stay the referee's), esports matches come
 * thick and fast, the weather feed has outages, paper fills fail — each only when its fault class
 * is on — and the channel API buffers enough for the harness's tap never to be coalesced.
 */
export function soakDaemonOverlay(p: ProfileInputs): Record<string, unknown> {
  const on = (c: FaultClass) => p.faults.includes(c);
  const truthFaults = on('truth_stale') || on('truth_conflict');
  return {
    daemon: { sim: { venue: 'external', markets: 10 } },
    market_tape: {
      ...(p.venue ? { ws_url: p.venue.wsUrl, rest_url: p.venue.restUrl } : {}),
      // A frozen connection (PINGs answered, no data) is abandoned within seconds, not the
      // production 20 s + 60 s, so a checkpoint can wait for it.
      stale_after_ms: 5000,
      idle_timeout_ms: 10000,
      rest_backoff_initial_ms: 100,
      rest_backoff_max_ms: 2000,
      backoff_initial_ms: 250,
      backoff_max_ms: 4000,
    },
    api: { ws_max_buffered_bytes: 256 * 1024 * 1024 },
    execution: { paper: { fail_probability: on('paper_fill_failed') ? p.soak.paper_fail_probability : 0 } },
    truth_engine: {
      simulator: {
        matches: 5,
        first_start_after_ms: 5000,
        spacing_ms: 20000,
        map_ms: 15000,
        fault_probability: truthFaults ? 1 : 0,
        faults: [...(on('truth_conflict') ? ['disagreement'] : []), ...(on('truth_stale') ? ['silent_source'] : []), ...(truthFaults ? [] : ['disagreement'])],
      },
    },
    weather: {
      simulator: on('weather_stale') ? { outage_every_ms: p.soak.weather_outage_every_ms, outage_ms: p.soak.weather_outage_ms } : { outage_every_ms: 0 },
    },
    ...(p.redisUrl ? { bus: { kind: 'redis', redis_url: p.redisUrl } } : {}),
  };
}

/** The venue simulator's fault switches for the chosen classes. */
export function soakVenueFaults(soak: HeliosConfig['soak'], faults: readonly FaultClass[]): Partial<VenueFaults> {
  const v = soak.venue;
  const on = (c: FaultClass, p: number) => (faults.includes(c) ? p : 0);
  return {
    disconnect: on('ws_disconnect', v.disconnect),
    terminate_share: v.terminate_share,
    policy_close_batch: faults.includes('ws_policy_close') ? v.policy_close_batch : null,
    drop: on('frame_drop', v.drop),
    duplicate: on('frame_duplicate', v.duplicate),
    reorder: on('frame_reorder', v.reorder),
    malformed: on('frame_malformed', v.malformed),
    freeze: on('ws_freeze', v.freeze),
    tick_size_change: on('tick_size_change', v.tick_size_change),
    crossed_update: on('crossed_update', v.crossed_update),
    rest_429: on('rest_429', v.rest_429),
    rest_5xx: on('rest_5xx', v.rest_5xx),
  };
}
