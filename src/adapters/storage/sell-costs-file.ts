import path from 'node:path';
import { z } from 'zod';
import { stateRecordFile } from './state-record.ts';

/** A sell-costs file that cannot be read: starting over it would give the shares of a failed sell back at cost 0. */
export class SellCostsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SellCostsError';
  }
}

const recordSchema = z.strictObject({ version: z.literal(1), sells: z.record(z.string().min(1), z.number().finite().nonnegative()) });

/** Reads and replaces the record of the cost per share each SELL fill awaiting its answer carries. */
export interface SellCostsStore {
  /** `<venue order id>:<trade id>` → the position's average cost per share when the sell matched; empty when there is no record yet. */
  load(): Map<string, number>;
  save(costs: ReadonlyMap<string, number>): void;
}

/**
 * Where real execution keeps each SELL fill's cost (AwaitingFill.avg_cost) until the venue answers
 * it: a sell that emptied the position leaves the venue no position to report a cost for, so a new
 * process carrying the sell learns the cost only here, and its FAILED gives the shares back at it.
 */
export function sellCostsFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'real-sell-costs.json');
}

export function sellCostsStore(dataDir: string): SellCostsStore {
  const record = stateRecordFile(sellCostsFile(dataDir), 'sell costs', recordSchema, (m) => new SellCostsError(m));
  return {
    load: () => new Map(Object.entries(record.load()?.sells ?? {})),
    save: (costs) => record.save({ version: 1, sells: Object.fromEntries([...costs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }),
  };
}
