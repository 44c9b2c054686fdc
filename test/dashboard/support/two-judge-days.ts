/**
 * The embedded default started on an afternoon at KLGA (America/New_York): its next day's buckets
 * are listed from noon, so both days' five buckets trade beside the three matches' markets (13
 * markets, 10 of KLGA), whatever the wall-clock hour of the run. Env for `childEnv`.
 */
export const TWO_JUDGE_DAYS = { HELIOS_DAEMON__SIM__START_AT: '2026-12-08T14:00:00-05:00' };

/** KLGA's two judge days listed then, in order. */
export const JUDGE_DAYS = ['2026-12-08', '2026-12-09'];
