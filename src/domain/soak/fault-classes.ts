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
 * The stand-in CLOB's misbehaviours (`--execution real` only): an order's answer lost after it
 * filled, a trade MATCHED then FAILED, the user socket dropped, heartbeats refused until the
 * adapter fails closed and the venue cancels everything, a stale balance cache, 425/429/5xx.
 */
export const CLOB_FAULT_CLASSES = ['clob_timeout_after_fill', 'clob_matched_failed', 'clob_rest_errors', 'clob_stale_balance', 'clob_user_socket_drop', 'clob_heartbeat_stop'] as const;

/**
 * Every fault class a soak injects, in the order the summary lists them. Venue faults come from the
 * venue simulator the soak hosts, world and truth faults from the daemon's own simulators, paper
 * failures from the paper venue, the two kills from the soak harness itself, and the CLOB faults
 * from the stand-in CLOB a real-execution soak hosts.
 */
export const FAULT_CLASSES = [
  ...VENUE_FAULT_CLASSES,
  'weather_stale',
  'truth_stale',
  'truth_conflict',
  'paper_fill_failed',
  'redis_kill',
  'daemon_kill',
  ...CLOB_FAULT_CLASSES,
] as const;

export type FaultClass = (typeof FAULT_CLASSES)[number];

export type VenueFaultClass = (typeof VENUE_FAULT_CLASSES)[number];

export type ClobFaultClass = (typeof CLOB_FAULT_CLASSES)[number];

export function isClobFault(c: FaultClass): c is ClobFaultClass {
  return (CLOB_FAULT_CLASSES as readonly string[]).includes(c);
}

/** How the soaked daemon executes: the paper venue inside it, or the real adapter against the stand-in CLOB. */
export type SoakExecution = 'paper' | 'real';

export type FaultCounts = Record<FaultClass, number>;

export function zeroFaultCounts(): FaultCounts {
  return Object.fromEntries(FAULT_CLASSES.map((c) => [c, 0])) as FaultCounts;
}

export class FaultListError extends Error {}

/**
 * `--faults all` or a comma-separated list of classes. `redis_kill` needs a Redis server the soak
 * started itself (it never kills someone else's): `all` leaves it out without one, and naming it
 * without one is an error. The CLOB classes need real execution (there is no CLOB otherwise) and
 * `paper_fill_failed` paper execution, by the same rule.
 */
export function parseFaultList(text: string, ownRedis: boolean, execution: SoakExecution = 'paper'): FaultClass[] {
  const trimmed = text.trim();
  const real = execution === 'real';
  const possible = (c: FaultClass) => (ownRedis || c !== 'redis_kill') && (real ? c !== 'paper_fill_failed' : !isClobFault(c));
  if (trimmed === 'all') return FAULT_CLASSES.filter(possible);
  const names = trimmed.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (!names.length) throw new FaultListError('--faults expects "all" or a comma-separated list of fault classes');
  const unknown = names.filter((n) => !(FAULT_CLASSES as readonly string[]).includes(n));
  if (unknown.length) throw new FaultListError(`unknown fault class ${unknown.map((u) => JSON.stringify(u)).join(', ')}; known: ${FAULT_CLASSES.join(', ')}`);
  if (!ownRedis && names.includes('redis_kill')) {
    throw new FaultListError('redis_kill needs --redis without a URL: the soak then starts its own redis-server on a free loopback port (it never kills a server it did not start)');
  }
  const clob = names.filter((n) => isClobFault(n as FaultClass));
  if (!real && clob.length) throw new FaultListError(`${clob.join(', ')} need${clob.length === 1 ? 's' : ''} --execution real: the soak then hosts a stand-in CLOB the daemon's real adapter trades against`);
  if (real && names.includes('paper_fill_failed')) throw new FaultListError('paper_fill_failed needs paper execution: with --execution real there is no paper venue (clob_matched_failed is its real counterpart)');
  const wanted = new Set(names);
  return FAULT_CLASSES.filter((c) => wanted.has(c));
}
