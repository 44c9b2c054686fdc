import path from 'node:path';
import { fillNamesStore, type FillNamesStore } from './fill-names-record.ts';

/** A given-up-fills file that cannot be read: starting over it would wait for those fills and alert of them again. */
export class GivenUpFillsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GivenUpFillsError';
  }
}

/** Reads and replaces the record of venue fills whose answer the trading side gave up on. */
export type GivenUpFillsStore = FillNamesStore;

/**
 * Where real execution keeps the fills whose CONFIRMED/FAILED the trading side waited for in vain
 * (FILL_UNANSWERED told): a new process carrying them from the venue holds them as given up, so it
 * neither waits for them a full answer time again nor tells of them a second time. They are named
 * by venue order and trade, the only names that outlive the process.
 */
export function givenUpFillsFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'real-given-up-fills.json');
}

export function givenUpFillsStore(dataDir: string): GivenUpFillsStore {
  return fillNamesStore(givenUpFillsFile(dataDir), 'given-up fills', (m) => new GivenUpFillsError(m));
}
