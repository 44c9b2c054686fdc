import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from './atomic-file.ts';

/** A global halt in force: why, and since when (ms). */
export interface KillSwitchRecord {
  reason: string;
  since_ms: number;
}

const recordSchema = z.strictObject({ reason: z.string(), since_ms: z.number().int() });

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
    return { reason: `kill switch state unreadable (${(err as Error).message})`, since_ms: 0 };
  }
  try {
    return recordSchema.parse(JSON.parse(text));
  } catch {
    return { reason: `kill switch state ${file} not understood`, since_ms: 0 };
  }
}

/** Records the kill switch on (`record`) or off (null). */
export function writeKillSwitch(dataDir: string, record: KillSwitchRecord | null): void {
  if (record === null) rmSync(killSwitchFile(dataDir), { force: true });
  else writeAtomically(killSwitchFile(dataDir), JSON.stringify(record) + '\n');
}
