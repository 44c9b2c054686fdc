import path from 'node:path';
import { z } from 'zod';
import type { CarriedTrading, UnconfirmedCarriedFill } from '../../domain/trading/carried-state.ts';
import { writeAtomically } from './atomic-file.ts';
import { parseStateRecord, readStateJson } from './state-record.ts';

/**
 * The format this build writes: version 5 names each fill the save carries unanswered with its
 * trade (token, side, size, price), which the operator needs to take one back by hand. Version 4
 * named them by market, fill and order only (`unanswered_fills`), with whether a clean stop wrote it
 * (`clean_stop`), so the session after a crash can tell of them. Version 3 collapses the markets
 * retired for good into one aggregate (`retired`). It reads this one, version 4 (its fills told of
 * as it named them), version 3 (no record of unanswered fills: none to tell of), version 2 (no
 * `retired`: the markets it kept per market stay so until a session retires them) and version 1
 * (written before the drawdown's peak was kept: without it the peak starts at 0, as it did then);
 * any other version is refused, never guessed at.
 */
export const PAPER_STATE_VERSION = 5;
const READABLE_VERSIONS = [1, 2, 3, 4, PAPER_STATE_VERSION];

/** What a save knows beside the carried state: the fills it carries unanswered, and whether it is a clean stop's final save. */
export interface PaperStateSave {
  /** Carried as matched though still awaiting their CONFIRMED/FAILED (not given up), by market, then id. */
  unanswered: UnconfirmedCarriedFill[];
  /** The final save of a stopping session, which told of `unanswered` itself. */
  cleanStop: boolean;
}

/** An unanswered fill as a file names it: a version-4 file, without its trade. */
export type StoredUnansweredFill = UnconfirmedCarriedFill | Pick<UnconfirmedCarriedFill, 'market_id' | 'fill_id' | 'client_order_id'>;

/** A paper state as stored: what is carried, the format's version, and when (ms, node clock) it was saved. */
export interface PaperStateRecord extends CarriedTrading {
  version: 1 | 2 | 3 | 4 | typeof PAPER_STATE_VERSION;
  saved_ms: number;
  /** Absent in what an earlier build wrote (versions 1 to 3). */
  unanswered_fills?: StoredUnansweredFill[];
  /** Absent in what an earlier build wrote (versions 1 to 3). */
  clean_stop?: boolean;
}

/**
 * A paper state file that exists but cannot be used. Starting flat over it would forget positions
 * and the day's losses (the daily-loss limit bypassed), and the next save would overwrite it.
 */
export class PaperStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaperStateError';
  }
}

const finite = z.number().finite();
const lot = z.strictObject({
  token_id: z.string(),
  strategy: z.enum(['pair_arb', 'temporal', 'reconciled', 'neg_risk']),
  shares: finite,
  cost: finite,
  realized: finite,
  fees: finite,
});
const version1Schema = z.strictObject({
  version: z.literal(1),
  saved_ms: z.number().int(),
  venue: z.array(z.strictObject({ token_id: z.string().min(1), shares: finite, cost: finite })),
  markets: z.record(
    z.string().min(1),
    z.strictObject({
      ledger: z.strictObject({
        lots: z.record(z.string(), lot),
        cash: finite,
        settled_prices: z.record(z.string(), finite).nullable(),
        settled_shares: z.record(z.string(), finite),
      }),
      risk_net: finite,
    }),
  ),
  daily: z.strictObject({ day: z.number().int(), start_net_pnl: finite }).nullable(),
});
const version2Schema = version1Schema.extend({ version: z.literal(2), peak_net_pnl: finite });
const pnl = z.strictObject({ realized: finite, unrealized: finite, fees: finite, net: finite, by_strategy: z.record(z.string(), finite) });
const version3Schema = version2Schema.extend({
  version: z.literal(3),
  retired: z.strictObject({ ids: z.array(z.string().min(1)).refine((ids) => new Set(ids).size === ids.length, 'an id is listed twice'), pnl, risk_net: finite }),
});
const namedFill = z.strictObject({ market_id: z.string().min(1), fill_id: z.string().min(1), client_order_id: z.string().nullable() });
const version4Schema = version3Schema.extend({ version: z.literal(4), unanswered_fills: z.array(namedFill), clean_stop: z.boolean() });
const recordSchema = version4Schema.extend({
  version: z.literal(PAPER_STATE_VERSION),
  unanswered_fills: z.array(namedFill.extend({ token_id: z.string().min(1), side: z.enum(['BUY', 'SELL']), size: finite, price: finite })),
});
const schemaOf = { 1: version1Schema, 2: version2Schema, 3: version3Schema, 4: version4Schema, [PAPER_STATE_VERSION]: recordSchema } as const;

/** Where a data directory keeps its paper trading state between sessions. */
export function paperStateFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'paper-state.json');
}

/** The state the previous paper session left, or null when there is none (a first start). */
export function readPaperState(dataDir: string): PaperStateRecord | null {
  const file = paperStateFile(dataDir);
  const errors = {
    unreadable: (reason: string) => new PaperStateError(`cannot read the paper state ${file}: ${reason}`),
    damaged: (detail: string) => new PaperStateError(`the paper state ${file} is damaged${detail}`),
  };
  const value = readStateJson(file, errors);
  if (value === undefined) return null;
  const version = (value as { version?: unknown } | null)?.version;
  if (!READABLE_VERSIONS.includes(version as number)) throw new PaperStateError(`the paper state ${file} has version ${JSON.stringify(version)}; this build reads versions ${READABLE_VERSIONS.join(', ')} only`);
  return parseStateRecord(schemaOf[version as keyof typeof schemaOf], value, errors) as PaperStateRecord;
}

/** Replaces the stored state (atomically: a crash leaves the previous one or this one). */
export function writePaperState(dataDir: string, state: Required<CarriedTrading>, savedMs: number, save: PaperStateSave): void {
  const record: PaperStateRecord = { version: PAPER_STATE_VERSION, saved_ms: savedMs, ...state, unanswered_fills: save.unanswered, clean_stop: save.cleanStop };
  writeAtomically(paperStateFile(dataDir), JSON.stringify(record) + '\n');
}

/** What a stored state carries into the next session (the record's own fields left out). */
export function carriedOf(stored: PaperStateRecord): CarriedTrading {
  const { version: _v, saved_ms: _s, unanswered_fills: _u, clean_stop: _c, ...carried } = stored;
  return carried;
}

/**
 * The fills a session that did not stop cleanly (a crash, SIGKILL, power loss) carried unanswered
 * at its last save, which nobody was told of: a clean stop told of its own, and an earlier build's
 * file kept no record of them.
 */
export function unansweredUntold(stored: PaperStateRecord): StoredUnansweredFill[] {
  return stored.clean_stop === false ? (stored.unanswered_fills ?? []) : [];
}

/**
 * Rewrites the stored record as naming no fill left to tell of, once the session after a crash has
 * told of them (unansweredUntold): should it crash too before its first save, the start after it
 * would otherwise tell of the same fills again and count them twice in its run summary. The carried
 * state, the version and the save time stay as they were.
 */
export function recordUnansweredTold(dataDir: string, stored: PaperStateRecord): void {
  writeAtomically(paperStateFile(dataDir), JSON.stringify({ ...stored, unanswered_fills: [] }) + '\n');
}
