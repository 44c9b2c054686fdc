import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { KillKind } from '../../domain/trading/risk-engine.ts';
import { writeAtomically } from './atomic-file.ts';

/** A global halt in force: why, since when (ms), what kind of kill, and the UTC day the daily loss reached its limit. */
export interface KillSwitchRecord {
  reason: string;
  since_ms: number;
  kind: KillKind;
  /** The UTC day (days since the epoch) the daily loss reached its limit, if it did: no resume that day. */
  daily_limit_day: number | null;
}

// A file an earlier build wrote has neither kind nor day: an operator's halt, as that build restored it.
const recordSchema = z.strictObject({
  reason: z.string(),
  since_ms: z.number().int(),
  kind: z.enum(['manual', 'daily_loss']).default('manual'),
  daily_limit_day: z.number().int().nullable().default(null),
});

const unknownRecord = (reason: string): KillSwitchRecord => ({ reason, since_ms: 0, kind: 'manual', daily_limit_day: null });

/** Where a data directory keeps its kill switch while it is on (absent: off). */
export function killSwitchFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'kill-switch.json');
}

/**
 * The kill switch a previous trading session left on, or null when it was off. A file that cannot
 * be read or understood counts as on: a process that may not know whether trading was halted
 * must not trade until an operator resumes it.
 */
export function readKillSwitch(dataDir: string): KillSwitchRecord | null {
  const file = killSwitchFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return unknownRecord(`kill switch state unreadable (${(err as Error).message})`);
  }
  try {
    return recordSchema.parse(JSON.parse(text));
  } catch {
    return unknownRecord(`kill switch state ${file} not understood`);
  }
}

/** Records the kill switch on (`record`) or off (null). */
export function writeKillSwitch(dataDir: string, record: KillSwitchRecord | null): void {
  if (record === null) rmSync(killSwitchFile(dataDir), { force: true });
  else writeAtomically(killSwitchFile(dataDir), JSON.stringify(record) + '\n');
}
