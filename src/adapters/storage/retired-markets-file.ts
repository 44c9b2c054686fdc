import path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from './atomic-file.ts';
import { parseStateRecord, readStateJson } from './state-record.ts';

/** A retired-markets file that cannot be read: the process must not start over it (it would list and subscribe them again, then overwrite it). */
export class RetiredMarketsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetiredMarketsError';
  }
}

const recordSchema = z.strictObject({ version: z.literal(1), market_ids: z.array(z.string().min(1)) });

/**
 * Where a scale-out's feeds process keeps the markets its trading shards retired (they keep theirs
 * in their paper state): what it learned over the bus outlives a restart of the feeds process.
 */
export function retiredMarketsFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'retired-markets.json');
}

/** The market ids recorded as retired; null when there is no record yet (the process's first start on this data directory). */
export function readRetiredMarkets(dataDir: string): string[] | null {
  const file = retiredMarketsFile(dataDir);
  const errors = {
    unreadable: (reason: string) => new RetiredMarketsError(`cannot read the retired markets ${file}: ${reason}`),
    damaged: (detail: string) => new RetiredMarketsError(`the retired markets ${file} are damaged${detail}`),
  };
  const value = readStateJson(file, errors);
  return value === undefined ? null : parseStateRecord(recordSchema, value, errors).market_ids;
}

/** Replaces the record (atomically), ids sorted. */
export function writeRetiredMarkets(dataDir: string, ids: Iterable<string>): void {
  writeAtomically(retiredMarketsFile(dataDir), JSON.stringify({ version: 1, market_ids: [...ids].sort() }) + '\n');
}
