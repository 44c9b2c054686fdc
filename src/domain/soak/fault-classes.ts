/** The classes the venue simulator the harness hosts injects (and can be made to inject at once). */
export const VENUE_FAULT_CLASSES = [
  'ws_disconnect',
  'ws_policy_close',
  'ws_freeze',
  'frame_drop',
  'frame_duplicate',
  'frame_reorder',
  'frame_malformed',
  'crossed_update',
  'tick_size_change',
  'rest_429',
  'rest_5xx',
] as const;

/**
 * Every fault class a soak injects, in the order the summary lists them. Venue faults come from the
 * venue simulator the soak hosts, world and truth faults from the daemon's own simulators, paper
 * failures from the paper venue, and the two kills from the soak harness itself.
 */
export const FAULT_CLASSES = [
  ...VENUE_FAULT_CLASSES,
  'weather_stale',
  'truth_stale',
  'truth_conflict',
  'paper_fill_failed',
  'redis_kill',
  'daemon_kill',
] as const;

export type FaultClass = (typeof FAULT_CLASSES)[number];

export type VenueFaultClass = (typeof VENUE_FAULT_CLASSES)[number];

export type FaultCounts = Record<FaultClass, number>;

export function zeroFaultCounts(): FaultCounts {
  return Object.fromEntries(FAULT_CLASSES.map((c) => [c, 0])) as FaultCounts;
}

export class FaultListError extends Error {}

/**
 * `--faults all` or a comma-separated list of classes. `redis_kill` needs a Redis server the soak
 * started itself (it never kills someone else's): `all` leaves it out without one, and naming it
 * without one is an error.
 */
export function parseFaultList(text: string, ownRedis: boolean): FaultClass[] {
  const trimmed = text.trim();
  if (trimmed === 'all') return FAULT_CLASSES.filter((c) => ownRedis || c !== 'redis_kill');
  const names = trimmed.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (!names.length) throw new FaultListError('--faults expects "all" or a comma-separated list of fault classes');
  const unknown = names.filter((n) => !(FAULT_CLASSES as readonly string[]).includes(n));
  if (unknown.length) throw new FaultListError(`unknown fault class ${unknown.map((u) => JSON.stringify(u)).join(', ')}; known: ${FAULT_CLASSES.join(', ')}`);
  if (!ownRedis && names.includes('redis_kill')) {
    throw new FaultListError('redis_kill needs --redis without a URL: the soak then starts its own redis-server on a free loopback port (it never kills a server it did not start)');
  }
  const wanted = new Set(names);
  return FAULT_CLASSES.filter((c) => wanted.has(c));
}
