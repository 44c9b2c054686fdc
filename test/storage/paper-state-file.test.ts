import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { carriedOf, PaperStateError, paperStateFile, readPaperState, unansweredUntold, writePaperState } from '../../src/adapters/storage/paper-state-file.ts';
import type { CarriedTrading, UnconfirmedCarriedFill } from '../../src/domain/trading/carried-state.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'helios-paper-state-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const state: Required<CarriedTrading> = {
  venue: [{ token_id: 'Y', shares: 15, cost: 6.3 }],
  markets: {
    m1: {
      ledger: { lots: { 'Y|temporal': { token_id: 'Y', strategy: 'temporal', shares: 15, cost: 6.3, realized: -0.1, fees: 0.18 } }, cash: -6.58, settled_prices: null, settled_shares: {} },
      risk_net: -1.43,
    },
  },
  daily: { day: 19675, start_net_pnl: -0.69 },
  peak_net_pnl: 2.5,
  retired: { ids: ['m0', 'm2'], pnl: { realized: 3.1, unrealized: 0, fees: 0.2, net: 2.9, by_strategy: { pair_arb: 2.9 } }, risk_net: 2.9 },
};

const unanswered: UnconfirmedCarriedFill[] = [
  { market_id: 'm1', fill_id: 'f-1', client_order_id: 'c-1', token_id: 'Y', side: 'BUY', size: 15, price: 0.42 },
  { market_id: 'm1', fill_id: 'f-2', client_order_id: null, token_id: 'N', side: 'SELL', size: 3, price: 0.57 },
];
/** The same fills as a version-4 file named them: without their trade. */
const unansweredV4 = unanswered.map(({ market_id, fill_id, client_order_id }) => ({ market_id, fill_id, client_order_id }));

const put = (dataDir: string, text: string) => {
  mkdirSync(path.dirname(paperStateFile(dataDir)), { recursive: true });
  writeFileSync(paperStateFile(dataDir), text);
};

