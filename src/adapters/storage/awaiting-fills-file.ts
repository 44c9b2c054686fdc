import path from 'node:path';
import { fillNamesStore, type FillNamesStore } from './fill-names-record.ts';

/** An awaiting-fills file that cannot be read: starting over it would leave an earlier fill's answer unread. */
export class AwaitingFillsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwaitingFillsError';
  }
}

/** Reads and replaces the record of venue fills still awaiting their CONFIRMED/FAILED. */
export type AwaitingFillsStore = FillNamesStore;

/**
 * Where real execution keeps every fill of its own still awaiting its answer, named by venue order
 * and trade: a new process started after that trade fell out of `trades_lookback_s`, its order no
 * longer open, would otherwise not read it at all, and its FAILED would reach the ledger only as a
 * reconciliation break.
 */
export function awaitingFillsFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'real-awaiting-fills.json');
}

export function awaitingFillsStore(dataDir: string): AwaitingFillsStore {
  return fillNamesStore(awaitingFillsFile(dataDir), 'awaiting fills', (m) => new AwaitingFillsError(m));
}
