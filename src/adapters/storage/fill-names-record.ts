import { z } from 'zod';
import { stateRecordFile } from './state-record.ts';

const recordSchema = z.strictObject({ version: z.literal(1), trades: z.array(z.string().min(1)) });

/** Reads and replaces a record of venue fills, each named as a new process knows it. */
export interface FillNamesStore {
  /** The fills recorded, as `<venue order id>:<trade id>`; empty when there is no record yet. */
  load(): string[];
  save(trades: readonly string[]): void;
}

/** The record of fills `file` keeps (`what`, plural, names it in refusals, as errors of the caller's class). */
export function fillNamesStore(file: string, what: string, refuse: (message: string) => Error): FillNamesStore {
  const record = stateRecordFile(file, what, recordSchema, refuse);
  return {
    load: () => record.load()?.trades ?? [],
    save: (trades) => record.save({ version: 1, trades: [...trades].sort() }),
  };
}
