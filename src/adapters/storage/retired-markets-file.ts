import path from 'node:path';
import { z } from 'zod';
import { stateRecordFile } from './state-record.ts';

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

const record = (dataDir: string) => stateRecordFile(retiredMarketsFile(dataDir), 'retired markets', recordSchema, (m) => new RetiredMarketsError(m));

/** The market ids recorded as retired; null when there is no record yet (the process's first start on this data directory). */
export function readRetiredMarkets(dataDir: string): string[] | null {
  return record(dataDir).load()?.market_ids ?? null;
}

/** Replaces the record (atomically), ids sorted. */
export function writeRetiredMarkets(dataDir: string, ids: Iterable<string>): void {
  record(dataDir).save({ version: 1, market_ids: [...ids].sort() });
}