describe('the paper state file (DATA_DIR/state/paper-state.json)', () => {
  it('round-trips what a session carries, with its version and save time, atomically', () => {
    const dataDir = tempDir();
    expect(readPaperState(dataDir)).toBeNull();
    writePaperState(dataDir, state, 1_700_000_000_000, { unanswered, cleanStop: false });
    const read = readPaperState(dataDir)!;
    expect(read).toEqual({ version: 5, saved_ms: 1_700_000_000_000, ...state, unanswered_fills: unanswered, clean_stop: false });
    // What the next session carries is the state alone.
    expect(carriedOf(read)).toEqual(state);
    // No temporary file left beside it.
    expect(readdirSync(path.dirname(paperStateFile(dataDir)))).toEqual(['paper-state.json']);
  });

  it('names the unanswered fills of a save no clean stop wrote (a crash\'s last one), and none of a clean stop\'s, which told of them itself', () => {
    const dataDir = tempDir();
    writePaperState(dataDir, state, 0, { unanswered, cleanStop: false });
    expect(unansweredUntold(readPaperState(dataDir)!)).toEqual(unanswered);
    writePaperState(dataDir, state, 0, { unanswered, cleanStop: true });
    expect(readPaperState(dataDir)!.unanswered_fills).toEqual(unanswered);
    expect(unansweredUntold(readPaperState(dataDir)!)).toEqual([]);
  });

  it('names each unanswered fill with its trade (token, side, size, price), which the operator needs to take it back by hand; a version-5 file must', () => {
    const dataDir = tempDir();
    writePaperState(dataDir, state, 0, { unanswered, cleanStop: false });
    const [f1] = JSON.parse(readFileSync(paperStateFile(dataDir), 'utf8')).unanswered_fills;
    expect(f1).toEqual({ market_id: 'm1', fill_id: 'f-1', client_order_id: 'c-1', token_id: 'Y', side: 'BUY', size: 15, price: 0.42 });
    put(dataDir, JSON.stringify({ version: 5, saved_ms: 0, ...state, unanswered_fills: unansweredV4, clean_stop: false }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: unanswered_fills\.0\.token_id/);
    put(dataDir, JSON.stringify({ version: 5, saved_ms: 0, ...state, unanswered_fills: [{ ...unanswered[0], side: 'buy' }], clean_stop: false }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: unanswered_fills\.0\.side/);
  });

  it('reads a version-4 file (its fills named without their trade, told of as it named them), and a version-4 fill names no trade', () => {
    const dataDir = tempDir();
    put(dataDir, JSON.stringify({ version: 4, saved_ms: 1_700_000_000_000, ...state, unanswered_fills: unansweredV4, clean_stop: false }));
    const read = readPaperState(dataDir)!;
    expect(read).toEqual({ version: 4, saved_ms: 1_700_000_000_000, ...state, unanswered_fills: unansweredV4, clean_stop: false });
    expect(unansweredUntold(read)).toEqual(unansweredV4);
    expect(carriedOf(read)).toEqual(state);
    put(dataDir, JSON.stringify({ version: 4, saved_ms: 0, ...state, unanswered_fills: unanswered, clean_stop: false }));
    expect(() => readPaperState(dataDir)).toThrow(PaperStateError);
  });

  it('reads a version-3 file (no record of unanswered fills: none to tell of), and a later file must have one', () => {
    const dataDir = tempDir();
    put(dataDir, JSON.stringify({ version: 3, saved_ms: 1_700_000_000_000, ...state }));
    const read = readPaperState(dataDir)!;
    expect(read).toEqual({ version: 3, saved_ms: 1_700_000_000_000, ...state });
    expect(unansweredUntold(read)).toEqual([]);
    expect(carriedOf(read)).toEqual(state);
    // A version-3 file knows no such record: one that has it is damaged; the current version must name both fields.
    put(dataDir, JSON.stringify({ version: 3, saved_ms: 0, ...state, unanswered_fills: unansweredV4, clean_stop: false }));
    expect(() => readPaperState(dataDir)).toThrow(PaperStateError);
    put(dataDir, JSON.stringify({ version: 4, saved_ms: 0, ...state, clean_stop: false }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: unanswered_fills/);
    put(dataDir, JSON.stringify({ version: 4, saved_ms: 0, ...state, unanswered_fills: [] }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: clean_stop/);
    put(dataDir, JSON.stringify({ version: 4, saved_ms: 0, ...state, unanswered_fills: [{ market_id: 'm1', fill_id: '', client_order_id: null }], clean_stop: false }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: unanswered_fills\.0\.fill_id/);
  });

  it('refuses a damaged file, naming it, rather than starting flat', () => {
    const dataDir = tempDir();
    put(dataDir, '{"version":1,"venue":[{"token_id":"Y","sha');
    expect(() => readPaperState(dataDir)).toThrow(PaperStateError);
    expect(() => readPaperState(dataDir)).toThrow(`the paper state ${paperStateFile(dataDir)} is damaged (not JSON)`);
    // Nothing rewrote it.
    expect(readFileSync(paperStateFile(dataDir), 'utf8')).toContain('"sha');
  });

  it('reads a version-2 file (no retired markets collapsed: none carried, its markets kept as they are)', () => {
    const dataDir = tempDir();
    const { retired: _retired, ...version2 } = state;
    put(dataDir, JSON.stringify({ version: 2, saved_ms: 1_700_000_000_000, ...version2 }));
    const read = readPaperState(dataDir)!;
    expect(read).toEqual({ version: 2, saved_ms: 1_700_000_000_000, ...version2 });
    expect(read.retired).toBeUndefined();
    // A version-2 file knows no aggregate: one that names it is damaged, not guessed at; and the current version must name it.
    put(dataDir, JSON.stringify({ version: 2, saved_ms: 0, ...state }));
    expect(() => readPaperState(dataDir)).toThrow(PaperStateError);
    put(dataDir, JSON.stringify({ version: 3, saved_ms: 0, ...version2 }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: retired/);
    expect(unansweredUntold(read)).toEqual([]);
  });

  it('refuses a retired aggregate that lists a market twice', () => {
    const dataDir = tempDir();
    put(dataDir, JSON.stringify({ version: 5, saved_ms: 0, ...state, unanswered_fills: [], clean_stop: true, retired: { ...state.retired, ids: ['m0', 'm0'] } }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: retired\.ids: an id is listed twice/);
  });

  it('reads a version-1 file (no drawdown peak: it starts at 0, as it did then)', () => {
    const dataDir = tempDir();
    const { peak_net_pnl: _peak, retired: _retired, ...version1 } = state;
    put(dataDir, JSON.stringify({ version: 1, saved_ms: 1_700_000_000_000, ...version1 }));
    const read = readPaperState(dataDir)!;
    expect(read).toEqual({ version: 1, saved_ms: 1_700_000_000_000, ...version1 });
    expect(read.peak_net_pnl).toBeUndefined();
    // Later versions must name their peak: a version-2 file without one is damaged, not guessed at.
    put(dataDir, JSON.stringify({ version: 2, saved_ms: 0, ...version1 }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: peak_net_pnl/);
  });

  it('refuses a file of another version', () => {
    const dataDir = tempDir();
    put(dataDir, JSON.stringify({ ...state, version: 6, saved_ms: 0 }));
    expect(() => readPaperState(dataDir)).toThrow(/has version 6; this build reads versions 1, 2, 3, 4, 5 only/);
    put(dataDir, JSON.stringify({ ...state, saved_ms: 0 }));
    expect(() => readPaperState(dataDir)).toThrow(/has version undefined/);
  });

  it('refuses a file whose content does not fit the format, naming where', () => {
    const dataDir = tempDir();
    put(dataDir, JSON.stringify({ version: 5, saved_ms: 0, ...state, unanswered_fills: [], clean_stop: true, venue: [{ token_id: 'Y', shares: '15', cost: 6.3 }] }));
    expect(() => readPaperState(dataDir)).toThrow(/is damaged: venue\.0\.shares/);
    put(dataDir, JSON.stringify({ version: 5, saved_ms: 0, ...state, unanswered_fills: [], clean_stop: true, extra: true }));
    expect(() => readPaperState(dataDir)).toThrow(PaperStateError);
  });
});
