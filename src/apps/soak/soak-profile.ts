import type { HeliosConfig } from '../../config/schema.ts';
import { generateMatchPlans } from '../../sim/esports/simulator-plan.ts';
import { truthFaultStarts } from '../../sim/esports/simulator-faults.ts';
import type { VenueFaults } from '../../sim/venue/venue-faults.ts';
import type { FaultClass } from '../../domain/soak/fault-classes.ts';
import { minimumSoakMs } from '../../domain/soak/schedule.ts';

export interface ProfileInputs {
  soak: HeliosConfig['soak'];
  faults: readonly FaultClass[];
  venue: { wsUrl: string; restUrl: string } | null;
  redisUrl?: string;
  /** The soak's length and seed: the daemon's own fault schedules are fitted to them. */
  durationMs: number;
  seed: number;
}

type TruthSimulator = HeliosConfig['truth_engine']['simulator'];
type TruthFault = 'truth_stale' | 'truth_conflict';

/** The daemon-side faults (weather, truth) must begin within this share of the soak to be judged. */
const INJECTION_SHARE = 0.6;

/**
 * Esports matches paced so that every requested truth fault begins (counted from the daemon's
 * start) within `windowMs`: the simulator's plans are seeded, so the harness can try pacings and
 * match counts and keep the first that does; null when none can in that window.
 */
export function soakTruthSimulator(seed: number, windowMs: number, wanted: readonly TruthFault[]): TruthSimulator | null {
  const base = { first_start_after_ms: 5000, fault_probability: wanted.length ? 1 : 0 };
  const faults: TruthSimulator['faults'] = [...(wanted.includes('truth_conflict') ? ['disagreement' as const] : []), ...(wanted.includes('truth_stale') ? ['silent_source' as const] : [])];
  if (!faults.length) return { ...base, matches: 5, spacing_ms: 20000, map_ms: 15000, faults: ['disagreement'] };
  for (const [spacing_ms, map_ms] of [[20000, 15000], [10000, 10000], [5000, 5000]] as const) {
    // More matches only while the next one still starts inside the window.
    for (let matches = 5; matches === 5 || base.first_start_after_ms + (matches - 1) * spacing_ms < windowMs; matches++) {
      const cfg: TruthSimulator = { ...base, matches, spacing_ms, map_ms, faults };
      const begun = truthFaultStarts(generateMatchPlans(seed, 0, cfg)).filter((f) => f.at < windowMs);
      if (wanted.every((k) => begun.some((f) => f.kind === k))) return cfg;
    }
  }
  return null;
}

function wantedTruthFaults(faults: readonly FaultClass[]): TruthFault[] {
  return (['truth_stale', 'truth_conflict'] as const).filter((c) => faults.includes(c));
}

/** One METAR/PWS outage begins within the injection window whatever the seed's phase. */
function soakWeatherOutages(soak: HeliosConfig['soak'], durationMs: number): { outage_every_ms: number; outage_ms: number } {
  const every = Math.max(2000, Math.min(soak.weather_outage_every_ms, Math.floor(durationMs * INJECTION_SHARE)));
  return { outage_every_ms: every, outage_ms: Math.max(1000, Math.min(soak.weather_outage_ms, Math.floor(every / 2))) };
}

/**
 * The shortest soak (ms) that can inject every requested class and judge the recovery: the
 * harness's own minimum, and long enough for the seeded esports matches to show each truth fault.
 */
export function minimumSoakDurationMs(soak: HeliosConfig['soak'], faults: readonly FaultClass[], seed: number): number {
  let ms = minimumSoakMs(faults, soak);
  const truth = wantedTruthFaults(faults);
  if (!truth.length) return ms;
  while (soakTruthSimulator(seed, ms * INJECTION_SHARE, truth) === null) {
    ms += 15_000;
    if (ms > 24 * 3_600_000) return Infinity;
  }
  return ms;
}

/**
 * The configuration layered over the defaults for the soaked daemon: the venue is the harness's
 * (so it outlives a killed daemon and its true books stay the referee's), esports matches come
 * thick and fast, the weather feed has outages, paper fills fail — each only when its fault class
 * is on — and the channel API buffers enough for the harness's tap never to be coalesced.
 */
export function soakDaemonOverlay(p: ProfileInputs): Record<string, unknown> {
  const on = (c: FaultClass) => p.faults.includes(c);
  const window = p.durationMs * INJECTION_SHARE;
  // Only reached for a soak long enough (the command refuses shorter ones); the production-like
  // pacing otherwise.
  const truthSimulator = soakTruthSimulator(p.seed, window, wantedTruthFaults(p.faults)) ?? soakTruthSimulator(p.seed, window, [])!;
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
    truth_engine: { simulator: truthSimulator },
    weather: {
      simulator: on('weather_stale') ? soakWeatherOutages(p.soak, p.durationMs) : { outage_every_ms: 0 },
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
