import { seededRng, type Rng } from '../util/random.ts';
import { CLOB_FAULT_CLASSES, type ClobFaultClass, type FaultClass, type VenueFaultClass } from './fault-classes.ts';

/** One thing the soak harness does at a time offset from the start of the soak. */
export type SoakAction =
  | { at_ms: number; kind: 'checkpoint'; final: boolean }
  | { at_ms: number; kind: 'daemon_kill' }
  | { at_ms: number; kind: 'redis_kill' }
  /** One fault of a venue class made to happen now, whatever the dice said so far. */
  | { at_ms: number; kind: 'inject'; fault: VenueFaultClass }
  /** A stand-in CLOB misbehaviour armed now: it happens when the daemon next posts, trades or beats. */
  | { at_ms: number; kind: 'clob'; fault: ClobFaultClass };

export interface ScheduleOptions {
  duration_ms: number;
  seed: number;
  faults: readonly FaultClass[];
  /** Time between checkpoints (faults paused, books compared with the venue's truth). */
  checkpoint_every_ms: number;
  /** One kill of each kind per this much soak time (at least one when the class is on). */
  kill_every_ms: number;
  /**
   * No kill before this offset: the daemon's own faults (the esports simulator's) must have begun
   * and been counted by a live daemon first, or a kill could take the only one with it.
   */
  kills_not_before_ms?: number;
  /**
   * When `clob_heartbeat_stop` is armed: a moment the daemon is likely to place an order (the
   * refused heartbeats need one resting). Without it, halfway through.
   */
  heartbeat_at_ms?: number | null;
}

/**
 * The harness's seeded timeline: checkpoints at a fixed cadence and a final one at the end; the
 * kills at random times, each in its own interval between checkpoints (so every kill is followed
 * by a checkpoint that judges the recovery) and never in the last interval; one forced injection
 * of every requested venue class in the first interval, so a short soak cannot pass without having
 * seen each of them (the random faults come on top).
 */
export function soakSchedule(o: ScheduleOptions): SoakAction[] {
  const rng = seededRng(o.seed ^ 0x50a4);
  const actions: SoakAction[] = [];
  const bounds: number[] = [0];
  for (let t = o.checkpoint_every_ms; t < o.duration_ms - o.checkpoint_every_ms / 2; t += o.checkpoint_every_ms) {
    actions.push({ at_ms: t, kind: 'checkpoint', final: false });
    bounds.push(t);
  }
  actions.push({ at_ms: o.duration_ms, kind: 'checkpoint', final: true });
  // Intervals a kill may fall in: every one but the last, which the final checkpoint closes.
  const intervals = bounds.slice(0, Math.max(1, bounds.length - 1)).map((start, i) => ({ start, end: bounds[i + 1] ?? o.duration_ms }));
  const notBefore = o.kills_not_before_ms ?? 0;
  const free = intervals.filter((iv) => killWindow(iv, notBefore) !== null);
  const kills = (['daemon_kill', 'redis_kill'] as const).filter((k) => o.faults.includes(k));
  const perKind = Math.max(1, Math.round(o.duration_ms / o.kill_every_ms));
  const order = shuffle(rng, free.map((_, i) => i));
  let slot = 0;
  for (let n = 0; n < perKind && free.length; n++) {
    for (const kind of kills) {
      const [from, to] = killWindow(free[order[slot % order.length]!]!, notBefore)!;
      slot++;
      actions.push({ at_ms: Math.round(from + (to - from) * rng()), kind });
    }
  }
  const first = intervals[0]!;
  const venue = INJECTION_ORDER.filter((c) => o.faults.includes(c));
  venue.forEach((fault, i) => {
    // Spread over 10–50 % of the first interval: after start-up, well before its checkpoint.
    const span = first.end - first.start;
    actions.push({ at_ms: Math.round(first.start + span * (0.1 + (0.4 * i) / Math.max(1, venue.length))), kind: 'inject', fault });
  });
  // The CLOB faults wait on the daemon's orders, so they are armed early; but heartbeats refused
  // fail the adapter closed for the rest of that daemon's life (the harness restarts it), so that
  // one comes last: when asked (an order likely then), or halfway through.
  const clob = CLOB_FAULT_CLASSES.filter((c) => o.faults.includes(c) && c !== 'clob_heartbeat_stop');
  clob.forEach((fault, i) => {
    const span = first.end - first.start;
    actions.push({ at_ms: Math.round(first.start + span * (0.2 + (0.3 * i) / Math.max(1, clob.length))), kind: 'clob', fault });
  });
  const heartbeatAt = o.heartbeat_at_ms ?? Math.max(first.end * 0.5, o.duration_ms * 0.5);
  if (o.faults.includes('clob_heartbeat_stop')) actions.push({ at_ms: Math.round(heartbeatAt), kind: 'clob', fault: 'clob_heartbeat_stop' });
  return actions.sort((a, b) => a.at_ms - b.at_ms || rank(a) - rank(b));
}

/**
 * Frame faults first (the longest clean flow before the checkpoint judges the books they touched),
 * then those that wait on the daemon's REST requests and subscribes, the freeze last: a frozen
 * connection carries nothing until the daemon abandons it, which would starve the others.
 */
const INJECTION_ORDER: readonly VenueFaultClass[] = [
  'frame_drop',
  'frame_reorder',
  'frame_duplicate',
  'frame_malformed',
  'crossed_update',
  'tick_size_change',
  'rest_5xx',
  'rest_429',
  'ws_policy_close',
  'ws_disconnect',
  'ws_freeze',
];

/**
 * Where in an interval a kill may fall: away from its edges (a kill right before a checkpoint
 * would only test patience), at 15–50 % of it, and not before `notBefore`; null when nothing is left.
 */
function killWindow(iv: { start: number; end: number }, notBefore: number): [number, number] | null {
  const span = iv.end - iv.start;
  const from = Math.max(iv.start + 0.15 * span, notBefore);
  const to = iv.start + 0.5 * span;
  return from <= to ? [from, to] : null;
}

/** Kills the schedule can place: false when no interval leaves room after `kills_not_before_ms`. */
export function killsFit(o: ScheduleOptions): boolean {
  if (!o.faults.includes('daemon_kill') && !o.faults.includes('redis_kill')) return true;
  return soakSchedule(o).some((a) => a.kind === 'daemon_kill' || a.kind === 'redis_kill');
}

function rank(a: SoakAction): number {
  return a.kind === 'checkpoint' ? 3 : a.kind === 'inject' || a.kind === 'clob' ? 2 : a.kind === 'redis_kill' ? 1 : 0;
}

export interface MinimumOptions {
  /** Shortest soak at all: start-up, the forced injections and one checkpoint. */
  min_duration_ms: number;
  /** Shortest soak with a kill: the killed process must be back and ready before the final checkpoint. */
  min_duration_with_kills_ms: number;
}

/** The shortest soak that can inject every requested class and judge the recovery (harness faults only). */
export function minimumSoakMs(faults: readonly FaultClass[], o: MinimumOptions): number {
  const kills = faults.includes('daemon_kill') || faults.includes('redis_kill');
  return Math.max(o.min_duration_ms, kills ? o.min_duration_with_kills_ms : 0);
}

function shuffle<T>(rng: Rng, list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
